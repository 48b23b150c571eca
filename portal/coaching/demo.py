"""Demo data of the coaching module: findings (three late logins in 30 days: an escalation proposal) and one coaching
session for `agent`, and an SP1 still valid for another agent of tl's team (issued by spv)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, select

from portal.auth.models import User
from portal.coaching import services as coaching
from portal.coaching.models import Finding, WarningLevel
from portal.core.i18n import local_today
from portal.extensions import db
from portal.people.models import Position, Staff, Team, TeamMembership


def load() -> list[str]:
    seeded = coaching.seed()
    if db.session.scalar(select(Finding.id).limit(1)) is not None:
        return seeded
    users = {u.username: u for u in db.session.scalars(select(User))}
    tl_user, spv = users.get("tl"), users.get("spv")
    if tl_user is None or db.session.scalar(select(Staff.id).limit(1)) is None:
        return seeded + ["coaching demo skipped: the people demo is missing"]
    today = local_today()
    agent_position = db.session.scalar(select(Position.id).where(Position.code == "AGENT"))
    team = db.session.scalar(select(Team).join(Staff, Staff.id == Team.leader_id).where(Staff.user_id == tl_user.id))
    members = list(db.session.scalars(select(Staff).join(TeamMembership, and_(TeamMembership.staff_id == Staff.id,
                                                                              TeamMembership.ends_on.is_(None)))
                                      .where(TeamMembership.team_id == team.id, Staff.position_id == agent_position)
                                      .order_by(Staff.employee_number))) if team else []
    # the refreshment's retaker is the last of the team on 147 (training demo): the SP1 goes to another agent
    on_147 = [m for m in members if any(s.code == "147" for s in m.services)]
    failed = on_147[-1] if on_147 else None
    # Findings and a coaching session for `agent`; an SP1 for another agent of tl's team.
    agent = db.session.scalar(select(Staff).join(User, User.id == Staff.user_id).where(User.username == "agent"))
    if agent is not None and tl_user is not None:
        for days, kind, rule, text in [
            (20, "late_login", "P-10 langkah 16 (ketepatan login)", "Login terlambat 12 menit dari jadwal shift pagi."),
            (9, "late_login", "P-10 langkah 16 (ketepatan login)", "Login terlambat 7 menit setelah istirahat."),
            (6, "late_login", "P-10 langkah 16 (ketepatan login)", "Login terlambat 5 menit pada shift siang."),
            (4, "indiscipline", "F-03 Tata tertib ruang layanan", "Menggunakan ponsel di meja layanan saat antrian tinggi."),
        ]:
            finding = coaching.raise_finding(agent, {"kind": kind, "found_on": today - timedelta(days=days), "rule": rule,
                                                     "description": text, "evidence_link": "IN.OCC.TELK.F-03"}, tl_user)
        coaching.record_session(agent, {"held_on": today - timedelta(days=3), "topic": "Ketepatan login dan tata tertib",
                                        "actions": "Login 10 menit sebelum shift; ponsel disimpan di loker.",
                                        "follow_up_on": today + timedelta(days=14), "finding_id": finding.id}, tl_user)
    other = next((m for m in members if m.user_id is None and m != failed), None)
    sp1 = db.session.scalar(select(WarningLevel).where(WarningLevel.code == "SP1"))
    if other is not None and sp1 is not None and spv is not None:
        coaching.raise_finding(other, {"kind": "violation", "found_on": today - timedelta(days=62),
                                       "rule": "MNOP-01 §4.1.4 tata tertib", "description": "Meninggalkan layanan tanpa izin."}, spv)
        coaching.write_warning(other, sp1, {"issued_on": today - timedelta(days=60),
                                            "reason": "Pelanggaran tata tertib berulang."}, spv)
    return seeded + ["coaching: findings and a coaching session for agent, an SP1 in tl's team"]

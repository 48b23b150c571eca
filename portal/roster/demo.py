"""Demo data of the roster module: shifts and hours for the demo services (inbound around the clock with a night
shift, the outbound TAM teams 08.00-17.00 seven days a week), this month's roster of `tl`'s team published by `spv`
and next month's as a draft, two weeks of realisation with some late arrivals and absences (and two days whose
attendance is still to be completed, so that HK+3 shows on the home page), and today's check-ins but `agent`'s."""
from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from portal.auth.models import Service, User
from portal.core import audit
from portal.core.i18n import local_today
from portal.extensions import db
from portal.people.models import Staff, Team
from portal.roster import services as roster
from portal.roster.models import Attendance, RosterEntry, ServiceHours, Shift
from portal.roster.realisation import local_now, to_utc

INBOUND = [("P", "Pagi", time(7), time(15), 60), ("S", "Siang", time(15), time(23), 60), ("M", "Malam", time(23), time(7), 60),
           ("PM", "Middle", time(10), time(19), 60)]
OUTBOUND = [("R", "Reguler", time(8), time(17), 60), ("RS", "Reguler pendek", time(8), time(13), 0)]


def seed(actor=None) -> list[str]:
    out = []
    have = {(s.service_id, s.code) for s in db.session.scalars(select(Shift))}
    hours = {h.service_id for h in db.session.scalars(select(ServiceHours))}
    for svc in db.session.scalars(select(Service).order_by(Service.code)):
        outbound = svc.direction == "outbound"
        for code, name, start, end, brk in (OUTBOUND if outbound else INBOUND):
            if (svc.id, code) not in have:
                roster.save_shift(svc.id, {"code": code, "name": name, "starts": start, "ends": end, "break_minutes": brk,
                                           "active": True}, actor)
                out.append(f"shift {svc.code} {code}")
        if svc.id not in hours:
            roster.save_hours(svc.id, {"opens": time(8) if outbound else None, "closes": time(17) if outbound else None,
                                       "late_tolerance": 5, "early_tolerance": 5}, actor)
    return out


def _code(i: int, day) -> str | None:
    """Five days on, two off, a morning or afternoon rotation by person (no rest under 11 hours)."""
    if (day.toordinal() + i) % 7 in (0, 1):
        return None
    return "P" if i % 2 == 0 else "S"


def _fill(month_row, team, people, codes: dict, actor) -> int:
    hours = roster.hours_of(team.service_id)
    days = roster.month_days(month_row.month)
    n = 0
    for i, person in enumerate(people):
        for day in days:
            code = _code(i, day)
            if code is None:
                continue
            shift = codes.get(code)
            if roster.check_cell(team, person, day, shift, hours, set()) is None:
                db.session.add(RosterEntry(month_id=month_row.id, staff_id=person.id, day=day, shift_id=shift.id))
                n += 1
    db.session.flush()
    audit.record("roster.range_filled", month_row, new={"cells": n, "source": "demo"}, actor=actor)
    return n


def load() -> list[str]:
    users = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_(["tl", "spv", "admin"])))}
    out = seed(users.get("admin"))
    tl, spv = users.get("tl"), users.get("spv")
    if tl is None or spv is None:
        return out + ["roster demo skipped: the demo users are missing"]
    team = db.session.scalar(select(Team).join(Staff, Staff.id == Team.leader_id).where(Staff.user_id == tl.id))
    if team is None:
        return out + ["roster demo skipped: the people demo is missing"]
    today = local_today()
    this = today.replace(day=1)
    if roster.get_month(team, this) is not None:
        return out
    following = (this + timedelta(days=32)).replace(day=1)
    codes = {s.code: s for s in roster.shifts_of(team.service_id)}
    people = [p for p in roster.members(team, this) if p.id != team.leader_id]
    current = roster.month_for(team, this, tl)
    _fill(current, team, people, codes, tl)
    # the two weeks before today may reach into last month: its roster is published too
    earlier = None
    if (today - timedelta(days=14)).month != today.month:
        earlier = roster.month_for(team, (today - timedelta(days=14)).replace(day=1), tl)
        _fill(earlier, team, people, codes, tl)
        roster.write_publication(earlier, roster.snapshot(earlier), spv)
    roster.write_publication(current, roster.snapshot(current), spv)
    nxt = roster.month_for(team, following, tl)
    _fill(nxt, team, [p for p in roster.members(team, following) if p.id != team.leader_id], codes, tl)
    # realisation: the last two weeks and today
    agent_user = db.session.scalar(select(User).where(User.username == "agent"))
    tz = team.site.timezone
    entries = list(db.session.scalars(select(RosterEntry).where(
        RosterEntry.staff_id.in_([p.id for p in people]), RosterEntry.day >= today - timedelta(days=14),
        RosterEntry.day <= today).order_by(RosterEntry.day, RosterEntry.staff_id)))
    late = absent = 0
    for k, entry in enumerate(entries):
        staff = next(p for p in people if p.id == entry.staff_id)
        start = entry.shift.start_on(entry.day)
        if entry.day == today:
            if staff.user_id == (agent_user.id if agent_user else None) or start > local_now(tz):
                continue  # agent checks in themselves; later shifts have not started
        if entry.day < today and k % 23 == 5 and entry.day >= today - timedelta(days=3):
            continue  # attendance still to complete: HK+3
        if k % 17 == 3:
            reason, note = ("sick", "Surat dokter klinik Kimia Farma") if absent % 2 == 0 else ("unexcused", "")
            db.session.add(Attendance(staff_id=staff.id, day=entry.day, absence=reason, absence_note=note, source="tl",
                                      recorded_by_id=tl.id))
            absent += 1
            continue
        minutes = -(k % 9) if k % 11 != 2 else 7 + (k % 4) * 6
        late += minutes > 5
        arrive = start + timedelta(minutes=minutes)
        leave = entry.shift.end_on(entry.day) + timedelta(minutes=k % 5)
        row = Attendance(staff_id=staff.id, day=entry.day, check_in=to_utc(arrive, tz), in_address="10.20.1.%d" % (10 + k % 40),
                         check_out=to_utc(leave, tz) if entry.day < today else None, source="self",
                         recorded_by_id=staff.user_id or tl.id)
        db.session.add(row)
    db.session.flush()
    return out + [f"roster of {team.name}: {this:%Y-%m} published, {following:%Y-%m} draft; "
                  f"realisation of two weeks ({late} late, {absent} absent)"]

"""Demo data of the training module: courses for the demo services, two past signed sessions with scores (one agent
of tl's team failed the refreshment and is overdue for a retake), P-10's revision in force marked as needing an SOP
refresher."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import and_, select

from portal.auth.models import Service, User
from portal.core import audit
from portal.core.db import utcnow
from portal.core.i18n import local_today
from portal.documents.models import EFFECTIVE, Document, Revision
from portal.extensions import db
from portal.people.models import Position, Staff, Team, TeamMembership
from portal.training import gate, services
from portal.training.models import Course, TrainingSession

P10 = "IN.OCC.TELK.P-10"


def _sign(session: TrainingSession, trainer) -> None:
    session.signed_at, session.signed_by_id, session.signed_name = utcnow(), trainer.id, trainer.full_name
    db.session.flush()
    audit.record("training_session.signed", session, new={"version": 1, "signed_by": trainer.full_name, "demo": True},
                 actor=trainer)


def load() -> list[str]:
    if db.session.scalar(select(Course.id).limit(1)) is not None:
        return []
    users = {u.username: u for u in db.session.scalars(select(User))}
    trainer, tl_user = users.get("trainer"), users.get("tl")
    if trainer is None or db.session.scalar(select(Staff.id).limit(1)) is None:
        return ["training demo skipped: the people demo is missing"]
    today = local_today()
    pos = {p.code: p.id for p in db.session.scalars(select(Position))}
    svc = {s.code: s.id for s in db.session.scalars(select(Service))}
    course = {}
    for code, name, kind, positions, service_codes, validity, mark, sop in [
        ("INIT-AGT", "Pelatihan awal agent (initial training)", "initial", ["AGENT"], [], None, "75", ""),
        ("REF-147", "Refreshment layanan 147", "refreshment", ["AGENT"], ["147"], 6, "70", ""),
        ("PROD-108", "Sosialisasi produk layanan 108", "product", ["AGENT"], ["108"], 12, "70", ""),
        ("SOP-P10", "Refresher SOP P-10 Pengelolaan layanan", "sop_refresher", [], [], 12, "70", P10),
    ]:
        course[code] = services.save_course(None, {
            "code": code, "name": name, "kind": kind, "position_ids": [pos[p] for p in positions if p in pos],
            "service_ids": [svc[s] for s in service_codes if s in svc], "validity_months": validity,
            "pass_mark": Decimal(mark), "sop_code": sop}, trainer)
    agents = list(db.session.scalars(select(Staff).where(Staff.position_id == pos.get("AGENT"), Staff.status != "ended")
                                     .order_by(Staff.employee_number)))
    # 1. The initial training of every agent (all passed), 150 days ago.
    held = today - timedelta(days=150)
    s1 = services.create_session({"course_id": course["INIT-AGT"].id, "held_on": held, "starts_at": "08:00",
                                  "ends_at": "17:00", "place": "Ruang Training Lt. 2, Malang"}, trainer)
    services.add_attendees(s1, [a.id for a in agents if a.hire_date <= held], trainer)
    for i, a in enumerate(s1.attendees):
        services.set_cell(a, "score", str(78 + (i * 7) % 20), trainer)
    _sign(s1, trainer)
    # 2. The 147 refreshment of tl's team, 170 days ago (valid 6 months: due soon); one agent failed.
    team = db.session.scalar(select(Team).join(Staff, Staff.id == Team.leader_id).where(Staff.user_id == tl_user.id)) if tl_user else None
    members = list(db.session.scalars(select(Staff).join(TeamMembership, and_(TeamMembership.staff_id == Staff.id,
                                                                              TeamMembership.ends_on.is_(None)))
                                      .where(TeamMembership.team_id == team.id, Staff.position_id == pos.get("AGENT"))
                                      .order_by(Staff.employee_number))) if team else []
    if members:
        s2 = services.create_session({"course_id": course["REF-147"].id, "held_on": today - timedelta(days=170),
                                      "starts_at": "13:00", "ends_at": "16:00", "place": "Ruang Training Lt. 2, Malang",
                                      "remarks": "Refreshment triwulan layanan 147"}, trainer)
        services.add_attendees(s2, [m.id for m in members], trainer)
        # the retaker: the last of the team who works on 147 (the refreshment is required for them)
        retaker = [m.id for m in members if any(s.code == "147" for s in m.services)][-1:]
        for i, a in enumerate(s2.attendees):
            score = "62" if a.staff_id in retaker else str(74 + (i * 5) % 20)
            services.set_cell(a, "score", score, trainer)
            if score == "62":
                services.set_cell(a, "remarks", "Belum lulus: wajib mengulang (retake)", trainer)
        _sign(s2, trainer)
    # 3. P-10's revision in force needs the SOP refresher.
    revision = db.session.scalar(select(Revision).join(Document, Document.id == Revision.document_id)
                                 .where(Document.code_key == P10, Revision.status == EFFECTIVE))
    if revision is not None:
        gate.mark_revision(revision, course["SOP-P10"], users.get("dc") or trainer)
    return [f"{len(course)} training courses, 2 signed sessions, P-10 marked for a refresher"]

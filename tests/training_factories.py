"""Factories of the training module: courses and sessions with attendees and scores; **overrides for what a test
cares about."""
from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from portal.core.db import utcnow
from portal.extensions import db
from portal.training import services
from portal.training.models import Course, TrainingSession

_seq = itertools.count(1)


def make_course(kind: str = "initial", positions: list[str] | None = ("AGENT",), services_: list | None = None,
                validity: int | None = None, pass_mark: str = "70", sop_code: str = "", **overrides) -> Course:
    from tests.people_factories import make_position

    n = next(_seq)
    course = Course(code=overrides.pop("code", f"C-{n:03d}"), name=overrides.pop("name", f"Kursus {n}"), kind=kind,
                    validity_months=validity, pass_mark=Decimal(pass_mark), sop_code=sop_code, **overrides)
    course.positions = [make_position(p) for p in (positions or [])]
    course.services = list(services_ or [])
    db.session.add(course)
    db.session.flush()
    return course


def make_session(course: Course, people: list, held_on: date = date(2026, 6, 1), scores: list[str] | None = None,
                 signed: bool = False, trainer=None) -> TrainingSession:
    """A session of `course` with these people; scores in the same order ("" leaves a cell empty, "absent")."""
    session = TrainingSession(course_id=course.id, held_on=held_on, starts_at="08:00", ends_at="12:00", place="Ruang 1",
                              trainer_id=trainer.id if trainer else None)
    db.session.add(session)
    db.session.flush()
    db.session.refresh(session)
    services.add_attendees(session, [p.id for p in people], trainer)
    for attendee, score in zip(session.attendees, scores or []):
        if score == "absent":
            services.set_cell(attendee, "attended", "no", trainer)
        elif score:
            services.set_cell(attendee, "score", score, trainer)
    if signed:
        session.signed_at, session.signed_name = utcnow(), trainer.full_name if trainer else "Trainer"
        session.signed_by_id = trainer.id if trainer else None
        db.session.flush()
    return session

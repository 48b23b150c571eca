"""The competence gate's changes: a supervisor's override (audited), the SOP revisions marked as needing training,
and the hand-off from a hire in the people module to the initial training."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from portal.core import audit
from portal.core.service import ServiceError
from portal.extensions import db
from portal.training.models import Course, GateOverride, RevisionTraining, TrainingSession


def override(staff, reason: str, until: date | None, actor) -> GateOverride:
    """Let a flagged person work although their required training or acknowledgement is missing, with a reason."""
    if not (reason or "").strip():
        raise ServiceError(_("Give the reason for the override."), "reason")
    row = GateOverride(staff_id=staff.id, reason=reason.strip(), until=until, by_id=actor.id, by_name=actor.full_name)
    db.session.add(row)
    db.session.flush()
    audit.record("training_gate.overridden", staff, new={"staff": staff.employee_number, "until": until},
                 reason=row.reason, actor=actor)
    return row


def mark_revision(revision, course: Course | None, actor) -> RevisionTraining:
    """The document controller marks an SOP revision as needing training by a course."""
    if course is None:
        raise ServiceError(_("Choose the course."), "course_id")
    row = db.session.scalar(select(RevisionTraining).where(RevisionTraining.revision_id == revision.id))
    old = {"course": row.course.code} if row else {}
    if row is None:
        row = RevisionTraining(revision_id=revision.id, course_id=course.id, marked_by_id=actor.id if actor else None)
        db.session.add(row)
    else:
        row.course_id = course.id
    db.session.flush()
    audit.record("training_revision.marked", revision, old=old,
                 new={"document": revision.document.code, "revision": revision.number, "course": course.code}, actor=actor)
    return row


def unmark_revision(revision, actor) -> None:
    row = db.session.scalar(select(RevisionTraining).where(RevisionTraining.revision_id == revision.id))
    if row is None:
        raise ServiceError(_("This revision is not marked."), "course_id")
    code = row.course.code
    db.session.delete(row)
    db.session.flush()
    audit.record("training_revision.unmarked", revision, old={"course": code},
                 new={"document": revision.document.code, "revision": revision.number}, actor=actor)


def service_check(staff, added, actor) -> None:
    """A person already on the staff is put on a service only once they passed the initial training that service
    requires of their position, unless a supervisor overrode the gate for them (a hire starts on the service they
    were recruited for, flagged until they pass)."""
    from portal.core.i18n import local_today
    from portal.training import matrix
    from portal.training.models import INITIAL

    _columns, rows = matrix.compute([staff], local_today())
    row = rows[0]
    if row.overridden:
        return
    added_ids = {s.id for s in added}
    for course, _positions, services in matrix._courses():
        if course.kind == INITIAL and course.code in row.gate and (not services or services & added_ids):
            raise ServiceError(_("%(name)s has not passed the initial training %(course)s this service requires. A "
                                 "supervisor can override the competence gate with a reason.", name=staff.full_name,
                                 course=course.code), "service_ids")


def on_hire(candidate, staff, actor) -> None:
    """A hire starts the initial training: the person joins the next open session of their position's initial
    course (or the requirement is recorded as due); until they pass it the gate flags them."""
    from portal.training import services

    course = services.initial_course_for(staff)
    if course is None:
        return
    session = db.session.scalar(select(TrainingSession).where(
        TrainingSession.course_id == course.id, TrainingSession.signed_at.is_(None),
        TrainingSession.held_on >= staff.hire_date).order_by(TrainingSession.held_on).limit(1))
    if session is not None:
        services.add_attendees(session, [staff.id], actor)
    audit.record("training.initial_due", staff, new={"staff": staff.employee_number, "course": course.code,
                                                     "session": session.id if session else None}, actor=actor)

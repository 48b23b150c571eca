"""How the training module's audit events read (sentences, object codes): see core/modules.py."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, literal, select

from portal.core.modules import AuditAction, AuditObject

ACTIONS = {
    "training_course.created": AuditAction(_l("Training course created"),
                                           _l("%(actor)s created the training course %(object)s")),
    "training_course.updated": AuditAction(_l("Training course changed"),
                                           _l("%(actor)s changed the training course %(object)s")),
    "training_session.created": AuditAction(_l("Training session created"),
                                            _l("%(actor)s scheduled the training session %(object)s")),
    "training_session.attendees_added": AuditAction(_l("Attendees added"),
                                                    _l("%(actor)s added attendees to the training session %(object)s")),
    "training_session.attendee_removed": AuditAction(
        _l("Attendee removed"), _l("%(actor)s removed an attendee from the training session %(object)s")),
    "training_attendee.updated": AuditAction(
        _l("Attendance or score recorded"),
        _l("%(actor)s recorded an attendee's attendance, score or remarks in the training session %(object)s")),
    "training_session.signed": AuditAction(_l("Training result signed"),
                                           _l("%(actor)s signed the result of the training session %(object)s")),
    "training_session.signature_refused": AuditAction(
        _l("Signature refused"), _l("The signature of %(actor)s on the training session %(object)s was refused")),
    "training_session.amended": AuditAction(
        _l("Training result reopened"),
        _l("%(actor)s reopened the signed result of the training session %(object)s for an amendment")),
    "training_certificate.printed": AuditAction(
        _l("Certificate printed"), _l("%(actor)s printed a certificate of the training session %(object)s")),
    "training_gate.overridden": AuditAction(_l("Competence gate overridden"),
                                            _l("%(actor)s overrode the competence gate for %(object)s")),
    "training_revision.marked": AuditAction(_l("Revision marked as needing training"),
                                            _l("%(actor)s marked %(object)s as needing training")),
    "training_revision.unmarked": AuditAction(_l("Revision no longer needs training"),
                                              _l("%(actor)s marked %(object)s as no longer needing training")),
    "training.initial_due": AuditAction(_l("Initial training started"),
                                        _l("The initial training of the new hire %(object)s was started")),
}


def _courses(ids):
    from portal.training.models import Course

    return select(Course.id, Course.code, literal("")).where(Course.id.in_(ids))


def _sessions(ids):
    from portal.training.models import Course, TrainingSession

    return (select(TrainingSession.id, Course.code + literal(" · ") + cast(TrainingSession.held_on, String),
                   literal(""))
            .join(Course, Course.id == TrainingSession.course_id).where(TrainingSession.id.in_(ids)))


def _kinds():
    from portal.training.labels import course_kind_labels

    return course_kind_labels()


FIELDS = {
    "course": _l("Course"), "held_on": _l("Date"), "place": _l("Place"), "attendee": _l("Attendee"),
    "attendees": _l("Attendees"), "attended": _l("Attended"), "score": _l("Score"), "passed": _l("Passed"),
    "failed": _l("Failed"), "remarks": _l("Remarks"), "signed_by": _l("Signed by"), "signed_at": _l("Signed at"),
    "by": _l("By"), "staff": _l("Employee number"), "until": _l("Valid until"), "validity_months": _l("Validity (months)"),
    "pass_mark": _l("Pass mark"), "sop_code": _l("SOP code"), "positions": _l("Positions"),
}

OBJECTS = {
    "course": AuditObject(_l("Training course"), codes=_courses, permission="training.manage", fields=FIELDS,
                          values={"kind": lambda value: _kinds().get(value)},
                          url=lambda id, code, key: url_for("training.course_edit", course_id=id)),
    "trainingsession": AuditObject(_l("Training session"), codes=_sessions, permission="training.read", fields=FIELDS,
                                   url=lambda id, code, key: url_for("training.session", session_id=id)),
}

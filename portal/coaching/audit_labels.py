"""How the coaching module's audit events read (sentences, object codes): see core/modules.py. A finding, a session
or a warning is named by the person's employee number; its page opens only for those its permissions let in."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import literal, select

from portal.core.modules import AuditAction, AuditObject

ACTIONS = {
    "finding.raised": AuditAction(_l("Finding raised"), _l("%(actor)s raised a finding (%(object)s)")),
    "finding.responded": AuditAction(_l("Response to a finding recorded"),
                                     _l("%(actor)s recorded the response to a finding (%(object)s)")),
    "coaching_session.recorded": AuditAction(_l("Coaching session recorded"),
                                             _l("%(actor)s recorded a coaching session (%(object)s)")),
    "coaching_session.acknowledged": AuditAction(_l("Coaching session acknowledged"),
                                                 _l("%(actor)s acknowledged a coaching session (%(object)s)")),
    "finding.evidence_viewed": AuditAction(_l("Evidence of a finding opened"),
                                           _l("%(actor)s opened the evidence file of a finding (%(object)s)")),
    "warning.issued": AuditAction(_l("Warning issued"), _l("%(actor)s signed and issued a warning (%(object)s)")),
    "warning.signature_refused": AuditAction(_l("Signature refused"),
                                             _l("The signature of %(actor)s on a warning for %(object)s was refused")),
    "warning.printed": AuditAction(_l("Warning letter printed"), _l("%(actor)s printed a warning letter (%(object)s)")),
}


def _of_staff(model):
    def codes(ids):
        from portal.people.models import Staff

        return (select(model.id, Staff.employee_number, literal("")).join(Staff, Staff.id == model.staff_id)
                .where(model.id.in_(ids)))
    return codes


def _findings(ids):
    from portal.coaching.models import Finding

    return _of_staff(Finding)(ids)


def _sessions(ids):
    from portal.coaching.models import CoachingSession

    return _of_staff(CoachingSession)(ids)


def _warnings(ids):
    from portal.coaching.models import Warning

    return _of_staff(Warning)(ids)


def _finding_kinds():
    from portal.coaching.labels import finding_kind_labels

    return finding_kind_labels()


FIELDS = {
    "staff": _l("Employee number"), "found_on": _l("Date found"), "rule": _l("Rule or SOP clause"),
    "response": _l("Response"), "topic": _l("Topic"), "follow_up_on": _l("Follow-up date"), "by": _l("By"),
    "level": _l("Warning level"), "issued_on": _l("Issued on"), "valid_until": _l("Valid until"),
}

OBJECTS = {
    "finding": AuditObject(_l("Finding"), codes=_findings, permission="coaching.self", fields=FIELDS,
                           values={"kind": lambda value: _finding_kinds().get(value)},
                           url=lambda id, code, key: url_for("coaching.finding", finding_id=id)),
    "coachingsession": AuditObject(_l("Coaching session"), codes=_sessions, permission="coaching.self", fields=FIELDS,
                                   url=lambda id, code, key: url_for("coaching.show", coaching_id=id)),
    "warning": AuditObject(_l("Warning"), codes=_warnings, permission="coaching.self", fields=FIELDS,
                           url=lambda id, code, key: url_for("coaching.warning", warning_id=id)),
}

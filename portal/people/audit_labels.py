"""How the people module's audit events read (sentences, object codes): see core/modules.py."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import literal, select

from portal.core.modules import AuditAction, AuditObject

ACTIONS = {
    "staff.created": AuditAction(_l("Staff added"), _l("%(actor)s added %(object)s to the staff")),
    "staff.ended": AuditAction(_l("Staff left"), _l("%(object)s left the staff")),
    "staff.moved": AuditAction(_l("Staff moved to another team"), _l("%(actor)s moved %(object)s to another team")),
    "staff_contract.added": AuditAction(_l("Employment contract added"),
                                        _l("%(actor)s registered an employment contract (%(object)s)")),
    "staff_contract.extended": AuditAction(_l("Employment contract extended"),
                                           _l("%(actor)s extended an employment contract (%(object)s)")),
    "staff_contract.document_uploaded": AuditAction(_l("Signed contract uploaded"),
                                                    _l("%(actor)s uploaded the signed contract (%(object)s)")),
    "staff_contract.document_viewed": AuditAction(_l("Signed contract viewed"),
                                                  _l("%(actor)s opened the signed contract (%(object)s)")),
    "contract_extension.proposed": AuditAction(_l("Contract extension proposed"),
                                               _l("%(actor)s evaluated a contract and recommended its future (%(object)s)")),
    "contract_extension.approved": AuditAction(_l("Contract extension decided"),
                                               _l("%(actor)s signed the decision on a contract extension (%(object)s)")),
    "contract_extension.signature_refused": AuditAction(
        _l("Signature refused"), _l("The signature of %(actor)s on a contract extension was refused (%(object)s)")),
    "team.created": AuditAction(_l("Team created"), _l("%(actor)s created the team %(object)s")),
    "team.updated": AuditAction(_l("Team changed"), _l("%(actor)s changed the team %(object)s")),
    "capacity_plan.saved": AuditAction(_l("Capacity plan saved"), _l("%(actor)s saved the capacity plan")),
    "requirement_set.created": AuditAction(_l("Position requirements entered"),
                                           _l("%(actor)s entered the requirements of a position (%(object)s)")),
    "opening.created": AuditAction(_l("Opening created"), _l("%(actor)s opened a recruitment (%(object)s)")),
    "candidate.created": AuditAction(_l("Candidate added"), _l("%(actor)s added the candidate %(object)s")),
    "candidate.experience_added": AuditAction(_l("Candidate's experience added"),
                                              _l("%(actor)s added work experience of %(object)s")),
    "candidate.results_recorded": AuditAction(_l("Test results recorded"),
                                              _l("%(actor)s recorded the test and interview results of %(object)s")),
    "candidate.screened": AuditAction(_l("Candidate screened"), _l("%(actor)s screened %(object)s")),
    "candidate.stage_changed": AuditAction(_l("Candidate's stage changed"), _l("%(actor)s moved %(object)s to another stage")),
    "candidate.hired": AuditAction(_l("Candidate hired"), _l("%(actor)s hired %(object)s")),
    "candidate_document.uploaded": AuditAction(_l("Candidate's document uploaded"),
                                               _l("%(actor)s uploaded a document of a candidate (%(object)s)")),
    "candidate_document.viewed": AuditAction(_l("Candidate's document viewed"),
                                             _l("%(actor)s opened a document of a candidate (%(object)s)")),
}


def _staff(ids):
    from portal.people.models import Staff

    return select(Staff.id, Staff.employee_number, literal("")).where(Staff.id.in_(ids))


def _teams(ids):
    from portal.people.models import Team

    return select(Team.id, Team.name, literal("")).where(Team.id.in_(ids))


def _candidates(ids):
    from portal.people.models import Candidate

    return select(Candidate.id, Candidate.full_name, literal("")).where(Candidate.id.in_(ids))


OBJECTS = {
    "staff": AuditObject(_l("Staff"), codes=_staff, permission="people.read",
                         url=lambda id, code, key: url_for("people.show", employee_no=code)),
    "team": AuditObject(_l("Team"), codes=_teams, permission="people.read",
                        url=lambda id, code, key: url_for("people.team", team_id=id)),
    "candidate": AuditObject(_l("Candidate"), codes=_candidates, permission="people.recruit",
                             url=lambda id, code, key: url_for("people.candidate", candidate_id=id)),
}

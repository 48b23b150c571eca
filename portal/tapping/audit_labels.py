"""How the tapping module's audit events read (sentences, object codes): see core/modules.py."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, literal, select

from portal.core.modules import AuditAction, AuditObject

ACTIONS = {
    "call.entered": AuditAction(_l("Call result entered"), _l("%(actor)s entered the call result %(object)s")),
    "call.assigned": AuditAction(_l("Calls assigned to a QCO"), _l("%(actor)s assigned calls for validation (%(object)s)")),
    "call.validated": AuditAction(_l("Call validated (VALID)"), _l("%(actor)s validated the call %(object)s as VALID")),
    "call.returned": AuditAction(_l("Call returned (RETURN)"), _l("%(actor)s returned the call %(object)s to the agent")),
    "call.recalled": AuditAction(_l("Recall recorded"), _l("%(actor)s recorded the recall of the call %(object)s")),
    "call.number_viewed": AuditAction(_l("Customer number viewed"),
                                      _l("%(actor)s viewed the customer number of the call %(object)s")),
    "call_import.checked": AuditAction(_l("Call results file checked"), _l("%(actor)s uploaded and checked %(object)s")),
    "call_import.imported": AuditAction(_l("Call results imported"), _l("%(actor)s imported the valid rows of %(object)s")),
    "call_import.discarded": AuditAction(_l("Call results file discarded"), _l("%(actor)s discarded %(object)s")),
    "parameter_set.created": AuditAction(_l("Assessment parameters added"),
                                         _l("%(actor)s added assessment parameters (%(object)s)")),
}


def _calls(ids):
    from portal.tapping.models import Call

    return select(Call.id, Call.recording_id, literal("")).where(Call.id.in_(ids))


def _imports(ids):
    from portal.tapping.models import CallImport

    return select(CallImport.id, CallImport.filename, literal("")).where(CallImport.id.in_(ids))


def _sets(ids):
    from portal.tapping.models import ParameterSet

    return select(ParameterSet.id, ParameterSet.document_code + literal(" Rev.") + ParameterSet.revision,
                  literal("")).where(ParameterSet.id.in_(ids))


def _find_calls(text):
    from portal.tapping.models import Call

    return select(cast(Call.id, String)).where(Call.recording_id == text.strip())


OBJECTS = {
    "call": AuditObject(_l("Call result"), codes=_calls, permission="tapping.read", find=_find_calls,
                        url=lambda id, code, key: url_for("tapping.call", call_id=id)),
    "callimport": AuditObject(_l("Call results file"), codes=_imports, permission="tapping.import"),
    "parameterset": AuditObject(_l("Assessment parameters"), codes=_sets, permission="tapping.read"),
}

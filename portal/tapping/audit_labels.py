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
    "inbound_call.entered": AuditAction(_l("Inbound call sampled"), _l("%(actor)s sampled the inbound call %(object)s for scoring")),
    "inbound_call.scored": AuditAction(_l("Inbound call scored"), _l("%(actor)s scored the inbound call %(object)s")),
    "inbound_call.number_viewed": AuditAction(_l("Customer number viewed"),
                                              _l("%(actor)s viewed the customer number of the inbound call %(object)s")),
    "calibration.opened": AuditAction(_l("Calibration round opened"), _l("%(actor)s opened the calibration round %(object)s")),
    "calibration.scored": AuditAction(_l("Calibration score given"), _l("%(actor)s scored the call of the calibration round %(object)s")),
    "calibration.closed": AuditAction(_l("Calibration round closed"), _l("%(actor)s closed the calibration round %(object)s")),
    "result.acknowledged": AuditAction(_l("Result acknowledged by the agent"),
                                       _l("%(actor)s acknowledged their result of the call %(object)s")),
    "result.disputed": AuditAction(_l("Result disputed by the agent"), _l("%(actor)s disputed their result of the call %(object)s")),
    "result.dispute_upheld": AuditAction(_l("Dispute upheld"), _l("%(actor)s upheld the agent's dispute of the call %(object)s")),
    "result.dispute_rejected": AuditAction(_l("Dispute rejected"), _l("%(actor)s rejected the agent's dispute of the call %(object)s")),
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


def _inbound(ids):
    from portal.tapping.models import InboundCall

    return select(InboundCall.id, InboundCall.recording_id, literal("")).where(InboundCall.id.in_(ids))


def _calibrations(ids):
    from portal.tapping.models import Calibration, InboundCall

    return (select(Calibration.id, InboundCall.recording_id, literal("")).join(InboundCall, InboundCall.id == Calibration.call_id)
            .where(Calibration.id.in_(ids)))


def _find_inbound(text):
    from portal.tapping.models import InboundCall

    return select(cast(InboundCall.id, String)).where(InboundCall.recording_id == text.strip())


def _find_calls(text):
    from portal.tapping.models import Call

    return select(cast(Call.id, String)).where(Call.recording_id == text.strip())


OBJECTS = {
    "call": AuditObject(_l("Call result"), codes=_calls, permission="tapping.read", find=_find_calls,
                        url=lambda id, code, key: url_for("tapping.call", call_id=id)),
    "callimport": AuditObject(_l("Call results file"), codes=_imports, permission="tapping.import"),
    "parameterset": AuditObject(_l("Assessment parameters"), codes=_sets, permission="tapping.read"),
    "inboundcall": AuditObject(_l("Inbound call"), codes=_inbound, permission="tapping.read", find=_find_inbound,
                               url=lambda id, code, key: url_for("tapping.inbound_call", inbound_id=id)),
    "calibration": AuditObject(_l("Calibration round"), codes=_calibrations, permission="tapping.calibration",
                               url=lambda id, code, key: url_for("tapping.calibration", calibration_id=id)),
}

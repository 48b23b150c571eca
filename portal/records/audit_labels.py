"""How the records module's audit events read (sentences, object codes, value labels): see core/modules.py."""
from __future__ import annotations

import re

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, func, literal, select

from portal.core.modules import AuditAction, AuditObject

ACTIONS = {
    "record.created": AuditAction(_l("Record started"), _l("%(actor)s started the record %(object)s (%(form)s)")),
    "record.draft_saved": AuditAction(_l("Draft saved"), _l("%(actor)s saved the draft of %(object)s")),
    "record.submitted": AuditAction(_l("Record submitted"), _l("%(actor)s signed and submitted %(object)s")),
    "record.approved": AuditAction(_l("Record approved"), _l("%(actor)s approved and locked %(object)s")),
    "record.returned": AuditAction(_l("Record returned"), _l("%(actor)s returned %(object)s to its author")),
    "record.amendment_opened": AuditAction(_l("Amendment opened"),
                                           _l("%(actor)s opened an amendment (version %(version)s) of %(object)s")),
    "record.discarded": AuditAction(_l("Draft record discarded"), _l("%(actor)s discarded the draft %(object)s")),
    "record.hold_placed": AuditAction(_l("Legal hold placed"), _l("%(actor)s placed a legal hold on %(object)s")),
    "record.hold_lifted": AuditAction(_l("Legal hold lifted"), _l("%(actor)s lifted the legal hold on %(object)s")),
    "record.signature_refused": AuditAction(_l("Signature refused"),
                                            _l("The signature of %(actor)s on %(object)s was refused (%(why)s)")),
    "record.archived": AuditAction(_l("Record archived as PDF"),
                                   _l("%(object)s version %(version)s was archived as PDF")),
    "record.printed": AuditAction(_l("Record printed"), _l("%(actor)s printed %(object)s (%(copy_status)s)")),
    "record.disposed": AuditAction(_l("Record disposed of"), _l("%(actor)s disposed of %(object)s")),
    "records.disposal_approved": AuditAction(
        _l("Disposal approved"), _l("%(actor)s approved %(object)s: %(records)s records destroyed (%(method)s)")),
    "records.disposal_refused": AuditAction(_l("Disposal refused"),
                                            _l("The disposal signature of %(actor)s was refused (%(why)s)")),
    "records.disposal_witnessed": AuditAction(_l("Disposal witnessed"), _l("%(actor)s signed %(object)s as witness")),
    "records.disposal_printed": AuditAction(_l("Record of destruction printed"), _l("%(actor)s printed %(object)s")),
    "contract.created": AuditAction(_l("Contract added"), _l("%(actor)s added the contract %(object)s")),
    "contract.updated": AuditAction(_l("Contract changed"), _l("%(actor)s changed the contract %(object)s")),
}

RECORD_NUMBER = re.compile(r"^R-?0*(\d{1,12})$", re.IGNORECASE)


def _records(ids):
    from portal.records.models import Record

    return select(Record.id, Record.id, literal("")).where(Record.id.in_(ids))


def _record_code(value) -> str:
    return f"R-{int(value):06d}"


def _find_records(text):
    match = RECORD_NUMBER.match(text.strip())
    if not match:
        return None
    return [str(int(match.group(1)))]


def _disposals(ids):
    from portal.records.models import Disposal

    return select(Disposal.id, Disposal.id, literal("")).where(Disposal.id.in_(ids))


def _contracts(ids):
    from portal.records.models import Contract

    return select(Contract.id, Contract.name, literal("")).where(Contract.id.in_(ids))


def _find_contracts(text):
    from portal.records.models import Contract

    return select(cast(Contract.id, String)).where(func.lower(Contract.name) == text.strip().lower())


def _record_status(value):
    from portal.records.labels import STATUS_LABELS

    return STATUS_LABELS.get(value)


RECORD_FIELDS = {"form": _l("Form"), "form_revision": _l("Form revision"), "period": _l("Period"),
                 "fields": _l("Fields changed"), "legal_hold": _l("Legal hold"), "disposal": _l("Record of destruction")}
OBJECTS = {
    "record": AuditObject(
        _l("Record"), codes=_records, code=_record_code, find=_find_records, permission="records.read",
        url=lambda id, code, key: url_for("records.show", record_id=id), fields=RECORD_FIELDS,
        values={"status": _record_status, "role": {"submitted": _l("maker"), "approved": _l("approver")}}),
    "disposal": AuditObject(
        _l("Record of destruction"), codes=_disposals, code=lambda value: _l("record of destruction no. %(n)s", n=value),
        permission="records.dispose", url=lambda id, code, key: url_for("records.disposal_record", disposal_id=id),
        fields={"witness": _l("Witness")}),
    "contract": AuditObject(
        _l("Contract (PKS)"), codes=_contracts, find=_find_contracts, permission="records.manage",
        url=lambda id, code, key: url_for("records.contract_edit", contract_id=id),
        fields={"service_id": _l("Service"), "starts_on": _l("Starts on"), "ends_on": _l("Ends on")}),
}

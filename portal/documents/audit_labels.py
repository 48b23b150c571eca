"""How the documents module's audit events read (sentences, object codes, value labels): see core/modules.py."""
from __future__ import annotations

import re

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, func, literal, or_, select

from portal.core.modules import AuditAction, AuditObject

ACTIONS = {
    "document.registered": AuditAction(_l("Document registered"), _l("%(actor)s registered the document %(object)s")),
    "document.updated": AuditAction(_l("Document changed"), _l("%(actor)s changed the settings of %(object)s")),
    "document.imported": AuditAction(_l("Document imported"),
                                     _l("%(actor)s imported %(object)s revision %(revision)s from its file")),
    "document.reviewed": AuditAction(_l("Periodic review recorded"),
                                     _l("%(actor)s recorded the periodic review of %(object)s (%(outcome)s)")),
    "document.withdrawn": AuditAction(_l("Document withdrawn"), _l("%(actor)s withdrew the document %(object)s")),
    "document.printed": AuditAction(_l("Document printed"),
                                    _l("%(actor)s printed %(object)s revision %(revision)s (%(copy_status)s)")),
    "revision.drafted": AuditAction(_l("Revision drafted"), _l("%(actor)s started the draft %(object)s")),
    "revision.edited": AuditAction(_l("Revision edited"), _l("%(actor)s edited the draft %(object)s")),
    "revision.filled": AuditAction(_l("Revision filled from its file"),
                                   _l("%(actor)s filled %(object)s from its original file")),
    "revision.file_attached": AuditAction(_l("File attached"), _l("%(actor)s attached the file %(file)s to %(object)s")),
    "revision.submitted": AuditAction(_l("Revision signed by its author"),
                                      _l("%(actor)s signed %(object)s as its author and sent it for checking")),
    "revision.checked": AuditAction(_l("Revision checked"), _l("%(actor)s checked and signed %(object)s")),
    "revision.approved": AuditAction(_l("Revision approved"), _l("%(actor)s approved and signed %(object)s")),
    "revision.returned": AuditAction(_l("Revision returned"), _l("%(actor)s returned %(object)s to its author")),
    "revision.discarded": AuditAction(_l("Draft discarded"), _l("%(actor)s discarded the draft %(object)s")),
    "revision.effective": AuditAction(_l("Revision in force"), _l("%(object)s came into force")),
    "revision.superseded": AuditAction(_l("Revision superseded"),
                                       _l("%(object)s was superseded by revision %(by)s")),
    "revision.acknowledged": AuditAction(_l("Read and acknowledged"), _l("%(actor)s read and acknowledged %(object)s")),
    "revision.signature_refused": AuditAction(_l("Signature refused"),
                                              _l("The signature of %(actor)s on %(object)s was refused (%(why)s)")),
    "revision.signer_exception": AuditAction(
        _l("Same person signed twice"), _l("%(actor)s signed %(object)s as %(role)s after signing it as %(also_signed_as)s")),
    "copy.issued": AuditAction(_l("Controlled copy issued"),
                               _l("%(actor)s issued controlled copy no. %(number)s of %(object)s to %(holder)s")),
    "copy.withdrawal_due": AuditAction(_l("Controlled copy to withdraw"),
                                       _l("Controlled copy no. %(number)s of %(object)s must be withdrawn from %(holder)s")),
    "copy.returned": AuditAction(_l("Controlled copy returned"),
                                 _l("%(actor)s confirmed the return of controlled copy no. %(number)s of %(object)s")),
    "change_request.proposed": AuditAction(_l("Change proposed"), _l("%(actor)s proposed a change to %(object)s")),
    "change_request.accepted": AuditAction(_l("Change request accepted"),
                                           _l("%(actor)s accepted the change request for %(object)s")),
    "change_request.rejected": AuditAction(_l("Change request rejected"),
                                           _l("%(actor)s rejected the change request for %(object)s")),
    "change_request.outcome_seen": AuditAction(_l("Decision read"),
                                               _l("%(actor)s read the decision on the change request for %(object)s")),
    "import.uploaded": AuditAction(_l("File uploaded for import"),
                                   _l("%(actor)s uploaded %(object)s for import (code read: %(code)s)")),
    "import.corrected": AuditAction(_l("Import corrected"), _l("%(actor)s corrected what was read from %(object)s")),
    "import.accepted": AuditAction(_l("Import accepted"),
                                   _l("%(actor)s accepted %(object)s into the register as %(document)s revision %(revision)s")),
    "import.rejected": AuditAction(_l("Import rejected"), _l("%(actor)s rejected the import %(object)s")),
}


def _documents(ids):
    from portal.documents.models import Document

    return select(Document.id, Document.code, literal("")).where(Document.id.in_(ids))


def _find_documents(text):
    from portal.documents.models import ControlledCopy, Document, Revision

    text = text.strip().lower()
    by_copy = select(Revision.document_id).join(ControlledCopy, ControlledCopy.revision_id == Revision.id).where(
        cast(ControlledCopy.number, String) == text)
    return select(cast(Document.id, String)).where(or_(func.lower(Document.code) == text, Document.id.in_(by_copy)))


def _revisions(ids):
    from portal.documents.models import Document, Revision

    return (select(Revision.id, Document.code + " rev. " + Revision.number, Document.code + "|" + Revision.number)
            .join(Document, Document.id == Revision.document_id).where(Revision.id.in_(ids)))


REVISION_CODE = re.compile(r"^(.+?)\s+rev\.?\s*(\d{1,3})$", re.IGNORECASE)


def _find_revisions(text):
    from portal.documents.models import Document, Revision

    text = text.strip()
    match = REVISION_CODE.match(text)
    code, number = (match.group(1), match.group(2)) if match else (text, None)
    stmt = select(cast(Revision.id, String)).join(Document, Document.id == Revision.document_id).where(
        func.lower(Document.code) == code.lower())
    return stmt.where(Revision.number == number) if number else stmt


def _revision_url(id, code, key):
    doc_code, _sep, number = key.rpartition("|")
    return url_for("documents.revision", code=doc_code, number=number)


def _change_requests(ids):
    from portal.documents.models import ChangeRequest, Document

    return (select(ChangeRequest.id, Document.code, literal("")).join(Document, Document.id == ChangeRequest.document_id)
            .where(ChangeRequest.id.in_(ids)))


def _find_change_requests(text):
    from portal.documents.models import ChangeRequest, Document

    return select(cast(ChangeRequest.id, String)).join(Document, Document.id == ChangeRequest.document_id).where(
        func.lower(Document.code) == text.strip().lower())


def _doc_type(value):
    from portal.documents.models import DOC_TYPES

    return DOC_TYPES.get(value)


def _revision_status(value):
    from portal.documents.labels import STATUS_LABELS

    return STATUS_LABELS.get(value)


SIGNER_ROLES = {"prepared": _l("author"), "checked": _l("checker"), "approved": _l("approver")}
DOCUMENT_FIELDS = {"doc_type": _l("Document type"), "unit": _l("Unit"), "title": _l("Title"),
                   "review_interval_months": _l("Review every (months)"), "last_reviewed_on": _l("Last reviewed on"),
                   "outcome": _l("Outcome"), "earlier_revisions": _l("Earlier revisions"), "source": _l("Source file")}
REVISION_FIELDS = {"change_request": _l("Change request"), "effective_date": _l("Effective date"),
                   "signatures": _l("Signatures voided"), "by": _l("Superseded by"), "imported": _l("Imported"),
                   "also_signed_as": _l("Also signed as")}


def _pending_imports(ids):
    from portal.documents.models import PendingImport

    return select(PendingImport.id, PendingImport.file_name, literal("")).where(PendingImport.id.in_(ids))


def _find_pending_imports(text):
    from portal.documents.models import PendingImport

    text = text.strip().lower()
    return select(cast(PendingImport.id, String)).where(or_(func.lower(PendingImport.file_name) == text,
                                                            func.lower(PendingImport.code) == text))


IMPORT_FIELDS = {"file": _l("File"), "file_sha256": "SHA-256", "format": _l("Format"), "code": _l("Code"),
                 "revision": _l("Revision"), "warnings": _l("Warnings"), "title": _l("Title"),
                 "doc_type": _l("Document type"), "effective_date": _l("Effective date"),
                 "signatures": _l("Signatures"), "sections": _l("Sections"), "document": _l("Document"),
                 "outcome": _l("Outcome")}
IMPORT_OUTCOMES = {"imported": _l("registered as the current revision"), "draft": _l("registered as a draft revision"),
                   "filled": _l("filled a revision known from the change log")}
OUTCOMES = {"no_change": _l("no change needed"), "revise": _l("to be revised")}
OBJECTS = {
    "document": AuditObject(
        _l("Document"), codes=_documents, find=_find_documents, url=lambda id, code, key: url_for("documents.show", code=code),
        fields=DOCUMENT_FIELDS, values={"doc_type": _doc_type, "outcome": OUTCOMES,
                                        "status": _revision_status}),
    "revision": AuditObject(
        _l("Revision"), codes=_revisions, find=_find_revisions, url=_revision_url, fields=REVISION_FIELDS,
        values={"status": _revision_status, "role": SIGNER_ROLES, "also_signed_as": SIGNER_ROLES}),
    "changerequest": AuditObject(
        _l("Change request"), codes=_change_requests, find=_find_change_requests,
        url=lambda id, code, key: url_for("documents.show", code=code),
        fields={"proposal": _l("Proposal"), "seen": _l("Seen")},
        values={"status": {"open": _l("open"), "accepted": _l("accepted"), "rejected": _l("rejected")}}),
    "pendingimport": AuditObject(
        _l("Import"), codes=_pending_imports, find=_find_pending_imports, permission="documents.import",
        url=lambda id, code, key: url_for("documents.import_review", import_id=id),
        fields=IMPORT_FIELDS, values={"outcome": IMPORT_OUTCOMES, "doc_type": _doc_type}),
}

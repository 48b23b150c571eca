"""The register of controlled documents: documents, revisions, signatures, reading, requests, reviews."""
from __future__ import annotations

import json
import re
from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import Service, Site, User
from portal.core.db import TimestampMixin, utcnow
from portal.extensions import db

DOC_TYPES = {
    "PM": "Manual Mutu",
    "MNOP": "Manual Operasional",
    "P": "Prosedur (SOP)",
    "W": "Instruksi Kerja",
    "F": "Formulir",
    "S": "Standar",
    "EXT": "Dokumen Eksternal",
}

# Revision lifecycle. "submitted" = prepared and signed by its author, waiting for the checker.
DRAFT, SUBMITTED, CHECKED, APPROVED, EFFECTIVE, SUPERSEDED, WITHDRAWN = (
    "draft", "submitted", "checked", "approved", "effective", "superseded", "withdrawn")
REVISION_STATUSES = [DRAFT, SUBMITTED, CHECKED, APPROVED, EFFECTIVE, SUPERSEDED, WITHDRAWN]

document_service = Table(
    "document_service",
    db.metadata,
    Column("document_id", ForeignKey("document.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("service.id", ondelete="CASCADE"), primary_key=True),
)
document_site = Table(
    "document_site",
    db.metadata,
    Column("document_id", ForeignKey("document.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", ForeignKey("site.id", ondelete="CASCADE"), primary_key=True),
)


class Document(TimestampMixin, db.Model):
    """A controlled document, identified by its code; its content lives in its revisions."""

    __tablename__ = "document"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80))
    code_key: Mapped[str] = mapped_column(String(80), unique=True)  # upper-case code, for case-insensitive lookup
    title: Mapped[str] = mapped_column(String(300))
    doc_type: Mapped[str] = mapped_column(String(10), index=True)
    unit: Mapped[str] = mapped_column(String(20), default="", index=True)
    outbound: Mapped[bool] = mapped_column(default=False)
    review_interval_months: Mapped[int] = mapped_column(default=24)
    last_reviewed_on: Mapped[date | None]
    # last_reviewed_on + the interval, kept by the ORM (below) so that the home pages count overdue reviews by index.
    # A row written without it (NULL: a bulk insert) is counted by the rule itself (queries.count_overdue_reviews).
    review_due_on: Mapped[date | None] = mapped_column(index=True)
    withdrawn_at: Mapped[datetime | None]
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")

    # Loaded when used (a list page asks for what it shows with selectinload/joinedload, never per row).
    services: Mapped[list[Service]] = relationship(secondary=document_service, order_by=Service.code)
    sites: Mapped[list[Site]] = relationship(secondary=document_site, order_by=Site.code)
    revisions: Mapped[list["Revision"]] = relationship(back_populates="document", order_by="Revision.number",
                                                       cascade="all, delete-orphan")
    links: Mapped[list["DocumentLink"]] = relationship(cascade="all, delete-orphan", order_by="DocumentLink.kind")

    def __repr__(self) -> str:
        return f"<Document {self.code}>"

    @property
    def current(self) -> "Revision | None":
        if "_listed_current" in self.__dict__:  # set by a list query that loaded the revisions in force at once
            return self.__dict__["_listed_current"]
        return next((r for r in self.revisions if r.status == EFFECTIVE), None)

    @property
    def status(self) -> str:
        if self.withdrawn_at is not None:
            return WITHDRAWN
        return EFFECTIVE if self.current else DRAFT

    @property
    def type_label(self) -> str:
        return DOC_TYPES.get(self.doc_type, self.doc_type)


class DocumentLink(db.Model):
    """A reference from a document to another by code (which need not be registered yet)."""

    __tablename__ = "document_link"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # work_instruction | form | standard | reference | application | iso
    target_code: Mapped[str] = mapped_column(String(80), default="")
    label: Mapped[str] = mapped_column(String(300), default="")

    def __repr__(self) -> str:
        return f"<DocumentLink {self.kind} {self.target_code or self.label}>"


FORM_SCHEMA_SQL = """meta_json LIKE '%"form_schema"%'"""


class Revision(db.Model):
    """One revision of a document: its content, its original file and its place in the lifecycle."""

    __tablename__ = "revision"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(12), default=DRAFT, index=True)
    effective_date: Mapped[date | None]
    change_description: Mapped[str] = mapped_column(Text, default="")
    sections_json: Mapped[str] = mapped_column(Text, default="[]")
    meta_json: Mapped[str] = mapped_column(Text, default="{}")  # references, parties, applications, ... as read or edited
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    file_name: Mapped[str] = mapped_column(String(255), default="")
    file_path: Mapped[str] = mapped_column(String(255), default="")
    file_sha256: Mapped[str] = mapped_column(String(64), default="")
    file_size: Mapped[int] = mapped_column(default=0)
    file_mime: Mapped[str] = mapped_column(String(120), default="")
    imported: Mapped[bool] = mapped_column(default=False)
    import_warnings: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    effective_since: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    # The last return to draft (by a checker or approver), shown to the author until the draft is submitted again.
    returned_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    returned_by: Mapped[str] = mapped_column(String(120), default="", server_default="")
    returned_at: Mapped[datetime | None]
    # Every change raises the version: a save made in an editor opened on an older one is refused (409).
    row_version: Mapped[int] = mapped_column(default=1, server_default="1")

    document: Mapped[Document] = relationship(back_populates="revisions")
    signatures: Mapped[list["Signature"]] = relationship(cascade="all, delete-orphan", order_by="Signature.id")
    records: Mapped[list["RecordType"]] = relationship(cascade="all, delete-orphan", order_by="RecordType.position")
    created_by: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("document_id", "number", name="uq_revision_document_number"),
        # Exactly one effective revision per document, guarded by the database itself.
        Index("uq_revision_one_effective", "document_id", unique=True,
              sqlite_where=db.text("status = 'effective'"), postgresql_where=db.text("status = 'effective'")),
        # The few revisions that carry an online form's field schema (records.services.online_forms): the list of
        # forms costs the same with 100,000 documents as with 100. The query repeats FORM_SCHEMA_SQL word for word
        # (a partial index is used only when the query's WHERE has the same condition, constants not parameters).
        Index("ix_revision_online_form", "status", "document_id",
              sqlite_where=db.text(FORM_SCHEMA_SQL), postgresql_where=db.text(FORM_SCHEMA_SQL)),
    )
    __mapper_args__ = {"version_id_col": row_version}

    def __repr__(self) -> str:
        return f"<Revision {self.document.code if self.document else self.document_id} rev {self.number} {self.status}>"

    @property
    def sections(self) -> list[dict]:
        return json.loads(self.sections_json or "[]")

    @sections.setter
    def sections(self, value: list[dict]) -> None:
        self.sections_json = json.dumps(value, ensure_ascii=False)

    @property
    def references(self) -> list[str] | None:
        """The references as this revision states them (its section "Rujukan", one per line, numbering dropped);
        None when the revision has no such section."""
        section = next((sec for sec in self.sections if str(sec.get("number")) == "1"
                        and str(sec.get("title", "")).strip().lower() in ("rujukan", "referensi", "references")), None)
        if section is None:
            return None
        lines = [re.sub(r"^\s*(\d+(\.\d+)*\.?|[-•*])\s*", "", line).strip() for line in section.get("body", "").splitlines()]
        return [line for line in lines if line]

    @property
    def meta(self) -> dict:
        return json.loads(self.meta_json or "{}")

    @meta.setter
    def meta(self, value: dict) -> None:
        self.meta_json = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)

    def signature(self, role: str) -> "Signature | None":
        return next((s for s in self.signatures if s.role == role), None)

    @property
    def editable(self) -> bool:
        return self.status == DRAFT


class Signature(db.Model):
    """An electronic signature (or one transcribed from paper by an import) on a revision."""

    __tablename__ = "signature"
    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10))  # prepared | checked | approved
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[str] = mapped_column(String(160), default="")
    signed_on: Mapped[date | None]
    signed_at: Mapped[datetime | None]
    meaning: Mapped[str] = mapped_column(String(200), default="")
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    transcribed: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (UniqueConstraint("revision_id", "role", name="uq_signature_revision_role"),)

    def __repr__(self) -> str:
        return f"<Signature {self.role} {self.name}>"


class RecordType(db.Model):
    """A row of section 10: a record the procedure produces, with its retention and owner."""

    __tablename__ = "record_type"
    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    code: Mapped[str] = mapped_column(String(80), default="")
    name: Mapped[str] = mapped_column(String(300))
    retention: Mapped[str] = mapped_column(String(80), default="")
    owner: Mapped[str] = mapped_column(String(160), default="")

    def __repr__(self) -> str:
        return f"<RecordType {self.code} {self.retention}>"


class Acknowledgement(db.Model):
    """A user's confirmation that they have read an effective revision."""

    __tablename__ = "acknowledgement"
    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    acknowledged_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("revision_id", "user_id", name="uq_acknowledgement_revision_user"),)

    def __repr__(self) -> str:
        return f"<Acknowledgement rev={self.revision_id} user={self.user_id}>"


class ChangeRequest(db.Model):
    """Anyone's proposal to change a document; the document controller accepts (new draft) or rejects it."""

    __tablename__ = "change_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    proposer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    proposal: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)  # open | accepted | rejected
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revision.id", ondelete="SET NULL"))
    seen_by_proposer: Mapped[bool] = mapped_column(default=False)

    document: Mapped[Document] = relationship()
    proposer: Mapped[User] = relationship(foreign_keys=[proposer_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    revision: Mapped[Revision | None] = relationship()

    def __repr__(self) -> str:
        return f"<ChangeRequest {self.id} {self.status}>"


class Review(db.Model):
    """A periodic review of a document, signed by its reviewer."""

    __tablename__ = "document_review"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revision.id", ondelete="SET NULL"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reviewer_name: Mapped[str] = mapped_column(String(120))
    reviewer_position: Mapped[str] = mapped_column(String(160), default="")
    reviewed_at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str] = mapped_column(String(12))  # no_change | revise
    notes: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64), default="")

    document: Mapped[Document] = relationship()

    def __repr__(self) -> str:
        return f"<Review {self.document_id} {self.outcome}>"


class ControlledCopy(db.Model):
    """A numbered paper copy of a revision issued to a site and a holder; withdrawn when the revision stops being in force."""

    __tablename__ = "controlled_copy"
    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id", ondelete="RESTRICT"), index=True)
    number: Mapped[int]
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    holder: Mapped[str] = mapped_column(String(160))
    status: Mapped[str] = mapped_column(String(16), default="issued", index=True)  # issued | withdrawal_due | returned
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawal_due_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]
    returned_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    return_note: Mapped[str] = mapped_column(String(300), default="")

    revision = relationship("Revision", lazy="joined")
    site = relationship("Site", lazy="joined")
    issued_by = relationship("User", foreign_keys=[issued_by_id])

    __table_args__ = (UniqueConstraint("revision_id", "number", name="uq_controlled_copy_revision_number"),)

    def __repr__(self) -> str:
        return f"<ControlledCopy {self.number} rev={self.revision_id} {self.status}>"


PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"


class PendingImport(db.Model):
    """An uploaded file read into a document, waiting for a person to correct, accept or reject it."""

    __tablename__ = "pending_import"
    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    file_path: Mapped[str] = mapped_column(String(255))  # the kept original, originals/<sha256>.<ext>
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_size: Mapped[int] = mapped_column(default=0)
    file_format: Mapped[str] = mapped_column(String(10))  # docx | pdf | odt | txt | md
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # None: the command line
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    code: Mapped[str] = mapped_column(String(80), default="")  # the code read (or corrected), for the list
    revision_number: Mapped[str] = mapped_column(String(4), default="")
    parsed_json: Mapped[str] = mapped_column(Text, default="{}")  # the ParsedDocument, as read then corrected
    source_text: Mapped[str] = mapped_column(Text, default="")  # the text extracted from the file (bounded)
    source_truncated: Mapped[bool] = mapped_column(default=False)
    warnings_json: Mapped[str] = mapped_column(Text, default="[]")  # the warnings now (recomputed at each save)
    # The warnings as read: [{"field": ..., "value": what was read, "text": ...}]; one stays while its field is unchanged.
    read_warnings_json: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    page_image: Mapped[str] = mapped_column(String(255), default="", server_default="")  # originals/<sha>.page1.png
    status: Mapped[str] = mapped_column(String(10), default=PENDING, index=True)  # pending | accepted | rejected
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(12), default="")  # the importer's result: imported | draft | filled
    outcome_message: Mapped[str] = mapped_column(Text, default="")
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revision.id", ondelete="SET NULL"))

    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    revision: Mapped[Revision | None] = relationship()

    def __repr__(self) -> str:
        return f"<PendingImport {self.id} {self.file_name} {self.status}>"

    @property
    def warnings(self) -> list[str]:
        return json.loads(self.warnings_json or "[]")

    @warnings.setter
    def warnings(self, value: list[str]) -> None:
        self.warnings_json = json.dumps(list(value), ensure_ascii=False)


def _keep_review_due(_mapper, _connection, doc: Document) -> None:
    from portal.documents.services import add_months

    try:
        doc.review_due_on = (add_months(doc.last_reviewed_on, doc.review_interval_months or 0)
                             if doc.last_reviewed_on is not None else None)
    except (ValueError, OverflowError):  # beyond the calendar: never due
        doc.review_due_on = None


event.listen(Document, "before_insert", _keep_review_due)
event.listen(Document, "before_update", _keep_review_due)

"""Records: one filled form, bound to the form revision it was filled on; its signatures, versions and disposal."""
from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import Service, Site, User
from portal.core.db import TimestampMixin, utcnow
from portal.extensions import db

DRAFT, SUBMITTED, APPROVED, DISPOSED = "draft", "submitted", "approved", "disposed"
RECORD_STATUSES = [DRAFT, SUBMITTED, APPROVED, DISPOSED]


class Contract(TimestampMixin, db.Model):
    """A client contract ("PKS"): records kept "Selama PKS" are kept until it ends."""

    __tablename__ = "contract"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"), index=True)  # None: every service
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]  # None: still running, end not known

    service: Mapped[Service | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Contract {self.name} until {self.ends_on}>"


class Disposal(db.Model):
    """A record of destruction ("berita acara pemusnahan"): which records were disposed of, when, by whose approval."""

    __tablename__ = "disposal"
    id: Mapped[int] = mapped_column(primary_key=True)
    approved_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    approved_by_name: Mapped[str] = mapped_column(String(120))
    approved_by_position: Mapped[str] = mapped_column(String(160), default="")
    approved_at: Mapped[datetime] = mapped_column(default=utcnow)
    method: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    manifest_json: Mapped[str] = mapped_column(Text, default="[]")
    # The witness ("saksi") who signed the record of destruction with their own password (NULL before witnesses).
    witness_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    witness_name: Mapped[str] = mapped_column(String(120), default="")
    witness_position: Mapped[str] = mapped_column(String(160), default="")
    witnessed_at: Mapped[datetime | None]

    approved_by: Mapped[User] = relationship(foreign_keys=[approved_by_id])

    @property
    def manifest(self) -> list[dict]:
        return json.loads(self.manifest_json or "[]")

    def __repr__(self) -> str:
        return f"<Disposal {self.id} ({len(self.manifest)} records)>"


def record_number(record_id: int) -> str:
    """A record's reference as printed: R-000123."""
    return f"R-{record_id:06d}"


class Record(TimestampMixin, db.Model):
    """One filled form. Draft -> submitted -> approved (locked); an amendment opens a new version."""

    __tablename__ = "record"
    id: Mapped[int] = mapped_column(primary_key=True)
    form_document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="RESTRICT"), index=True)
    form_revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id", ondelete="RESTRICT"), index=True)
    form_code: Mapped[str] = mapped_column(String(80), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"), index=True)
    period_start: Mapped[date] = mapped_column()  # indexed with the id: ix_record_period (the list's order)
    period_end: Mapped[date]
    status: Mapped[str] = mapped_column(String(12), default=DRAFT, index=True)
    version: Mapped[int] = mapped_column(default=1)
    data_json: Mapped[str] = mapped_column(Text, default="{}")
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    amendment_reason: Mapped[str] = mapped_column(Text, default="")
    return_reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    submitted_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    retention_text: Mapped[str] = mapped_column(String(80), default="")
    # The first day it may be disposed of when the retention is a fixed period ("2 Tahun": known from the text and the
    # period's end), kept by the ORM (below) so that the home page counts records past retention by index. NULL for
    # "Selama PKS" (it follows the contract) and for rows written without it: those are counted by the rule itself.
    disposal_due_on: Mapped[date | None]
    legal_hold: Mapped[bool] = mapped_column(default=False)
    hold_reason: Mapped[str] = mapped_column(Text, default="")
    disposed_at: Mapped[datetime | None]
    disposal_id: Mapped[int | None] = mapped_column(ForeignKey("disposal.id"))

    form_document = relationship("Document", lazy="joined")
    form_revision = relationship("Revision", lazy="joined")
    site: Mapped[Site] = relationship(lazy="joined")
    service: Mapped[Service | None] = relationship(lazy="joined")
    created_by: Mapped[User] = relationship(lazy="joined", foreign_keys=[created_by_id])
    signatures: Mapped[list["RecordSignature"]] = relationship(cascade="all, delete-orphan", order_by="RecordSignature.id")
    versions: Mapped[list["RecordVersion"]] = relationship(cascade="all, delete-orphan", order_by="RecordVersion.version")

    # Every change raises the version: a save made on an older one is refused (409) instead of overwriting.
    row_version: Mapped[int] = mapped_column(default=1, server_default="1")

    __table_args__ = (Index("ix_record_form_period", "form_code", "period_start"),
                      Index("ix_record_period", "period_start", "id"),
                      Index("ix_record_disposal_due", "status", "disposal_due_on"),
                      # The list filtered by status, in its order: 50 rows read, not every approved record sorted.
                      Index("ix_record_status_period", "status", "period_start", "id"))
    __mapper_args__ = {"version_id_col": row_version}

    def __repr__(self) -> str:
        return f"<Record {self.id} {self.form_code} v{self.version} {self.status}>"

    @property
    def data(self) -> dict:
        return json.loads(self.data_json or "{}")

    @data.setter
    def data(self, value: dict) -> None:
        self.data_json = self.dump_data(value)

    @staticmethod
    def dump_data(value: dict) -> str:
        """The stored text of a record's data."""
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    @property
    def number(self) -> str:
        """The record's reference as printed: R-000123."""
        return record_number(self.id)

    def signature(self, role: str, version: int | None = None) -> "RecordSignature | None":
        version = version or self.version
        return next((s for s in self.signatures if s.role == role and s.version == version), None)

    @property
    def locked(self) -> bool:
        return self.status in (APPROVED, DISPOSED)


class RecordSignature(db.Model):
    """An electronic signature on one version of a record: submitted (by its author) or approved."""

    __tablename__ = "record_signature"
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    role: Mapped[str] = mapped_column(String(10))  # submitted | approved
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[str] = mapped_column(String(160), default="")
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    meaning: Mapped[str] = mapped_column(String(200), default="")
    content_hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("record_id", "version", "role", name="uq_record_signature_version_role"),)

    def __repr__(self) -> str:
        return f"<RecordSignature {self.role} v{self.version} {self.name}>"


class RecordVersion(db.Model):
    """A locked version of a record, kept for ever (until disposal keeps only its stub)."""

    __tablename__ = "record_version"
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    data_json: Mapped[str] = mapped_column(Text, default="{}")
    content_hash: Mapped[str] = mapped_column(String(64))
    amendment_reason: Mapped[str] = mapped_column(Text, default="")
    approved_at: Mapped[datetime]
    pdf_path: Mapped[str] = mapped_column(String(255), default="")  # the PDF/A archived at approval
    pdf_sha256: Mapped[str] = mapped_column(String(64), default="")

    __table_args__ = (UniqueConstraint("record_id", "version", name="uq_record_version"),)

    @property
    def data(self) -> dict:
        return json.loads(self.data_json or "{}")

    def __repr__(self) -> str:
        return f"<RecordVersion {self.record_id} v{self.version}>"


def fixed_disposal_date(retention_text: str | None, period_end: date | None) -> date | None:
    """The stored disposal date: for a fixed retention period only (a contract's end can still move)."""
    from portal.records import retention

    rule = retention.parse(retention_text)
    if rule.kind != "fixed" or period_end is None:
        return None
    return retention.disposal_date(rule, period_end, None)


def _keep_disposal_due(_mapper, _connection, record: Record) -> None:
    record.disposal_due_on = fixed_disposal_date(record.retention_text, record.period_end)


event.listen(Record, "before_insert", _keep_disposal_due)
event.listen(Record, "before_update", _keep_disposal_due)

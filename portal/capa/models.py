"""Nonconformities and corrective actions (ISO 9001:2015 8.7, 10.2): the register of NCs with where they were found,
their containment and correction, the root cause (5-why and fishbone as data), the corrective actions with their
owners, evidence files and links, the effectiveness checks (history kept), and the ISO clause evidence packs."""
from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import Service, Site, User
from portal.core.db import utcnow
from portal.extensions import db

# Where an NC was found (the list); `source` is one of these, `source_kind`/`source_ref` the registry entry
# (capa/links.py) it was opened from, when it was opened "in one click".
SOURCES = ["tapping", "mystery_shopping", "product_test", "procedure_test", "behaviour_test", "kpi", "internal_audit",
           "external_audit", "complaint"]
MINOR, MAJOR, OBSERVATION = "minor", "major", "observation"
CLASSIFICATIONS = [MAJOR, MINOR, OBSERVATION]
# open -> analysed (root cause) -> actions (in progress) -> verifying (waiting for the effectiveness check) -> closed;
# an ineffective check: reopened (the actions are open again), then verifying again once they are done.
OPEN, ANALYSED, ACTIONS, VERIFYING, CLOSED, REOPENED = "open", "analysed", "actions", "verifying", "closed", "reopened"
STATUSES = [OPEN, ANALYSED, ACTIONS, VERIFYING, REOPENED, CLOSED]
FISHBONE = ["man", "method", "machine", "material", "measurement", "environment"]
ACTION_OPEN, ACTION_DONE, ACTION_REOPENED = "open", "done", "reopened"
EFFECTIVE, INEFFECTIVE, PENDING = "effective", "ineffective", "pending"
MANUAL = "manual"
CLAUSES = ["7.5", "8.5", "8.7", "9.1", "10.2"]


class Nonconformity(db.Model):
    """One nonconformity: numbered NC-<year>-<seq> (a sequence per year of the date it was found)."""

    __tablename__ = "capa_nc"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    year: Mapped[int]
    seq: Mapped[int]
    source: Mapped[str] = mapped_column(String(20))
    source_kind: Mapped[str] = mapped_column(String(20), default="")
    source_ref: Mapped[str] = mapped_column(String(120), default="")
    evidence_json: Mapped[str] = mapped_column(Text, default="[]")  # [[label, url], ...] carried from the source
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    found_on: Mapped[date]
    month: Mapped[date]  # the first day of found_on's month (the trends group by it)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"), index=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"), index=True)
    process: Mapped[str] = mapped_column(String(200), default="")
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id", ondelete="SET NULL"), index=True)
    document_code: Mapped[str] = mapped_column(String(80), default="")  # kept as written, also when the row goes
    clause: Mapped[str] = mapped_column(String(300), default="")
    classification: Mapped[str] = mapped_column(String(12))
    containment: Mapped[str] = mapped_column(Text, default="")
    containment_on: Mapped[date | None]
    correction: Mapped[str] = mapped_column(Text, default="")
    correction_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(12), default=OPEN, index=True)
    whys_json: Mapped[str] = mapped_column(Text, default="[]")  # [[why, answer], ...] up to five
    fishbone_json: Mapped[str] = mapped_column(Text, default="{}")  # category -> text
    root_cause: Mapped[str] = mapped_column(Text, default="")  # the conclusion
    check_due: Mapped[date | None]
    check_kind: Mapped[str] = mapped_column(String(20), default=MANUAL)
    check_params_json: Mapped[str] = mapped_column(Text, default="{}")
    check_criterion: Mapped[str] = mapped_column(Text, default="")  # the criterion in words
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    raised_name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    reopened: Mapped[int] = mapped_column(default=0)  # how many checks found the actions ineffective

    site: Mapped[Site | None] = relationship()
    service: Mapped[Service | None] = relationship()
    document = relationship("Document")
    actions: Mapped[list["Action"]] = relationship(back_populates="nc", order_by="Action.id", cascade="all, delete-orphan")
    checks: Mapped[list["Check"]] = relationship(order_by="Check.id", cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("year", "seq", name="uq_capa_nc_year_seq"),
                      Index("ix_capa_nc_month", "month", "source", "classification"))

    def __repr__(self) -> str:
        return f"<Nonconformity {self.number} {self.status}>"

    @property
    def evidence(self) -> list[list[str]]:
        return json.loads(self.evidence_json or "[]")

    @property
    def whys(self) -> list[list[str]]:
        return json.loads(self.whys_json or "[]")

    @property
    def fishbone(self) -> dict:
        return json.loads(self.fishbone_json or "{}")

    @property
    def check_params(self) -> dict:
        return json.loads(self.check_params_json or "{}")


class Action(db.Model):
    """A corrective action: what, who owns it, by when; done with a note, evidence files and links."""

    __tablename__ = "capa_action"
    id: Mapped[int] = mapped_column(primary_key=True)
    nc_id: Mapped[int] = mapped_column(ForeignKey("capa_nc.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    due_on: Mapped[date] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(10), default=ACTION_OPEN, index=True)
    done_at: Mapped[datetime | None]
    done_note: Mapped[str] = mapped_column(Text, default="")
    links_json: Mapped[str] = mapped_column(Text, default="[]")  # [{kind, ref, label}]: a record, document, revision
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    nc: Mapped[Nonconformity] = relationship(back_populates="actions")
    owner: Mapped[User] = relationship()
    attachments: Mapped[list["Attachment"]] = relationship(order_by="Attachment.id", cascade="all, delete-orphan")

    @property
    def links(self) -> list[dict]:
        return json.loads(self.links_json or "[]")

    @property
    def is_open(self) -> bool:
        return self.status != ACTION_DONE


class Attachment(db.Model):
    """An evidence file of an action (PDF, JPEG, PNG, XLSX or DOCX by content), kept under capa/."""

    __tablename__ = "capa_attachment"
    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("capa_action.id", ondelete="CASCADE"), index=True)
    file_path: Mapped[str] = mapped_column(String(200))
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(default=0)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Check(db.Model):
    """One reading of the effectiveness check: effective, ineffective or pending (an automatic criterion not yet
    decided), by whom (none: the portal's scheduled reading) and why. Never changed once written."""

    __tablename__ = "capa_check"
    id: Mapped[int] = mapped_column(primary_key=True)
    nc_id: Mapped[int] = mapped_column(ForeignKey("capa_nc.id", ondelete="CASCADE"), index=True)
    result: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(20), default=MANUAL)
    note: Mapped[str] = mapped_column(Text, default="")
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    verified_name: Mapped[str] = mapped_column(String(120), default="")
    verified_at: Mapped[datetime] = mapped_column(default=utcnow)


class EvidencePack(db.Model):
    """An ISO clause evidence pack: a ZIP built in the background with a manifest of SHA-256 hashes."""

    __tablename__ = "capa_evidence_pack"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    clause: Mapped[str] = mapped_column(String(8))
    period_from: Mapped[date]
    period_to: Mapped[date]
    status: Mapped[str] = mapped_column(String(10), default="queued")
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    file_path: Mapped[str] = mapped_column(String(255), default="")
    file_name: Mapped[str] = mapped_column(String(255), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

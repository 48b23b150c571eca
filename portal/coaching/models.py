"""Coaching and discipline: findings, coaching sessions, warning levels (data) and warnings, escalation rules (data)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.db import utcnow
from portal.extensions import db
from portal.people.models import Staff

INDISCIPLINE, VIOLATION, LATE_LOGIN, QUALITY = "indiscipline", "violation", "late_login", "quality"
FINDING_KINDS = [INDISCIPLINE, VIOLATION, LATE_LOGIN, QUALITY]


class Finding(db.Model):
    """A finding against a person (F-03 "Ketidakdisiplinan dan Pelanggaran Tata Tertib"): what, when, which rule,
    the evidence and the person's response."""

    __tablename__ = "coaching_finding"
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    found_on: Mapped[date] = mapped_column(index=True)
    rule: Mapped[str] = mapped_column(String(200), default="")  # the rule or SOP clause
    description: Mapped[str] = mapped_column(Text, default="")
    evidence_link: Mapped[str] = mapped_column(String(300), default="")  # a record (F-03) or tapping result
    # An attached file (a screenshot, a scanned F-03): PDF, JPEG or PNG, kept under findings/ in the documents store.
    evidence_file_path: Mapped[str] = mapped_column(String(200), default="")
    evidence_file_name: Mapped[str] = mapped_column(String(255), default="")
    evidence_file_sha256: Mapped[str] = mapped_column(String(64), default="")
    response: Mapped[str] = mapped_column(Text, default="")  # the person's response
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    raised_name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    staff: Mapped[Staff] = relationship(lazy="joined")


class CoachingSession(db.Model):
    """Who coached whom, when, on what, the agreed actions and a follow-up date; the person acknowledges it."""

    __tablename__ = "coaching_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    coach_name: Mapped[str] = mapped_column(String(120), default="")
    held_on: Mapped[date] = mapped_column(index=True)
    topic: Mapped[str] = mapped_column(String(200))
    actions: Mapped[str] = mapped_column(Text, default="")
    follow_up_on: Mapped[date | None]
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("coaching_finding.id"))
    acknowledged_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    staff: Mapped[Staff] = relationship(lazy="joined")


class WarningLevel(db.Model):
    """A warning level as data: teguran lisan, SP1, SP2, SP3, with its validity and who may issue it."""

    __tablename__ = "coaching_warning_level"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    rank: Mapped[int] = mapped_column(default=0)
    validity_months: Mapped[int] = mapped_column(default=6)
    issuer_roles: Mapped[str] = mapped_column(String(120), default="spv")  # comma-separated portal roles

    @property
    def roles(self) -> set[str]:
        return {r.strip() for r in self.issuer_roles.split(",") if r.strip()}


class Warning(db.Model):
    """A warning given to a person, signed electronically by the issuer; valid from a day for the level's months."""

    __tablename__ = "coaching_warning"
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    level_id: Mapped[int] = mapped_column(ForeignKey("coaching_warning_level.id"))
    issued_on: Mapped[date]
    valid_until: Mapped[date] = mapped_column(index=True)  # the last valid day
    reason: Mapped[str] = mapped_column(Text)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    issued_name: Mapped[str] = mapped_column(String(120), default="")
    issued_position: Mapped[str] = mapped_column(String(120), default="")
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    number: Mapped[str] = mapped_column(String(40), default="")

    staff: Mapped[Staff] = relationship(lazy="joined")
    level: Mapped[WarningLevel] = relationship(lazy="joined")

    def valid_on(self, day: date) -> bool:
        return self.issued_on <= day <= self.valid_until


class EscalationRule(db.Model):
    """As data: `count` findings of `kind` within `days` propose the next warning level; the supervisor decides."""

    __tablename__ = "coaching_escalation_rule"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    count: Mapped[int] = mapped_column(default=3)
    days: Mapped[int] = mapped_column(default=30)
    active: Mapped[bool] = mapped_column(default=True)

"""Training: courses as data, sessions with their attendees (attendance, score, pass/fail, the trainer's
signature), SOP revisions marked as needing training, competence gate overrides."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, Numeric, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import Service, User
from portal.core.db import TimestampMixin, utcnow
from portal.extensions import db
from portal.people.models import Position, Staff

INITIAL, REFRESHMENT, PRODUCT, SOP_REFRESHER = "initial", "refreshment", "product", "sop_refresher"
COURSE_KINDS = [INITIAL, REFRESHMENT, PRODUCT, SOP_REFRESHER]

CURRENT, DUE_SOON, OVERDUE, MISSING = "current", "due_soon", "overdue", "missing"
DUE_SOON_DAYS = 30  # an item expiring within this many days is "due soon"

course_position = Table(
    "training_course_position", db.metadata,
    Column("course_id", ForeignKey("training_course.id", ondelete="CASCADE"), primary_key=True),
    Column("position_id", ForeignKey("position.id", ondelete="CASCADE"), primary_key=True),
)
course_service = Table(
    "training_course_service", db.metadata,
    Column("course_id", ForeignKey("training_course.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("service.id", ondelete="CASCADE"), primary_key=True),
)


class Course(TimestampMixin, db.Model):
    """A course: what it teaches, who must have it (positions, services), how long a pass is valid, the pass mark."""

    __tablename__ = "training_course"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(20), default=INITIAL)
    validity_months: Mapped[int | None]  # None: a pass never expires
    pass_mark: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("70"))
    sop_code: Mapped[str] = mapped_column(String(80), default="")  # the controlled document it teaches, if any
    active: Mapped[bool] = mapped_column(default=True)

    positions: Mapped[list[Position]] = relationship(secondary=course_position, order_by=Position.sort_order)
    services: Mapped[list[Service]] = relationship(secondary=course_service, order_by=Service.code)

    def __repr__(self) -> str:
        return f"<Course {self.code}>"


class TrainingSession(TimestampMixin, db.Model):
    """One run of a course: trainer, date and time, place, attendees; signed by the trainer, then locked."""

    __tablename__ = "training_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_course.id"), index=True)
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    held_on: Mapped[date] = mapped_column(index=True)
    starts_at: Mapped[str] = mapped_column(String(5), default="08:00")  # local time HH:MM
    ends_at: Mapped[str] = mapped_column(String(5), default="17:00")
    place: Mapped[str] = mapped_column(String(160), default="")
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"), index=True)
    remarks: Mapped[str] = mapped_column(Text, default="")
    signed_at: Mapped[datetime | None]
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    signed_name: Mapped[str] = mapped_column(String(120), default="")
    version: Mapped[int] = mapped_column(default=1)  # raised by every amendment

    course: Mapped[Course] = relationship(lazy="joined")
    trainer: Mapped[User | None] = relationship(foreign_keys=[trainer_id], lazy="joined")
    attendees: Mapped[list["Attendee"]] = relationship(back_populates="session", cascade="all, delete-orphan",
                                                       order_by="Attendee.id")

    @property
    def locked(self) -> bool:
        return self.signed_at is not None

    def __repr__(self) -> str:
        return f"<TrainingSession {self.id} {self.course_id} {self.held_on}>"


class Attendee(db.Model):
    """A person on a session's list: attended or not, the score, the result computed from the course's pass mark."""

    __tablename__ = "training_attendee"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    attended: Mapped[bool | None]
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    passed: Mapped[bool | None]
    remarks: Mapped[str] = mapped_column(String(300), default="")

    session: Mapped[TrainingSession] = relationship(back_populates="attendees")
    staff: Mapped[Staff] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("session_id", "staff_id", name="uq_training_attendee_session_staff"),)

    def __repr__(self) -> str:
        return f"<Attendee {self.session_id} {self.staff_id} {self.passed}>"


class RevisionTraining(db.Model):
    """A revision of an SOP the document controller marked as needing training: everyone it applies to must pass
    the course on or after the revision became effective."""

    __tablename__ = "training_revision"
    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id", ondelete="CASCADE"), unique=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_course.id"), index=True)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship(lazy="joined")


class GateOverride(db.Model):
    """A supervisor lets a person work on a service although the competence gate flags them (with the reason)."""

    __tablename__ = "training_gate_override"
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    until: Mapped[date | None]
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    by_name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

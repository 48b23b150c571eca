"""Roster and attendance: shifts and operating hours per service (data), a team's month of shifts (draft, then
published and locked, changed one by one with a reason), and what happened (check-in, check-out, absence)."""
from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import Service
from portal.core.db import utcnow
from portal.core.workdays import CompanyDayOff  # noqa: F401  (the calendar's table is created with the module)
from portal.extensions import db
from portal.people.models import Staff, Team

DRAFT, PUBLISHED = "draft", "published"
SICK, PERMISSION, LEAVE, UNEXCUSED, DUTY = "sick", "permission", "leave", "unexcused", "duty"
ABSENCE_REASONS = [SICK, PERMISSION, LEAVE, UNEXCUSED, DUTY]
SWAP, SICK_REPLACEMENT, OTHER = "swap", "sick_replacement", "other"
CHANGE_KINDS = [SWAP, SICK_REPLACEMENT, OTHER]


class ServiceHours(db.Model):
    """A service's operating hours (None: around the clock), its days (seven a week unless said) and the minutes
    of tolerance before a check-in is late or a check-out early."""

    __tablename__ = "roster_service_hours"
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), unique=True)
    opens: Mapped[time | None]
    closes: Mapped[time | None]
    late_tolerance: Mapped[int] = mapped_column(default=5)  # minutes
    early_tolerance: Mapped[int] = mapped_column(default=5)

    service: Mapped[Service] = relationship(lazy="joined")

    @property
    def around_the_clock(self) -> bool:
        return self.opens is None or self.closes is None

    def __repr__(self) -> str:
        return f"<ServiceHours {self.service_id} {self.opens}-{self.closes}>"


class Shift(db.Model):
    """A shift of a service: code (what the grid shows), start, end (before the start: it ends the next day) and
    the minutes of break inside it."""

    __tablename__ = "roster_shift"
    __table_args__ = (UniqueConstraint("service_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    code: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(80), default="")
    starts: Mapped[time]
    ends: Mapped[time]
    break_minutes: Mapped[int] = mapped_column(default=60)
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def crosses_midnight(self) -> bool:
        return self.ends <= self.starts

    def start_on(self, day: date) -> datetime:
        """The local (naive) start of this shift on a rostered day."""
        return datetime.combine(day, self.starts)

    def end_on(self, day: date) -> datetime:
        """The local (naive) end: the next day when the shift crosses midnight."""
        return datetime.combine(day + timedelta(days=1) if self.crosses_midnight else day, self.ends)

    @property
    def hours(self) -> float:
        minutes = (self.end_on(date(2000, 1, 1)) - self.start_on(date(2000, 1, 1))).seconds // 60 - self.break_minutes
        return round(minutes / 60, 2)

    def __repr__(self) -> str:
        return f"<Shift {self.code} {self.starts}-{self.ends}>"


class RosterMonth(db.Model):
    """A team's roster of one month: a draft the team leader plans, published (signed by the supervisor, locked)."""

    __tablename__ = "roster_month"
    __table_args__ = (UniqueConstraint("team_id", "month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    month: Mapped[date]  # the first day
    status: Mapped[str] = mapped_column(String(12), default=DRAFT)
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    published_name: Mapped[str] = mapped_column(String(120), default="")
    published_position: Mapped[str] = mapped_column(String(120), default="")
    published_json: Mapped[str] = mapped_column(Text, default="{}")  # the version signed: {staff id: {day: code}}
    # The month's F-02 record in the records module (no foreign key: a record is disposed of after its retention).
    f02_record_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    team: Mapped[Team] = relationship(lazy="joined")

    @property
    def published(self) -> dict[str, dict[str, str]]:
        return json.loads(self.published_json or "{}")

    @property
    def is_published(self) -> bool:
        return self.status == PUBLISHED

    def __repr__(self) -> str:
        return f"<RosterMonth team={self.team_id} {self.month:%Y-%m} {self.status}>"


class RosterEntry(db.Model):
    """One person's shift on one day (no row: not rostered, a day off)."""

    __tablename__ = "roster_entry"
    __table_args__ = (UniqueConstraint("staff_id", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    month_id: Mapped[int] = mapped_column(ForeignKey("roster_month.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    day: Mapped[date] = mapped_column(index=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("roster_shift.id"))

    shift: Mapped[Shift] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<RosterEntry {self.staff_id} {self.day} {self.shift_id}>"


class RosterChange(db.Model):
    """A change to a published roster, one cell at a time, with its reason (swap, sick replacement...)."""

    __tablename__ = "roster_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    month_id: Mapped[int] = mapped_column(ForeignKey("roster_month.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    day: Mapped[date]
    old_code: Mapped[str] = mapped_column(String(10), default="")
    new_code: Mapped[str] = mapped_column(String(10), default="")
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    by_name: Mapped[str] = mapped_column(String(120), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    staff: Mapped[Staff] = relationship(lazy="joined")


class Attendance(db.Model):
    """What happened on a rostered (or unrostered) day: check-in and check-out (UTC, with the address they came
    from and who recorded them), or an absence with its reason."""

    __tablename__ = "roster_attendance"
    __table_args__ = (UniqueConstraint("staff_id", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    day: Mapped[date] = mapped_column(index=True)  # the rostered day (a night shift's check-out falls on the next)
    check_in: Mapped[datetime | None]
    check_out: Mapped[datetime | None]
    in_address: Mapped[str] = mapped_column(String(64), default="")
    out_address: Mapped[str] = mapped_column(String(64), default="")
    source: Mapped[str] = mapped_column(String(10), default="self")  # self | tl | import
    absence: Mapped[str] = mapped_column(String(12), default="")
    absence_note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    staff: Mapped[Staff] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Attendance {self.staff_id} {self.day} in={self.check_in} absence={self.absence!r}>"

"""Performance monitoring (P-10): KPI definitions per service as data, readings (entered, imported from the
contact-center system's CSV export, or computed by the portal), recovery plans with their steps and the team
leaders who acknowledge them, CSV files between their check and their import, and the supervisor's daily analysis
(F-05) of a service's day with its HK+3 due date."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import Service, User
from portal.core.db import utcnow
from portal.extensions import db

# where a KPI's readings come from
MANUAL, IMPORTED = "manual", "imported"
TAPPING_QVS, PEOPLE_STAFFING, ROSTER_COMPLIANCE = "tapping_qvs", "people_staffing", "roster_compliance"
COMPUTED = [TAPPING_QVS, PEOPLE_STAFFING, ROSTER_COMPLIANCE]
SOURCES = [MANUAL, IMPORTED, *COMPUTED]
INTERVAL, DAY, MONTH = "interval", "day", "month"
PERIODS = [INTERVAL, DAY, MONTH]

# recovery plan states
PROPOSED, APPROVED, DISTRIBUTED, CLOSED, REJECTED = "proposed", "approved", "distributed", "closed", "rejected"
PLAN_STATES = [PROPOSED, APPROVED, DISTRIBUTED, CLOSED, REJECTED]
ACHIEVED, PARTLY, NOT_ACHIEVED = "achieved", "partly", "not_achieved"
OUTCOMES = [ACHIEVED, PARTLY, NOT_ACHIEVED]


class Kpi(db.Model):
    """A KPI of a service: what is measured (formula or source), its unit, its target and which way is better, the
    period it is read over, and who owns it (a role, or a named person)."""

    __tablename__ = "monitoring_kpi"
    __table_args__ = (UniqueConstraint("service_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    formula: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(20), default=IMPORTED)
    unit: Mapped[str] = mapped_column(String(10), default="%")
    target: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    higher_is_better: Mapped[bool] = mapped_column(default=True)
    period: Mapped[str] = mapped_column(String(10), default=DAY)
    owner_role: Mapped[str] = mapped_column(String(20), default="spv")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    service: Mapped[Service] = relationship(lazy="joined")
    owner: Mapped[User | None] = relationship(lazy="joined")

    def met(self, value, target=None) -> bool | None:
        """Whether a value meets the target (None when there is no value)."""
        if value is None:
            return None
        target = self.target if target is None else target
        return Decimal(value) >= Decimal(target) if self.higher_is_better else Decimal(value) <= Decimal(target)

    @property
    def computed(self) -> bool:
        return self.source in COMPUTED

    def __repr__(self) -> str:
        return f"<Kpi {self.code} service={self.service_id}>"


class Reading(db.Model):
    """One value of a KPI over one period: an interval (starts_at: its start, local time), a day or a month (its
    first day at 00.00). `volume` is the calls offered in the period when the source gives it (the weight of the
    reading in a day's or month's figure); `target` is the target in force when it was read."""

    __tablename__ = "monitoring_reading"
    __table_args__ = (UniqueConstraint("kpi_id", "period", "starts_at", name="uq_monitoring_reading_period"),
                      Index("ix_monitoring_reading_kpi_day", "kpi_id", "day"))
    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("monitoring_kpi.id"))
    period: Mapped[str] = mapped_column(String(10))
    starts_at: Mapped[datetime]
    day: Mapped[date]
    value: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    target: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    volume: Mapped[int | None]
    source: Mapped[str] = mapped_column(String(10), default="manual")  # manual | import | computed
    import_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_import.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)

    kpi: Mapped[Kpi] = relationship(lazy="joined")

    @property
    def met(self) -> bool:
        return bool(self.kpi.met(self.value, self.target))

    def __repr__(self) -> str:
        return f"<Reading kpi={self.kpi_id} {self.period} {self.starts_at} {self.value}>"


class ReadingImport(db.Model):
    """A CSV export of the contact-center system between its check (the validation report) and its import."""

    __tablename__ = "monitoring_import"
    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    rows: Mapped[int] = mapped_column(default=0)
    errors_json: Mapped[str] = mapped_column(Text, default="[]")
    error_count: Mapped[int] = mapped_column(default=0)
    replace: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(12), default="checked")  # checked | imported | discarded
    imported: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecoveryPlan(db.Model):
    """A recovery plan (P-10 6.5, steps 9-20) written when a KPI missed its target: proposed by the desk control,
    approved by the supervisor, distributed to the team leaders who act on it (each acknowledges), closed with its
    outcome. `reading_id` is the missed reading that started it."""

    __tablename__ = "monitoring_plan"
    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("monitoring_kpi.id"), index=True)
    reading_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_reading.id"))
    status: Mapped[str] = mapped_column(String(12), default=PROPOSED)
    problem: Mapped[str] = mapped_column(Text, default="")
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")
    distributed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    distributed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(14), default="")
    outcome_note: Mapped[str] = mapped_column(Text, default="")

    kpi: Mapped[Kpi] = relationship(lazy="joined")
    reading: Mapped[Reading | None] = relationship(lazy="joined")
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    steps: Mapped[list[PlanStep]] = relationship(order_by="PlanStep.position", cascade="all, delete-orphan",
                                                   back_populates="plan")
    recipients: Mapped[list[PlanRecipient]] = relationship(cascade="all, delete-orphan", back_populates="plan")

    @property
    def number(self) -> str:
        return f"RP-{self.id:05d}"

    def __repr__(self) -> str:
        return f"<RecoveryPlan {self.id} {self.status}>"


class PlanStep(db.Model):
    __tablename__ = "monitoring_plan_step"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("monitoring_plan.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=1)
    action: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    due_at: Mapped[datetime]  # local time

    plan: Mapped[RecoveryPlan] = relationship(back_populates="steps")
    owner: Mapped[User] = relationship(lazy="joined")


class PlanRecipient(db.Model):
    """A team leader the approved plan was distributed to, and when they acknowledged it."""

    __tablename__ = "monitoring_plan_recipient"
    __table_args__ = (UniqueConstraint("plan_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("monitoring_plan.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    acknowledged_at: Mapped[datetime | None]

    plan: Mapped[RecoveryPlan] = relationship(back_populates="recipients")
    user: Mapped[User] = relationship(lazy="joined")


class DailyAnalysis(db.Model):
    """A service's day that needs the supervisor's daily analysis (F-05): due HK+3 after the day; `record_id` is the
    F-05 record of the records module once opened (no foreign key: a record is disposed of after its retention)."""

    __tablename__ = "monitoring_daily"
    __table_args__ = (UniqueConstraint("service_id", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    day: Mapped[date]
    due_on: Mapped[date] = mapped_column(index=True)
    record_id: Mapped[int | None]

    service: Mapped[Service] = relationship(lazy="joined")

"""Call quality ("tapping"): outbound call results, the assessment parameters as data (versioned with the standard
document they come from), the QCO's validations (VALID / RETURN), the agent's recall after a RETURN, and the
imports that bring call results and past validations in from Excel or CSV."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import Service, Site, User
from portal.core.db import utcnow
from portal.extensions import db
from portal.people.models import Staff, Team

AGREE, DECLINE, FOLLOW_UP = "AGREE", "DECLINE", "FOLLOW UP"
RESULTS = [AGREE, DECLINE, FOLLOW_UP]
VALID, RETURN = "VALID", "RETURN"
VERDICTS = [VALID, RETURN]
# The stage of an AGREE call: waiting for its first verdict, returned to the agent, recalled by the agent and waiting
# for re-validation, valid. Other results have no stage (""). The latest verdict follows from the stage.
NEW, RETURNED, RECALLED, VALIDATED = "new", "returned", "recalled", "valid"
STAGES = [NEW, RETURNED, RECALLED, VALIDATED]
WAITING = (NEW, RECALLED)  # on the QCO's worklist
KPI_CODE = "qvs"  # the Quality Validation Score's target in kpi_target (data; 95 % when missing)


class ParameterSet(db.Model):
    """The assessment parameters of a service as one revision of its standard document states them; a validation
    keeps the set it used, so a new revision starts a new set and old validations keep theirs."""

    __tablename__ = "tapping_parameter_set"
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    document_code: Mapped[str] = mapped_column(String(80))  # e.g. OB.IN.CC.TELK.MNOP-01
    revision: Mapped[str] = mapped_column(String(10), default="00")
    title: Mapped[str] = mapped_column(String(200), default="")
    effective_from: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    service: Mapped[Service] = relationship(lazy="joined")
    parameters: Mapped[list["Parameter"]] = relationship(back_populates="parameter_set", order_by="Parameter.sort_order",
                                                         cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("service_id", "document_code", "revision", name="uq_tapping_parameter_set_source"),)

    @property
    def source(self) -> str:
        return f"{self.document_code} Rev.{self.revision}"

    def __repr__(self) -> str:
        return f"<ParameterSet {self.service_id} {self.source}>"


class Parameter(db.Model):
    """One assessment parameter: the clause it comes from and its wording."""

    __tablename__ = "tapping_parameter"
    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("tapping_parameter_set.id", ondelete="CASCADE"), index=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    clause: Mapped[str] = mapped_column(String(40), default="")
    text: Mapped[str] = mapped_column(Text)

    parameter_set: Mapped[ParameterSet] = relationship(back_populates="parameters")


class ReturnReason(db.Model):
    """A reason code of a RETURN (data)."""

    __tablename__ = "tapping_reason"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    active: Mapped[bool] = mapped_column(default=True)


class CallImport(db.Model):
    """An uploaded file of call results (or of past validations) between its check and the user's decision."""

    __tablename__ = "tapping_import"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default="calls")  # calls | history
    filename: Mapped[str] = mapped_column(String(200), default="")
    data: Mapped[bytes] = mapped_column(LargeBinary)
    rows: Mapped[int] = mapped_column(default=0)
    valid_rows: Mapped[int] = mapped_column(default=0)
    errors_json: Mapped[str] = mapped_column(Text, default="[]")  # the first refused rows: [[row, id, message], ...]
    error_count: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(12), default="checked")  # checked | imported | discarded
    imported: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]


class Call(db.Model):
    """One outbound call result (agent, time, service, product, customer number, result, recording reference); an
    AGREE call is validated by a QCO. `month` is the first day of the call's local month (the QVS groups by it)."""

    __tablename__ = "tapping_call"
    id: Mapped[int] = mapped_column(primary_key=True)
    recording_id: Mapped[str] = mapped_column(String(80), unique=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)  # the agent's team at the call
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    called_at: Mapped[datetime]  # UTC
    month: Mapped[date]
    product: Mapped[str] = mapped_column(String(160), default="")
    customer_number: Mapped[str] = mapped_column(String(30))
    result: Mapped[str] = mapped_column(String(10))
    stage: Mapped[str] = mapped_column(String(10), default="")
    first_verdict: Mapped[str | None] = mapped_column(String(10))
    verdicts: Mapped[int] = mapped_column(default=0)
    qco_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    history: Mapped[bool] = mapped_column(default=False)  # imported with its past verdict: no worklist, no home page
    import_id: Mapped[int | None] = mapped_column(ForeignKey("tapping_import.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agent: Mapped[Staff] = relationship(lazy="joined")
    team: Mapped[Team | None] = relationship()
    site: Mapped[Site] = relationship()
    service: Mapped[Service] = relationship()
    qco: Mapped[User | None] = relationship()

    __table_args__ = (
        Index("ix_tapping_call_month", "month", "result", "stage", "first_verdict"),  # covers the QVS sums
        Index("ix_tapping_call_work", "stage", "called_at"),
    )

    @property
    def latest_verdict(self) -> str | None:
        return {VALIDATED: VALID, RETURNED: RETURN, RECALLED: RETURN}.get(self.stage)

    def __repr__(self) -> str:
        return f"<Call {self.recording_id} {self.result} {self.stage}>"


class Validation(db.Model):
    """A QCO's verdict on a call: the parameters ticked (of the set in force), VALID or RETURN with a reason code and
    a recommendation."""

    __tablename__ = "tapping_validation"
    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("tapping_call.id", ondelete="CASCADE"), index=True)
    verdict: Mapped[str] = mapped_column(String(10))
    reason_code: Mapped[str] = mapped_column(String(20), default="")
    recommendation: Mapped[str] = mapped_column(Text, default="")
    parameter_set_id: Mapped[int | None] = mapped_column(ForeignKey("tapping_parameter_set.id"))
    checked_json: Mapped[str] = mapped_column(Text, default="[]")  # ids of the parameters met
    qco_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    qco_name: Mapped[str] = mapped_column(String(120), default="")
    validated_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported: Mapped[bool] = mapped_column(default=False)

    parameter_set: Mapped[ParameterSet | None] = relationship()


class Recall(db.Model):
    """The agent's call to the customer after a RETURN, and its outcome."""

    __tablename__ = "tapping_recall"
    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("tapping_call.id", ondelete="CASCADE"), index=True)
    validation_id: Mapped[int] = mapped_column(ForeignKey("tapping_validation.id"))
    result: Mapped[str] = mapped_column(String(10))  # the customer's answer on the recall: AGREE / DECLINE / FOLLOW UP
    outcome: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_name: Mapped[str] = mapped_column(String(120), default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

"""Call quality ("tapping"): outbound call results, the assessment parameters as data (versioned with the standard
document they come from), the QCO's validations (VALID / RETURN), the agent's recall after a RETURN, and the
imports that bring call results and past validations in from Excel or CSV."""
from __future__ import annotations

from datetime import date, datetime

from decimal import Decimal

from sqlalchemy import ForeignKey, Index, LargeBinary, Numeric, String, Text, UniqueConstraint
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
# A parameter set is either the outbound validation's (tick every parameter, VALID / RETURN) or an inbound scorecard's
# (weighted parameters in sections, critical items that fail the call: its score is 0).
VALIDATION, SCORECARD = "validation", "scorecard"
# A scorecard answer: met, not met, not applicable (its weight leaves the denominator).
MET, NOT_MET, NOT_APPLICABLE = "Y", "N", "NA"
ANSWERS = [MET, NOT_MET, NOT_APPLICABLE]
# The agent's sign-off of a result (a validation or an inbound score), and QA's decision of a dispute.
ACKNOWLEDGED, DISPUTED, UPHELD, REJECTED = "acknowledged", "disputed", "upheld", "rejected"
SIGNOFF_DAYS = 30  # a result is acknowledged or disputed within 30 days of being given; after that it stands
OPEN, CLOSED = "open", "closed"


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
    kind: Mapped[str] = mapped_column(String(12), default=VALIDATION, server_default=VALIDATION)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    service: Mapped[Service] = relationship(lazy="joined")
    parameters: Mapped[list["Parameter"]] = relationship(back_populates="parameter_set", order_by="Parameter.sort_order",
                                                         cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("service_id", "document_code", "revision", name="uq_tapping_parameter_set_source"),)

    @property
    def source(self) -> str:
        return f"{self.document_code} Rev.{self.revision}"

    @property
    def sections(self) -> list[tuple[str, list["Parameter"]]]:
        """The parameters grouped by section, in the scorecard's order."""
        out: list[tuple[str, list[Parameter]]] = []
        for p in self.parameters:
            if not out or out[-1][0] != p.section:
                out.append((p.section, []))
            out[-1][1].append(p)
        return out

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
    # Scorecards only: the section it belongs to, its weight (points of 100) and whether failing it fails the call.
    section: Mapped[str] = mapped_column(String(120), default="", server_default="")
    weight: Mapped[int] = mapped_column(default=0, server_default="0")
    critical: Mapped[bool] = mapped_column(default=False, server_default="0")

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


class InboundCall(db.Model):
    """An inbound call (147, 108, social media) a QCO sampled to score against the standard of its service. `qco_id`
    is the QCO who scores it (the one who sees the customer number in clear)."""

    __tablename__ = "tapping_inbound_call"
    id: Mapped[int] = mapped_column(primary_key=True)
    recording_id: Mapped[str] = mapped_column(String(80), unique=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    called_at: Mapped[datetime]  # UTC
    month: Mapped[date]
    topic: Mapped[str] = mapped_column(String(160), default="")
    customer_number: Mapped[str] = mapped_column(String(30), default="")
    qco_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agent: Mapped[Staff] = relationship(lazy="joined")
    team: Mapped[Team | None] = relationship()
    site: Mapped[Site] = relationship()
    service: Mapped[Service] = relationship()
    qco: Mapped[User | None] = relationship(foreign_keys=[qco_id])

    __table_args__ = (Index("ix_tapping_inbound_call_month", "month", "agent_id"),)

    def __repr__(self) -> str:
        return f"<InboundCall {self.recording_id}>"


class Calibration(db.Model):
    """A calibration round on one inbound call: QCOs and QA score it independently; the score of the QA who opened
    the round is the reference."""

    __tablename__ = "tapping_calibration"
    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("tapping_inbound_call.id", ondelete="CASCADE"), index=True)
    reference_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reference_name: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(10), default=OPEN, index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    call: Mapped[InboundCall] = relationship(lazy="joined")


class Score(db.Model):
    """A scorecard filled for an inbound call: the official score (no calibration) or one scorer's score in a
    calibration round. `answers_json` maps each parameter id to [answer, comment]; `total` is the score out of 100
    (0 when a critical item is not met: `fatal`); an upheld dispute may amend it, `original_total` keeps the first."""

    __tablename__ = "tapping_score"
    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("tapping_inbound_call.id", ondelete="CASCADE"), index=True)
    parameter_set_id: Mapped[int] = mapped_column(ForeignKey("tapping_parameter_set.id"))
    calibration_id: Mapped[int | None] = mapped_column(ForeignKey("tapping_calibration.id", ondelete="CASCADE"), index=True)
    scorer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    scorer_name: Mapped[str] = mapped_column(String(120), default="")
    answers_json: Mapped[str] = mapped_column(Text, default="{}")
    total: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    original_total: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    fatal: Mapped[bool] = mapped_column(default=False)
    comment: Mapped[str] = mapped_column(Text, default="")
    scored_at: Mapped[datetime] = mapped_column(default=utcnow)

    call: Mapped[InboundCall] = relationship()
    parameter_set: Mapped[ParameterSet] = relationship()

    __table_args__ = (UniqueConstraint("calibration_id", "scorer_id", name="uq_tapping_score_calibration_scorer"),)

    @property
    def answers(self) -> dict[int, tuple[str, str]]:
        import json

        return {int(k): (v[0], v[1] if len(v) > 1 else "") for k, v in json.loads(self.answers_json or "{}").items()}


class SignOff(db.Model):
    """The agent's sign-off of one result (a validation of their outbound call or the official score of their inbound
    call): acknowledged, or disputed with a reason and then upheld or rejected by QA with a note."""

    __tablename__ = "tapping_signoff"
    id: Mapped[int] = mapped_column(primary_key=True)
    validation_id: Mapped[int | None] = mapped_column(ForeignKey("tapping_validation.id", ondelete="CASCADE"), unique=True)
    score_id: Mapped[int | None] = mapped_column(ForeignKey("tapping_score.id", ondelete="CASCADE"), unique=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_name: Mapped[str] = mapped_column(String(120), default="")
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")

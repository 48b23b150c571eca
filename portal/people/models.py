"""People: staff, teams with dated membership, employment contracts, positions with their requirements as data."""
from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, Index, Numeric, String, Table, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import Service, Site, User
from portal.core.db import TimestampMixin, utcnow
from portal.extensions import db

ACTIVE, ON_LEAVE, ENDED = "active", "on_leave", "ended"
STAFF_STATUSES = [ACTIVE, ON_LEAVE, ENDED]

PKWT, PROBATION, PERMANENT = "pkwt", "probation", "permanent"
CONTRACT_KINDS = [PKWT, PROBATION, PERMANENT]

EDUCATION_LEVELS = ["SMA", "D3", "S1", "S2"]  # in order: a higher level meets a lower minimum

# The kinds of requirement MNOP-01 §2.1 states (params in brackets):
MAX_AGE = "max_age"  # {"years": 30}: age on the hiring date at most
MIN_EDUCATION = "min_education"  # {"level": "D3", "field": ""}
EXPERIENCE = "experience"  # {"options": [{"position": "AGENT", "months": 12}, ...]}: any one option
HEALTH_CERTIFICATE = "health_certificate"  # {}
PSYCH_ASSESSMENT = "psych_assessment"  # {"level": "Team Leader Layanan"}
ALL_TESTS = "all_tests"  # {}
NOT_UNDER_COACHING = "not_under_coaching"  # {}
PERSON_CHECK = "person_check"  # {}: judged by a person (voice quality, leadership)
REQUIREMENT_KINDS = [MAX_AGE, MIN_EDUCATION, EXPERIENCE, HEALTH_CERTIFICATE, PSYCH_ASSESSMENT, ALL_TESTS,
                     NOT_UNDER_COACHING, PERSON_CHECK]


class Position(TimestampMixin, db.Model):
    """A position ("jabatan") of MNOP-01 §2.1; its requirements come in versioned sets."""

    __tablename__ = "position"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20), default="")  # the portal role of a hire who signs in ("" none)
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    requirement_sets: Mapped[list["RequirementSet"]] = relationship(
        back_populates="position", order_by="RequirementSet.effective_from", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Position {self.code}>"


class RequirementSet(db.Model):
    """The requirements of a position as one revision of the manual states them; a screening keeps the set it used."""

    __tablename__ = "requirement_set"
    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(120))  # e.g. "OB.IN.CC.TELK.MNOP-01.Rev.00 §2.1"
    effective_from: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    position: Mapped[Position] = relationship(back_populates="requirement_sets")
    requirements: Mapped[list["Requirement"]] = relationship(
        back_populates="requirement_set", order_by="Requirement.sort_order", cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("position_id", "source", name="uq_requirement_set_position_source"),)

    def __repr__(self) -> str:
        return f"<RequirementSet {self.position_id} {self.source}>"


class Requirement(db.Model):
    """One requirement: a kind the portal can compute (age, education, experience...) or a person's judgement."""

    __tablename__ = "requirement"
    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("requirement_set.id", ondelete="CASCADE"), index=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(30))
    params_json: Mapped[str] = mapped_column(Text, default="{}")
    text: Mapped[str] = mapped_column(Text, default="")  # the manual's wording

    requirement_set: Mapped[RequirementSet] = relationship(back_populates="requirements")

    @property
    def params(self) -> dict:
        return json.loads(self.params_json or "{}")

    def __repr__(self) -> str:
        return f"<Requirement {self.kind} {self.params_json}>"


staff_service = Table(
    "staff_service",
    db.metadata,
    Column("staff_id", ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("service.id", ondelete="CASCADE"), primary_key=True),
)


class Staff(TimestampMixin, db.Model):
    """A person who works here, whether or not they sign in to the portal."""

    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(primary_key=True)
    employee_number: Mapped[str] = mapped_column(String(30), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), unique=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    hire_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(12), default=ACTIVE)
    ended_on: Mapped[date | None]
    education: Mapped[str] = mapped_column(String(10), default="")
    # Personal data: HR, the person's manager chain and the person only (permissions.can_see_personal).
    birth_date: Mapped[date | None]
    identity_number: Mapped[str] = mapped_column(String(30), default="")  # NIK KTP
    phone: Mapped[str] = mapped_column(String(30), default="")
    address: Mapped[str] = mapped_column(Text, default="")

    position: Mapped[Position] = relationship(lazy="joined")
    site: Mapped[Site] = relationship(lazy="joined")
    user: Mapped[User | None] = relationship()
    # The open membership (at most one: a unique partial index); lists load it with joinedload.
    current_membership: Mapped["TeamMembership | None"] = relationship(
        primaryjoin="and_(Staff.id == TeamMembership.staff_id, TeamMembership.ends_on.is_(None))", viewonly=True,
        uselist=False)
    # Loaded when used; a list that shows them asks with selectinload.
    services: Mapped[list[Service]] = relationship(secondary=staff_service, order_by=Service.code)
    memberships: Mapped[list["TeamMembership"]] = relationship(
        back_populates="staff", order_by="TeamMembership.starts_on.desc()", cascade="all, delete-orphan")
    contracts: Mapped[list["StaffContract"]] = relationship(
        back_populates="staff", order_by="StaffContract.starts_on.desc()", cascade="all, delete-orphan",
        foreign_keys="StaffContract.staff_id")

    __table_args__ = (Index("ix_staff_name", "full_name", "id"),)

    @property
    def team(self) -> "Team | None":
        return self.current_membership.team if self.current_membership else None

    def __repr__(self) -> str:
        return f"<Staff {self.employee_number} {self.full_name}>"


class Team(TimestampMixin, db.Model):
    """A team leader and their agents, at one site, for one service."""

    __tablename__ = "team"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)

    site: Mapped[Site] = relationship(lazy="joined")
    service: Mapped[Service] = relationship(lazy="joined")
    leader: Mapped[Staff | None] = relationship(foreign_keys=[leader_id])

    __table_args__ = (UniqueConstraint("site_id", "name", name="uq_team_site_name"),)

    def __repr__(self) -> str:
        return f"<Team {self.name}>"


class TeamMembership(db.Model):
    """A person in a team from a day to a day (ends_on is the last day; None: still there). One open row a person."""

    __tablename__ = "team_membership"
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    staff: Mapped[Staff] = relationship(back_populates="memberships")
    team: Mapped[Team] = relationship(lazy="joined")

    __table_args__ = (
        Index("ix_team_membership_staff", "staff_id", "starts_on"),
        # A person belongs to one team at a time: at most one open membership.
        Index("uq_team_membership_open", "staff_id", unique=True,
              sqlite_where=text("ends_on IS NULL"), postgresql_where=text("ends_on IS NULL")),
    )

    def covers(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)

    def __repr__(self) -> str:
        return f"<TeamMembership {self.staff_id} team={self.team_id} {self.starts_on}..{self.ends_on}>"


class StaffContract(TimestampMixin, db.Model):
    """An employment contract: PKWT (fixed term), probation or permanent; an extension points at the contract it
    follows (MNOP-01 §4.1.6) and carries the evaluation it was decided on."""

    __tablename__ = "staff_contract"
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(60), default="")
    kind: Mapped[str] = mapped_column(String(12))
    starts_on: Mapped[date]
    ends_on: Mapped[date | None] = mapped_column(index=True)  # None: permanent
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    extends_id: Mapped[int | None] = mapped_column(ForeignKey("staff_contract.id"))
    evaluation: Mapped[str] = mapped_column(Text, default="")  # why it was extended (performance, attendance...)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The signed contract as uploaded (PDF, JPEG or PNG by content) in the documents store; "" until uploaded.
    file_name: Mapped[str] = mapped_column(String(255), default="")
    file_path: Mapped[str] = mapped_column(String(255), default="")
    file_mime: Mapped[str] = mapped_column(String(60), default="")
    file_sha256: Mapped[str] = mapped_column(String(64), default="")

    staff: Mapped[Staff] = relationship(back_populates="contracts", foreign_keys=[staff_id])
    position: Mapped[Position] = relationship(lazy="joined")
    site: Mapped[Site] = relationship(lazy="joined")
    extends: Mapped["StaffContract | None"] = relationship(remote_side=[id])

    def covers(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)

    def __repr__(self) -> str:
        return f"<StaffContract {self.staff_id} {self.kind} {self.starts_on}..{self.ends_on}>"


class CapacityPlan(TimestampMixin, db.Model):
    """The capacity plan ("caplan"): the planned headcount of agents for a service at a site in a month."""

    __tablename__ = "capacity_plan"
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    month: Mapped[date]  # the first day of the month
    planned: Mapped[int]

    service: Mapped[Service] = relationship(lazy="joined")
    site: Mapped[Site] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("service_id", "site_id", "month", name="uq_capacity_plan_service_site_month"),
                      Index("ix_capacity_plan_month", "month"))

    def __repr__(self) -> str:
        return f"<CapacityPlan {self.service_id}@{self.site_id} {self.month:%Y-%m} {self.planned}>"


class KpiTarget(TimestampMixin, db.Model):
    """A KPI's target as data (MNOP-01 Bab III: "Pemenuhan Jumlah SDM" 95 %), from a day on."""

    __tablename__ = "kpi_target"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    valid_from: Mapped[date]
    target: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    source: Mapped[str] = mapped_column(String(120), default="")

    __table_args__ = (UniqueConstraint("code", "valid_from", name="uq_kpi_target_code_valid_from"),)

    def __repr__(self) -> str:
        return f"<KpiTarget {self.code} {self.target} from {self.valid_from}>"


# ---------------------------------------------------------------- recruitment
APPLIED, SCREENED, TESTED, INTERVIEWED, OFFERED, HIRED, REJECTED = (
    "applied", "screened", "tested", "interviewed", "offered", "hired", "rejected")
STAGES = [APPLIED, SCREENED, TESTED, INTERVIEWED, OFFERED, HIRED, REJECTED]
DOCUMENT_KINDS = ["cv", "health", "assessment"]


class Opening(TimestampMixin, db.Model):
    """A vacancy: a position at a site for a service, with the planned hiring date screenings are judged on."""

    __tablename__ = "opening"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"))
    headcount: Mapped[int] = mapped_column(default=1)
    hire_on: Mapped[date]
    open: Mapped[bool] = mapped_column(default=True)

    position: Mapped[Position] = relationship(lazy="joined")
    site: Mapped[Site] = relationship(lazy="joined")
    service: Mapped[Service | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Opening {self.id} {self.title}>"


class Candidate(TimestampMixin, db.Model):
    """A person applying for an opening (an internal one points at their staff record), with what HR recorded."""

    __tablename__ = "candidate"
    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("opening.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    full_name: Mapped[str] = mapped_column(String(120))
    birth_date: Mapped[date | None]
    education: Mapped[str] = mapped_column(String(10), default="")
    education_field: Mapped[str] = mapped_column(String(120), default="")
    identity_number: Mapped[str] = mapped_column(String(30), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    email: Mapped[str] = mapped_column(String(160), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    stage: Mapped[str] = mapped_column(String(12), default=APPLIED)
    stage_reason: Mapped[str] = mapped_column(Text, default="")
    tests_passed: Mapped[bool | None]
    psych_level: Mapped[str] = mapped_column(String(80), default="")  # the level the assessment report says was passed
    coaching_confirmed: Mapped[bool | None]  # "not under coaching", confirmed by a person until coaching exists
    checks_json: Mapped[str] = mapped_column(Text, default="{}")  # requirement id -> {"met": bool, "note": str}
    interview_notes: Mapped[str] = mapped_column(Text, default="")
    hired_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    opening: Mapped[Opening] = relationship()
    staff: Mapped[Staff | None] = relationship(foreign_keys=[staff_id])
    experiences: Mapped[list["CandidateExperience"]] = relationship(cascade="all, delete-orphan",
                                                                    order_by="CandidateExperience.id")
    documents: Mapped[list["CandidateDocument"]] = relationship(cascade="all, delete-orphan",
                                                                order_by="CandidateDocument.id")

    @property
    def checks(self) -> dict:
        return json.loads(self.checks_json or "{}")

    def __repr__(self) -> str:
        return f"<Candidate {self.id} {self.full_name} {self.stage}>"


class CandidateExperience(db.Model):
    """Months of work in a position (by the position's code), here or elsewhere."""

    __tablename__ = "candidate_experience"
    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    position_code: Mapped[str] = mapped_column(String(30))
    employer: Mapped[str] = mapped_column(String(160), default="")
    months: Mapped[int]

    def __repr__(self) -> str:
        return f"<CandidateExperience {self.position_code} {self.months}m>"


class CandidateDocument(db.Model):
    """An uploaded CV, health certificate or assessment report (PDF, JPEG or PNG) in the documents store."""

    __tablename__ = "candidate_document"
    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(255))
    file_path: Mapped[str] = mapped_column(String(255))
    mime: Mapped[str] = mapped_column(String(60))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    dated_on: Mapped[date | None]  # the date on the certificate / report
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    def __repr__(self) -> str:
        return f"<CandidateDocument {self.kind} {self.file_name}>"


class Screening(db.Model):
    """A computed screening, kept with the requirement set it was judged against and its results."""

    __tablename__ = "screening"
    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    requirement_set_id: Mapped[int] = mapped_column(ForeignKey("requirement_set.id"))
    hire_on: Mapped[date]
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    results_json: Mapped[str] = mapped_column(Text, default="[]")
    met: Mapped[int] = mapped_column(default=0)
    not_met: Mapped[int] = mapped_column(default=0)
    to_check: Mapped[int] = mapped_column(default=0)

    requirement_set: Mapped[RequirementSet] = relationship(lazy="joined")

    @property
    def results(self) -> list[dict]:
        return json.loads(self.results_json or "[]")

    def __repr__(self) -> str:
        return f"<Screening {self.candidate_id} met={self.met} not_met={self.not_met} to_check={self.to_check}>"


PROPOSED, APPROVED, DECLINED = "proposed", "approved", "declined"


class ContractExtension(db.Model):
    """MNOP-01 §4.1.6: an evaluation of a contract with a recommendation (extend, or let it end), proposed by HR or
    the supervisor and decided by a manager with an electronic signature (password); approving an extension produces
    the next contract."""

    __tablename__ = "contract_extension"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("staff_contract.id", ondelete="CASCADE"), index=True)
    evaluation: Mapped[str] = mapped_column(Text)
    recommendation: Mapped[str] = mapped_column(String(10))  # extend | end
    kind: Mapped[str] = mapped_column(String(12), default="")
    ends_on: Mapped[date | None]
    number: Mapped[str] = mapped_column(String(60), default="")
    status: Mapped[str] = mapped_column(String(10), default=PROPOSED)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_name: Mapped[str] = mapped_column(String(120), default="")
    decided_position: Mapped[str] = mapped_column(String(120), default="")
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")
    new_contract_id: Mapped[int | None] = mapped_column(ForeignKey("staff_contract.id"))

    contract: Mapped[StaffContract] = relationship(foreign_keys=[contract_id])
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])

    def __repr__(self) -> str:
        return f"<ContractExtension {self.contract_id} {self.recommendation} {self.status}>"

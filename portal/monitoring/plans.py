"""Recovery plans (P-10 6.5, steps 9-20): a KPI reading under target proposes a plan (the desk control writes its
steps, each with an owner and a due time), the supervisor approves (or rejects it with a reason), the desk control
distributes the approved plan to the team leaders who must act, each acknowledges it (it waits on their home page
until they do), and once all have acknowledged it is closed with its outcome. The plan's page shows the KPI's
figures before and after its reading."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from portal.auth.models import User
from portal.core import audit
from portal.core.db import utcnow
from portal.core.service import ServiceError
from portal.extensions import db
from portal.monitoring import catalogue
from portal.monitoring.models import (
    APPROVED,
    CLOSED,
    DISTRIBUTED,
    OUTCOMES,
    PROPOSED,
    REJECTED,
    Kpi,
    PlanRecipient,
    PlanStep,
    Reading,
    RecoveryPlan,
)

MAX_STEPS = 8


def default_steps(start: datetime) -> list[dict]:
    """The steps a missed KPI proposes (P-10 steps 10, 14, 19), due a few hours from `start`."""
    return [{"action": text, "owner_id": None, "due_at": start + timedelta(hours=hours)}
            for text, hours in catalogue.DEFAULT_STEPS]


def open_plan_for(reading: Reading) -> RecoveryPlan | None:
    return db.session.scalar(select(RecoveryPlan).where(RecoveryPlan.reading_id == reading.id,
                                                        RecoveryPlan.status.not_in([REJECTED])).limit(1))


def _steps(steps: list[dict]) -> list[PlanStep]:
    out = []
    for i, s in enumerate(steps, 1):
        action = (s.get("action") or "").strip()
        owner_id, due = s.get("owner_id"), s.get("due_at")
        if not (action or owner_id or due):
            continue
        if not action:
            raise ServiceError(_("Step %(n)d: describe the action.", n=i), "steps")
        owner = db.session.get(User, owner_id) if owner_id else None
        if owner is None or not owner.active:
            raise ServiceError(_("Step %(n)d: choose who carries it out.", n=i), "steps")
        if not isinstance(due, datetime):
            raise ServiceError(_("Step %(n)d: enter when it is due (date and time).", n=i), "steps")
        out.append(PlanStep(position=len(out) + 1, action=action[:2000], owner_id=owner.id, owner=owner, due_at=due))
    if not out:
        raise ServiceError(_("A recovery plan needs at least one step."), "steps")
    if len(out) > MAX_STEPS:
        raise ServiceError(_("A recovery plan has at most %(n)d steps.", n=MAX_STEPS), "steps")
    return out


def propose(kpi: Kpi, reading: Reading | None, problem: str, steps: list[dict], actor) -> RecoveryPlan:
    if reading is not None:
        if reading.kpi_id != kpi.id:
            raise ServiceError(_("The reading is not one of this KPI."), "problem")
        if reading.met:
            raise ServiceError(_("This reading met its target: no recovery plan is needed."), "problem")
        if open_plan_for(reading) is not None:
            raise ServiceError(_("A recovery plan for this reading exists already."), "problem")
    problem = (problem or "").strip()
    if not problem:
        raise ServiceError(_("Describe what missed the target and why."), "problem")
    plan = RecoveryPlan(kpi_id=kpi.id, kpi=kpi, reading_id=reading.id if reading else None, problem=problem[:4000],
                        status=PROPOSED, proposed_by_id=actor.id)
    plan.steps = _steps(steps)
    db.session.add(plan)
    db.session.flush()
    audit.record("plan.proposed", plan, new={"kpi": kpi.code, "service": kpi.service.code,
                                             "reading": reading.id if reading else None, "steps": len(plan.steps)},
                 actor=actor)
    return plan


def _state(plan: RecoveryPlan, *states) -> None:
    if plan.status not in states:
        raise ServiceError(_("The plan is no longer in the state this action needs; reload the page."), "form")


def approve(plan: RecoveryPlan, note: str, actor) -> RecoveryPlan:
    _state(plan, PROPOSED)
    plan.status, plan.approved_by_id, plan.approved_at = APPROVED, actor.id, utcnow()
    plan.decision_note = (note or "").strip()[:2000]
    db.session.flush()
    audit.record("plan.approved", plan, new={"note": plan.decision_note}, actor=actor)
    return plan


def reject(plan: RecoveryPlan, note: str, actor) -> RecoveryPlan:
    _state(plan, PROPOSED)
    note = (note or "").strip()
    if not note:
        raise ServiceError(_("Say why the plan is rejected."), "note")
    plan.status, plan.approved_by_id, plan.approved_at, plan.decision_note = REJECTED, actor.id, utcnow(), note[:2000]
    db.session.flush()
    audit.record("plan.rejected", plan, new={"note": note}, actor=actor)
    return plan


def team_leaders(service_id: int) -> list[User]:
    """Who a plan may be distributed to: active team leaders covering the service."""
    from portal.auth.models import UserRole, user_service

    return list(db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id).join(user_service, user_service.c.user_id == User.id)
        .where(User.active.is_(True), UserRole.role == "tl", user_service.c.service_id == service_id)
        .order_by(User.full_name).distinct()))


def distribute(plan: RecoveryPlan, user_ids: list[int], actor) -> RecoveryPlan:
    _state(plan, APPROVED)
    allowed = {u.id: u for u in team_leaders(plan.kpi.service_id)}
    chosen = [allowed[i] for i in dict.fromkeys(user_ids) if i in allowed]
    if not chosen or len(chosen) != len(set(user_ids)):
        raise ServiceError(_("Choose the team leaders of the service who must act on the plan."), "recipients")
    plan.recipients = [PlanRecipient(user_id=u.id, user=u) for u in chosen]
    plan.status, plan.distributed_by_id, plan.distributed_at = DISTRIBUTED, actor.id, utcnow()
    db.session.flush()
    audit.record("plan.distributed", plan, new={"to": ", ".join(u.full_name for u in chosen)}, actor=actor)
    return plan


def acknowledge(plan: RecoveryPlan, actor) -> RecoveryPlan:
    _state(plan, DISTRIBUTED)
    mine = next((r for r in plan.recipients if r.user_id == actor.id), None)
    if mine is None:
        raise ServiceError(_("The plan was not distributed to you."), "form")
    if mine.acknowledged_at is not None:
        raise ServiceError(_("You have acknowledged this plan already."), "form")
    mine.acknowledged_at = utcnow()
    db.session.flush()
    audit.record("plan.acknowledged", plan, actor=actor)
    return plan


def close(plan: RecoveryPlan, outcome: str, note: str, actor) -> RecoveryPlan:
    _state(plan, DISTRIBUTED)
    waiting = [r.user.full_name for r in plan.recipients if r.acknowledged_at is None]
    if waiting:
        raise ServiceError(_("Still waiting for the acknowledgement of %(names)s.", names=", ".join(waiting)), "outcome")
    if outcome not in OUTCOMES:
        raise ServiceError(_("Choose the outcome."), "outcome")
    note = (note or "").strip()
    if not note:
        raise ServiceError(_("Describe the outcome (the figures after the plan)."), "note")
    plan.status, plan.outcome, plan.outcome_note = CLOSED, outcome, note[:4000]
    plan.closed_by_id, plan.closed_at = actor.id, utcnow()
    db.session.flush()
    audit.record("plan.closed", plan, new={"outcome": outcome, "note": plan.outcome_note}, actor=actor)
    return plan


def since(plan: RecoveryPlan) -> date:
    return plan.reading.day if plan.reading is not None else plan.proposed_at.date()

"""Who sees and does what in monitoring. Readings are per service: a user sees the services they cover (managers,
QA, the QMR and auditors every service). The desk control is a team leader on desk-control duty (P-10 6.1): team
leaders and supervisors enter and import readings, propose recovery plans and distribute approved ones; the
supervisor of the service approves them and writes the daily analysis (F-05); a plan's recipients acknowledge it."""
from __future__ import annotations

from portal.monitoring.models import APPROVED, DISTRIBUTED, PROPOSED, RecoveryPlan


def sees_all(user) -> bool:
    return user.can("monitoring.all") or user.can("scope.all_sites")


def service_ids(user) -> set[int] | None:
    """The services whose KPIs this user sees (None: every service)."""
    if not user.can("monitoring.read"):
        return set()
    if sees_all(user):
        return None
    return user.service_ids


def can_see_service(user, service_id: int) -> bool:
    ids = service_ids(user)
    return ids is None or service_id in ids


def can_enter(user, service_id: int) -> bool:
    return user.can("monitoring.enter") and can_see_service(user, service_id)


def can_compute(user, service_id: int) -> bool:
    return user.can("monitoring.compute") and can_see_service(user, service_id)


def is_recipient(user, plan: RecoveryPlan) -> bool:
    return any(r.user_id == user.id for r in plan.recipients)


def can_see_plan(user, plan: RecoveryPlan) -> bool:
    return can_see_service(user, plan.kpi.service_id) or is_recipient(user, plan)


def can_propose(user, service_id: int) -> bool:
    return user.can("monitoring.plan") and can_see_service(user, service_id)


def can_approve(user, plan: RecoveryPlan) -> bool:
    return plan.status == PROPOSED and user.can("monitoring.approve") and can_see_service(user, plan.kpi.service_id)


def can_distribute(user, plan: RecoveryPlan) -> bool:
    return plan.status == APPROVED and user.can("monitoring.plan") and can_see_service(user, plan.kpi.service_id)


def can_acknowledge(user, plan: RecoveryPlan) -> bool:
    return plan.status == DISTRIBUTED and any(r.user_id == user.id and r.acknowledged_at is None for r in plan.recipients)


def can_close(user, plan: RecoveryPlan) -> bool:
    return (plan.status == DISTRIBUTED and (user.can("monitoring.plan") or user.can("monitoring.approve"))
            and can_see_service(user, plan.kpi.service_id) and all(r.acknowledged_at for r in plan.recipients))


def can_analyse(user, service_id: int) -> bool:
    return user.can("monitoring.analysis") and can_see_service(user, service_id)


def service_clause(user, column):
    """A WHERE clause limiting `column` (a service id) to the user's services, as a subquery (no extra statement);
    None when the user sees every service."""
    from sqlalchemy import false

    if not user.can("monitoring.read"):
        return false()
    if sees_all(user):
        return None
    return own_services_clause(column, user.id)


def own_services_clause(column, user_id):
    """`column` (a service id) among the user's services; `user_id` may be a bound parameter."""
    from sqlalchemy import select

    from portal.auth.models import user_service

    return column.in_(select(user_service.c.service_id).where(user_service.c.user_id == user_id))

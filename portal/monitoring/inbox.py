"""What the monitoring module puts on the home page (counts with a link, counted with the other modules' numbers in
one statement): recovery plans waiting for the user's acknowledgement (a team leader they were distributed to),
proposed plans waiting for a supervisor's approval, and daily analyses (F-05) overdue for supervisors and managers."""
from __future__ import annotations

from functools import cache

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select

from portal.core.inbox import Counts, InboxItem, provider


@provider
def monitoring_items(user) -> list[InboxItem] | Counts:
    from portal.core.i18n import local_today
    from portal.monitoring import permissions

    if not user.can("monitoring.read"):
        return []
    shape = (user.has_role("tl"), user.can("monitoring.approve"),
             user.can("monitoring.analysis") or user.has_role("manager"), permissions.sees_all(user))
    kinds, columns = _columns(*shape)
    if not columns:
        return []

    def items(values) -> list[InboxItem]:
        out = []
        for kind, n in zip(kinds, values):
            n = int(n or 0)
            if not n:
                continue
            if kind == "ack":
                out.append(InboxItem(title=_("%(n)d recovery plan(s) wait for your acknowledgement", n=n),
                                     url=url_for("monitoring.plans", mine=1), kind="due"))
            elif kind == "approve":
                out.append(InboxItem(title=_("%(n)d recovery plan(s) wait for your approval", n=n),
                                     url=url_for("monitoring.plans", status="proposed"), kind="sign"))
            else:
                out.append(InboxItem(title=_("%(n)d daily analysis (F-05) overdue (HK+3)", n=n),
                                     url=url_for("monitoring.analyses", overdue=1), kind="due"))
        return out

    return Counts(columns, items, {"monitoring_user_id": user.id, "monitoring_today": local_today()},
                  key=("monitoring", *shape))


@cache
def _columns(acknowledges: bool, approves: bool, analyses: bool, sees_all: bool) -> tuple[list, list]:
    """The counts of one shape of user, built once: the user and the day are bound parameters; a user who does not
    see every service is limited to their services (a subquery on the bound user)."""
    from portal.monitoring import f05, permissions
    from portal.monitoring.models import DISTRIBUTED, PROPOSED, DailyAnalysis, Kpi, PlanRecipient, RecoveryPlan

    user_id, today = bindparam("monitoring_user_id"), bindparam("monitoring_today")

    def services(stmt, column):  # permissions.service_clause, with the user as a parameter
        return stmt if sees_all else stmt.where(permissions.own_services_clause(column, user_id))

    columns, kinds = [], []
    if acknowledges:  # plans are distributed to team leaders only
        columns.append(select(func.count(PlanRecipient.id)).join(RecoveryPlan, RecoveryPlan.id == PlanRecipient.plan_id)
                       .where(PlanRecipient.user_id == user_id, PlanRecipient.acknowledged_at.is_(None),
                              RecoveryPlan.status == DISTRIBUTED))
        kinds.append("ack")
    if approves:
        columns.append(services(select(func.count(RecoveryPlan.id)).join(Kpi, Kpi.id == RecoveryPlan.kpi_id)
                                .where(RecoveryPlan.status == PROPOSED), Kpi.service_id))
        kinds.append("approve")
    if analyses:
        columns.append(services(select(func.count(DailyAnalysis.id)).where(f05.overdue_clause(today)),
                                DailyAnalysis.service_id))
        kinds.append("f05")
    return kinds, columns

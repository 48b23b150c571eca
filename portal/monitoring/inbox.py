"""What the monitoring module puts on the home page (counts with a link, counted with the other modules' numbers in
one statement): recovery plans waiting for the user's acknowledgement (a team leader they were distributed to),
proposed plans waiting for a supervisor's approval, and daily analyses (F-05) overdue for supervisors and managers."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.core.inbox import Counts, InboxItem, provider


@provider
def monitoring_items(user) -> list[InboxItem] | Counts:
    from portal.core.i18n import local_today
    from portal.monitoring import f05, permissions
    from portal.monitoring.models import (
        DISTRIBUTED,
        PROPOSED,
        DailyAnalysis,
        Kpi,
        PlanRecipient,
        RecoveryPlan,
    )

    if not user.can("monitoring.read"):
        return []
    columns, kinds = [], []
    if user.has_role("tl"):  # plans are distributed to team leaders only
        columns.append(select(func.count(PlanRecipient.id)).join(RecoveryPlan, RecoveryPlan.id == PlanRecipient.plan_id)
                       .where(PlanRecipient.user_id == user.id, PlanRecipient.acknowledged_at.is_(None),
                              RecoveryPlan.status == DISTRIBUTED))
        kinds.append("ack")
    if user.can("monitoring.approve"):
        stmt = select(func.count(RecoveryPlan.id)).join(Kpi, Kpi.id == RecoveryPlan.kpi_id).where(RecoveryPlan.status == PROPOSED)
        clause = permissions.service_clause(user, Kpi.service_id)
        if clause is not None:
            stmt = stmt.where(clause)
        columns.append(stmt)
        kinds.append("approve")
    if user.can("monitoring.analysis") or user.has_role("manager"):
        stmt = select(func.count(DailyAnalysis.id)).where(f05.overdue_clause(local_today()))
        clause = permissions.service_clause(user, DailyAnalysis.service_id)
        if clause is not None:
            stmt = stmt.where(clause)
        columns.append(stmt)
        kinds.append("f05")

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

    return Counts(columns, items)

"""What the coaching module puts on the home page: the coached person's sessions to acknowledge (one statement).
Supervisors and managers find the escalation proposals in the navigation (their home page is at its statement budget)."""
from __future__ import annotations

from functools import cache

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select

from portal.core.inbox import Counts, InboxItem, provider


@provider
def coaching_to_acknowledge(user) -> list[InboxItem] | Counts:
    if not user.can("coaching.self") or user.can("coaching.decide"):
        return []

    def items(values) -> list[InboxItem]:
        n = int(values[0] or 0)
        if not n:
            return []
        return [InboxItem(title=_("%(n)d coaching session(s) to acknowledge", n=n), url=url_for("coaching.index"),
                          kind="sign")]

    # Counted with the other modules' numbers in one statement (core.inbox.Counts).
    return Counts(_columns(), items, {"coaching_user_id": user.id}, key="coaching.unacknowledged")


@cache
def _columns() -> list:
    """The count of the user's sessions not yet acknowledged, built once (every agent's home page runs it)."""
    from portal.coaching.models import CoachingSession
    from portal.people.models import Staff

    return [select(func.count(CoachingSession.id)).join(Staff, Staff.id == CoachingSession.staff_id)
            .where(Staff.user_id == bindparam("coaching_user_id"), CoachingSession.acknowledged_at.is_(None))]

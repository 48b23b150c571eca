"""What the training module puts on the home page, as counts with a link, counted together with the other modules' numbers (core.inbox.Counts):
- a team leader: the agents of their team flagged by the competence gate;
- a trainer (and HR): held sessions whose result is not signed yet.
A supervisor's home page is at its statement budget: they open the gate list from the navigation."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.core.i18n import local_today
from portal.core.inbox import Counts, InboxItem, provider


def _wants_gate(user) -> bool:
    """Team leaders: readers of training and people who see neither a whole site nor everyone."""
    return (user.can("training.read") and user.can("people.read") and not user.can("people.site")
            and not user.can("training.manage") and not user.can("scope.all_sites") and not user.can("people.manage"))


@provider
def training_counts(user) -> list[InboxItem] | Counts:
    from portal.training import matrix
    from portal.training.models import TrainingSession
    from portal.training.permissions import training_scope

    today = local_today()
    columns = {}
    if _wants_gate(user):
        columns["gate"] = matrix.gate_count_query(training_scope(user), today)
    if user.can("training.manage"):
        columns["sign"] = select(func.count(TrainingSession.id)).where(
            TrainingSession.trainer_id == user.id, TrainingSession.signed_at.is_(None), TrainingSession.held_on <= today)
    if not columns:
        return []

    def items(found) -> list[InboxItem]:
        values = dict(zip(columns, found))
        out = []
        if values.get("gate"):
            out.append(InboxItem(title=_("%(n)d agent(s) flagged by the competence gate", n=values["gate"]),
                                 url=url_for("training.gate"),
                                 detail=_("Required initial training or SOP acknowledgement missing."), kind="due"))
        if values.get("sign"):
            out.append(InboxItem(title=_("%(n)d training session(s) to complete and sign", n=values["sign"]),
                                 url=url_for("training.index"), kind="sign"))
        return out

    # Counted with the other modules' numbers in one statement (core.inbox.Counts).
    return Counts(list(columns.values()), items)

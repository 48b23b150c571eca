"""What the training module puts on the home page, as counts with a link, counted together with the other modules' numbers (core.inbox.Counts):
- a team leader: the agents of their team flagged by the competence gate;
- a trainer (and HR): held sessions whose result is not signed yet.
A supervisor's home page is at its statement budget: they open the gate list from the navigation."""
from __future__ import annotations

from functools import cache

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select

from portal.core.i18n import local_today
from portal.core.inbox import Counts, InboxItem, provider


def _wants_gate(user) -> bool:
    """Team leaders: readers of training and people who see neither a whole site nor everyone."""
    return (user.can("training.read") and user.can("people.read") and not user.can("people.site")
            and not user.can("training.manage") and not user.can("scope.all_sites") and not user.can("people.manage"))


@provider
def training_counts(user) -> list[InboxItem] | Counts:
    gate, sign = _wants_gate(user), user.can("training.manage")
    if not gate and not sign:
        return []
    names, columns = _columns(gate, sign)

    def items(found) -> list[InboxItem]:
        values = dict(zip(names, found))
        out = []
        if values.get("gate"):
            out.append(InboxItem(title=_("%(n)d agent(s) flagged by the competence gate", n=values["gate"]),
                                 url=url_for("training.gate"),
                                 detail=_("Required initial training or SOP acknowledgement missing."), kind="due"))
        if values.get("sign"):
            out.append(InboxItem(title=_("%(n)d training session(s) to complete and sign", n=values["sign"]),
                                 url=url_for("training.index"), kind="sign"))
        return out

    # Counted with the other modules' numbers in one statement (core.inbox.Counts), built once per shape.
    return Counts(columns, items, {"training_user_id": user.id, "training_today": local_today()},
                  key=("training", gate, sign))


@cache
def _columns(gate: bool, sign: bool) -> tuple[tuple[str, ...], list]:
    """The gate count of a team leader's scope (`led_scope`: _wants_gate excludes every wider reader) and the trainer's
    unsigned sessions, with the user and the day as bound parameters."""
    from portal.people.permissions import led_scope
    from portal.training import matrix
    from portal.training.models import TrainingSession

    user_id, today = bindparam("training_user_id"), bindparam("training_today")
    columns = {}
    if gate:
        columns["gate"] = matrix.gate_count_query(led_scope(user_id), today)
    if sign:
        columns["sign"] = select(func.count(TrainingSession.id)).where(
            TrainingSession.trainer_id == user_id, TrainingSession.signed_at.is_(None), TrainingSession.held_on <= today)
    return tuple(columns), list(columns.values())

"""What the tapping module puts on the home page: returned calls waiting for the agent's recall (for the agent and
their team leader) and the calls waiting for a QCO's validation; counts with a link, one statement each."""
from __future__ import annotations

from functools import cache

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select

from portal.core.inbox import Counts, InboxItem, provider


@provider
def returns_to_recall(user) -> list[InboxItem] | Counts:
    """The agent: their returned calls; a team leader: those of the teams they lead."""
    # Agents and team leaders only: supervisors, QCOs and QA find returns on the worklist (their home pages are at
    # their statement budget).
    if not user.can("tapping.self") or user.can("tapping.site") or user.can("tapping.all"):
        return []
    can_read = user.can("tapping.read")

    def items(values) -> list[InboxItem]:
        mine, team = (int(v or 0) for v in values)
        out = []
        if mine:
            out.append(InboxItem(title=_("%(n)d returned call(s) to call again", n=mine), url=url_for("tapping.mine"),
                                 kind="due"))
        if team and can_read:
            out.append(InboxItem(title=_("%(n)d returned call(s) of your team wait for the agent's recall", n=team),
                                 url=url_for("tapping.index", stage="returned"), kind="due"))
        return out

    # Counted with the other modules' numbers in one statement (core.inbox.Counts), built once.
    return Counts(_returns_columns(), items, {"tapping_user_id": user.id}, key="tapping.returns")


@cache
def _returns_columns() -> list:
    from portal.people.models import Staff, Team
    from portal.tapping.models import RETURNED, Call

    user_id = bindparam("tapping_user_id")
    own = Call.agent_id.in_(select(Staff.id).where(Staff.user_id == user_id))
    led = Call.team_id.in_(select(Team.id).join(Staff, Team.leader_id == Staff.id).where(Staff.user_id == user_id))
    waiting = (Call.stage == RETURNED, Call.history.is_(False))
    return [select(func.count(Call.id)).where(*waiting, own), select(func.count(Call.id)).where(*waiting, led, ~own)]


@provider
def calls_to_validate(user) -> list[InboxItem] | Counts:
    """A QCO: the calls assigned to them and waiting for their verdict (counted with the other modules' numbers in one
    statement, built once)."""
    if not user.can("tapping.validate"):
        return []

    def items(values) -> list[InboxItem]:
        n = int(values[0] or 0)
        if not n:
            return []
        return [InboxItem(title=_("%(n)d call(s) assigned to you wait for validation", n=n),
                          url=url_for("tapping.index", mine=1), kind="sign")]

    return Counts(_validate_columns(), items, {"tapping_qco_id": user.id}, key=("tapping.to_validate",))


@cache
def _validate_columns() -> list:
    from portal.tapping.models import AGREE, NEW, RECALLED, Call

    return [select(func.count(Call.id)).where(Call.qco_id == bindparam("tapping_qco_id"), Call.result == AGREE,
                                              Call.stage.in_((NEW, RECALLED)), Call.history.is_(False))]


@provider
def results_to_sign(user) -> list[InboxItem] | Counts:
    """An agent (or a team leader who is an agent of a team too): their results waiting for their sign-off."""
    if not user.can("tapping.self") or user.can("tapping.site") or user.can("tapping.all"):
        return []
    from portal.tapping import signoff

    def items(values) -> list[InboxItem]:
        n = sum(int(v or 0) for v in values)
        if not n:
            return []
        return [InboxItem(title=_("%(n)d call quality result(s) to acknowledge or dispute", n=n),
                          url=url_for("tapping.mine") + "#sign-title", kind="sign")]

    return Counts(signoff.count_columns(), items, signoff.count_params(user), key="tapping.signoff")


@provider
def disputes_to_decide(user) -> list[InboxItem] | Counts:
    """QA: the agents' disputes waiting for a decision."""
    if not user.can("tapping.disputes"):
        return []
    def items(values) -> list[InboxItem]:
        n = int(values[0] or 0)
        if not n:
            return []
        return [InboxItem(title=_("%(n)d disputed call quality result(s) wait for your decision", n=n),
                          url=url_for("tapping.disputes"), kind="due")]

    return Counts(_disputes_columns(), items, key="tapping.disputes")


@cache
def _disputes_columns() -> list:
    from portal.tapping.models import DISPUTED, SignOff

    return [select(func.count(SignOff.id)).where(SignOff.status == DISPUTED)]

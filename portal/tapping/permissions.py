"""Who sees which call results: an agent their own; a team leader the calls of the teams they lead; a supervisor or
QCO (tapping.site) the calls of their site; QA, managers and auditors (tapping.all) every call. Customer numbers are
shown in clear only to the QCO assigned to the call (and each time it leaves an audit event)."""
from __future__ import annotations

from sqlalchemy import or_, select

from portal.people.models import Staff, Team
from portal.tapping.models import Call


def _own(user):
    return Call.agent_id.in_(select(Staff.id).where(Staff.user_id == user.id))


def call_scope(user):
    """A WHERE clause on Call for the calls this user sees (None: every call)."""
    if user.can("tapping.read") and (user.can("tapping.all") or user.can("scope.all_sites")):
        return None
    parts = [_own(user)]
    if user.can("tapping.read"):
        if user.can("tapping.site"):
            parts.append(Call.site_id == user.site_id)
        parts.append(Call.team_id.in_(select(Team.id).join(Staff, Team.leader_id == Staff.id).where(Staff.user_id == user.id)))
    return or_(*parts)


def is_own(user, call: Call) -> bool:
    return call.agent.user_id is not None and call.agent.user_id == user.id


def can_view(user, call: Call, led_team_ids: list[int] | None = None) -> bool:
    if is_own(user, call):
        return True
    if not user.can("tapping.read"):
        return False
    if user.can("tapping.all") or user.can("scope.all_sites"):
        return True
    if user.can("tapping.site") and call.site_id == user.site_id:
        return True
    from portal.people.permissions import led_team_ids as led

    return call.team_id is not None and call.team_id in (led_team_ids if led_team_ids is not None else led(user))


def can_validate(user, call: Call) -> bool:
    """A QCO (or QA) validates a call waiting on the worklist of their scope; never their own call."""
    return (user.can("tapping.validate") and not is_own(user, call) and can_view(user, call)
            and call.result == "AGREE" and call.stage in ("new", "recalled") and not call.history
            and (call.qco_id is None or call.qco_id == user.id or user.can("tapping.assign")))


def can_recall(user, call: Call) -> bool:
    """The agent records the recall of their own returned call."""
    return is_own(user, call) and call.stage == "returned" and not call.history


def sees_number(user, call: Call) -> bool:
    """The customer number in clear: the QCO assigned to the call only."""
    return call.qco_id is not None and call.qco_id == user.id and user.can("tapping.validate")


def mask(number: str | None) -> str:
    """0812****789: the first four and the last three digits of a number of eight or more; else stars only."""
    text = (number or "").strip()
    if len(text) >= 8:
        return text[:4] + "****" + text[-3:]
    return "****" if text else ""

"""Who sees which call results: an agent their own; a team leader the calls of the teams they lead; a supervisor or
QCO (tapping.site) the calls of their site; QA, managers and auditors (tapping.all) every call. Customer numbers are
shown in clear only to the QCO assigned to the call (and each time it leaves an audit event)."""
from __future__ import annotations

from sqlalchemy import or_, select

from portal.people.models import Staff, Team
from portal.tapping.models import Call, InboundCall


def _own(user, model=Call):
    return model.agent_id.in_(select(Staff.id).where(Staff.user_id == user.id))


def call_scope(user, model=Call):
    """A WHERE clause on Call (or InboundCall) for the calls this user sees (None: every call)."""
    if user.can("tapping.read") and (user.can("tapping.all") or user.can("scope.all_sites")):
        return None
    parts = [_own(user, model)]
    if user.can("tapping.read"):
        if user.can("tapping.site"):
            parts.append(model.site_id == user.site_id)
        parts.append(model.team_id.in_(select(Team.id).join(Staff, Team.leader_id == Staff.id).where(Staff.user_id == user.id)))
    return or_(*parts)


def is_own(user, call: Call) -> bool:
    return call.agent.user_id is not None and call.agent.user_id == user.id


def can_view(user, call, led_team_ids: list[int] | None = None) -> bool:
    """An outbound Call or an InboundCall."""
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


# ---------------------------------------------------------------- inbound scorecards, calibration, sign-off
def can_score(user, call: InboundCall, has_official: bool) -> bool:
    """A QCO (or QA) gives the official score of a sampled inbound call of their scope once: the QCO it is assigned
    to, or anyone who scores when nobody is (QA, who assigns, always); never their own call."""
    return (user.can("tapping.score") and not is_own(user, call) and can_view(user, call) and not has_official
            and (call.qco_id is None or call.qco_id == user.id or user.can("tapping.assign")))


def sees_inbound_number(user, call: InboundCall) -> bool:
    return bool(call.customer_number) and call.qco_id is not None and call.qco_id == user.id and user.can("tapping.score")


def can_open_calibration(user, call: InboundCall) -> bool:
    return user.can("tapping.calibrate") and can_view(user, call) and not is_own(user, call)


def can_see_calibrations(user) -> bool:
    """Calibration is the quality team's exercise: QCOs and QA, and the readers of every site (managers, auditors)."""
    return user.can("tapping.calibration")


def can_calibrate(user, calibration, scored: bool) -> bool:
    """A QCO or QA scores an open round once, never on their own call."""
    return (calibration.status == "open" and user.can("tapping.score") and not scored and not is_own(user, calibration.call)
            and can_view(user, calibration.call))


def sees_calibration_scores(user, calibration, scored: bool) -> bool:
    """The others' scores stay hidden from a scorer until they submitted theirs; once the round is closed, everyone
    who sees calibrations sees them (the scorers are independent)."""
    return scored or calibration.status == "closed"


def can_sign(user, agent_staff_user_id: int | None, signed: bool, given_at, now) -> bool:
    """The agent acknowledges or disputes a result of their own, once, within SIGNOFF_DAYS of it being given."""
    from datetime import timedelta

    from portal.tapping.models import SIGNOFF_DAYS

    return (user.can("tapping.self") and agent_staff_user_id is not None and agent_staff_user_id == user.id
            and not signed and given_at >= now - timedelta(days=SIGNOFF_DAYS))


def can_decide(user, signoff, own: bool) -> bool:
    """QA decides a pending dispute (not one about their own result)."""
    return user.can("tapping.disputes") and signoff.status == "disputed" and not own

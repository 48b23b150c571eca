"""The agent's sign-off of their results: each validation of their outbound calls and each official score of their
inbound calls is acknowledged, or disputed with a reason, within SIGNOFF_DAYS of being given (after that it stands as
given). QA decides a dispute: upheld or rejected, with a note. The result keeps both — the verdict or score as given,
the dispute and the decision.

What an upheld dispute changes (decided here, the issue is silent): on an inbound score QA may give an amended total
(0–100): the score shows it and counts it from then on, `original_total` keeps the first, and the fatal mark is lifted
when the amended total is above 0. On an outbound validation the verdict is not changed: a RETURN still waits for the
agent's recall (MNOP-01 §1.3.13: it is called again until it meets the parameters) and the QVS counts verdicts only;
the upheld dispute stays beside it on the call's page for the QCO's calibration and the agent's record."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, exists, func, select

from portal.core import audit
from portal.core.db import utcnow
from portal.core.service import ServiceError
from portal.extensions import db
from portal.people.models import Staff
from portal.tapping.models import (ACKNOWLEDGED, DISPUTED, REJECTED, SIGNOFF_DAYS, UPHELD, Call, InboundCall, Score, SignOff,
                                   Validation)
from portal.tapping.permissions import can_decide, can_sign


def _subject(result):
    """(the call the result is about, its agent's Staff, when it was given, the audit object)."""
    if isinstance(result, Validation):
        call = db.session.get(Call, result.call_id)
        return call, call.agent, result.validated_at, call
    call = result.call
    return call, call.agent, result.scored_at, call


def signoff_of(result) -> SignOff | None:
    column = SignOff.validation_id if isinstance(result, Validation) else SignOff.score_id
    return db.session.scalar(select(SignOff).where(column == result.id))


def _check_signable(result, actor):
    if isinstance(result, Validation) and result.imported:
        raise ServiceError(_("An imported past verdict is not signed off."), "form")
    if isinstance(result, Score) and result.calibration_id is not None:
        raise ServiceError(_("A calibration score is not a result of the agent."), "form")
    call, agent, given_at, obj = _subject(result)
    if not can_sign(actor, agent.user_id, signoff_of(result) is not None, given_at, utcnow()):
        raise ServiceError(_("This result is not waiting for your sign-off."), "form")
    return call, agent, obj


def _new(result, agent, status, reason, actor) -> SignOff:
    row = SignOff(validation_id=result.id if isinstance(result, Validation) else None,
                  score_id=result.id if isinstance(result, Score) else None, agent_id=agent.id, status=status,
                  reason=reason, signed_by_id=actor.id, signed_at=utcnow())
    db.session.add(row)
    db.session.flush()
    return row


def _label(result) -> dict:
    if isinstance(result, Validation):
        return {"result": "validation", "verdict": result.verdict}
    return {"result": "score", "score": result.total}


def acknowledge(result, actor) -> SignOff:
    call, agent, obj = _check_signable(result, actor)
    row = _new(result, agent, ACKNOWLEDGED, "", actor)
    audit.record("result.acknowledged", obj, new={"status": ACKNOWLEDGED, **_label(result)}, actor=actor)
    return row


def dispute(result, reason: str, actor) -> SignOff:
    call, agent, obj = _check_signable(result, actor)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Write why you dispute this result."), "reason")
    row = _new(result, agent, DISPUTED, reason[:2000], actor)
    audit.record("result.disputed", obj, new={"status": DISPUTED, **_label(result)}, reason=row.reason, actor=actor)
    return row


def decide(row: SignOff, decision: str, note: str, amended: str | None, actor) -> SignOff:
    """QA upholds or rejects a dispute with a note; upholding a score's dispute may amend its total."""
    result = db.session.get(Validation, row.validation_id) if row.validation_id else db.session.get(Score, row.score_id)
    call, agent, _given, obj = _subject(result)
    if not can_decide(actor, row, agent.user_id == actor.id):
        raise ServiceError(_("This dispute is not waiting for your decision."), "form")
    if decision not in (UPHELD, REJECTED):
        raise ServiceError(_("Choose upheld or rejected."), "decision")
    note = (note or "").strip()
    if not note:
        raise ServiceError(_("Write the note of your decision."), "note")
    new = {"status": decision, **_label(result)}
    text = (amended or "").strip().replace(",", ".")
    if text:
        if decision != UPHELD or not isinstance(result, Score):
            raise ServiceError(_("Only an upheld dispute of a score amends it."), "amended")
        try:
            value = Decimal(text).quantize(Decimal("0.01"))
        except InvalidOperation:
            value = None
        if value is None or not Decimal(0) <= value <= Decimal(100):
            raise ServiceError(_("The amended score is a number from 0 to 100."), "amended")
        if result.original_total is None:
            result.original_total = result.total
        new.update(amended_from=result.total, amended_to=value)
        result.total = value
        if value > 0:
            result.fatal = False
    row.status, row.decision_note, row.decided_by_id = decision, note[:2000], actor.id
    row.decided_name, row.decided_at = actor.full_name, utcnow()
    db.session.flush()
    audit.record("result.dispute_upheld" if decision == UPHELD else "result.dispute_rejected", obj, old={"status": DISPUTED},
                 new=new, reason=row.decision_note, actor=actor)
    return row


# ---------------------------------------------------------------- what waits
def cutoff():
    return utcnow() - timedelta(days=SIGNOFF_DAYS)


def own_staff(user_id):
    """The staff ids of a user (a user id, or a bound parameter standing for one)."""
    return select(Staff.id).where(Staff.user_id == user_id)


def unsigned_validations(user, user_id=None, since=None):
    """The WHERE of the user's validations waiting for their sign-off (on Validation joined to Call). `user_id` and
    `since` may be bound parameters (the home page's count is built once)."""
    user_id = user.id if user_id is None else user_id
    return and_(Call.agent_id.in_(own_staff(user_id)), Validation.imported.is_(False),
                Validation.validated_at >= (cutoff() if since is None else since),
                ~exists().where(SignOff.validation_id == Validation.id))


def unsigned_scores(user, user_id=None, since=None):
    """The WHERE of the user's official scores waiting for their sign-off (on Score joined to InboundCall)."""
    user_id = user.id if user_id is None else user_id
    return and_(InboundCall.agent_id.in_(own_staff(user_id)), Score.calibration_id.is_(None),
                Score.scored_at >= (cutoff() if since is None else since), ~exists().where(SignOff.score_id == Score.id))


@cache
def count_columns() -> list:
    """Scalar SELECTs for the home page (core.inbox.Counts): results to sign off, with the user's id and the cutoff
    as the parameters `tapping_user_id` and `tapping_since` (see count_params); built once."""
    user_id, since = bindparam("tapping_user_id"), bindparam("tapping_since")
    return [select(func.count(Validation.id)).join(Call, Call.id == Validation.call_id)
            .where(unsigned_validations(None, user_id, since)),
            select(func.count(Score.id)).join(InboundCall, InboundCall.id == Score.call_id)
            .where(unsigned_scores(None, user_id, since))]


def count_params(user) -> dict:
    return {"tapping_user_id": user.id, "tapping_since": cutoff()}

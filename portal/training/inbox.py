"""What the training module puts on the home page, as counts with a link."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.core.i18n import local_today
from portal.core.inbox import InboxItem, provider
from portal.extensions import db


@provider
def gate_flags(user) -> list[InboxItem]:
    """A team leader (and a supervisor) sees how many of their agents the competence gate flags."""
    from werkzeug.datastructures import MultiDict

    from portal.training import matrix
    from portal.training.queries import matrix_people

    if not (user.can("training.read") and user.can("people.read")) or user.can("training.manage") or user.can("scope.all_sites"):
        return []
    people, _after = matrix_people(user, MultiDict(), limit=None)
    if len(people) > 400:  # a whole site: the page lists them; the home page stays cheap
        return []
    _columns, rows = matrix.compute(people, local_today())
    n = sum(1 for r in rows if r.flagged)
    if not n:
        return []
    return [InboxItem(title=_("%(n)d agent(s) flagged by the competence gate", n=n), url=url_for("training.gate"),
                      detail=_("Required initial training or SOP acknowledgement missing."), kind="due")]


@provider
def sessions_to_sign(user) -> list[InboxItem]:
    """A trainer sees their held sessions whose result is not signed yet."""
    from portal.training.models import TrainingSession

    if not user.can("training.manage"):
        return []
    n = db.session.scalar(select(func.count(TrainingSession.id)).where(
        TrainingSession.trainer_id == user.id, TrainingSession.signed_at.is_(None), TrainingSession.held_on <= local_today())) or 0
    if not n:
        return []
    return [InboxItem(title=_("%(n)d training session(s) to complete and sign", n=n), url=url_for("training.index"), kind="sign")]


@provider
def coaching_to_acknowledge(user) -> list[InboxItem]:
    """The coached person sees the sessions waiting for their acknowledgement."""
    from portal.people.models import Staff
    from portal.training.models import CoachingSession

    if not user.can("coaching.self"):
        return []
    n = db.session.scalar(select(func.count(CoachingSession.id)).join(Staff, Staff.id == CoachingSession.staff_id)
                          .where(Staff.user_id == user.id, CoachingSession.acknowledged_at.is_(None))) or 0
    if not n:
        return []
    return [InboxItem(title=_("%(n)d coaching session(s) to acknowledge", n=n), url=url_for("coaching.index"), kind="sign")]


@provider
def escalations(user) -> list[InboxItem]:
    """A supervisor sees how many escalation proposals wait for a decision."""
    from portal.people.models import Staff
    from portal.training import coaching, permissions

    if not user.can("coaching.decide"):
        return []
    scope = permissions.coaching_scope(user)
    ids = None if scope is None else list(db.session.scalars(select(Staff.id).where(scope)))
    n = len(coaching.proposals(ids, local_today()))
    if not n:
        return []
    return [InboxItem(title=_("%(n)d escalation proposal(s) to decide", n=n), url=url_for("coaching.index"), kind="due")]

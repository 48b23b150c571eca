"""The coaching section of the person's page (people's extension point), loaded with htmx from
/coaching/people/<no> so the person's page keeps its statement budget."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.coaching import permissions
from portal.core.i18n import local_today
from portal.extensions import db


def _coaching(user, staff) -> dict | None:
    if not permissions.can_view_coaching(user, staff):
        return None
    return {"url_endpoint": "coaching.person_section"}


def coaching_context(user, staff) -> dict:
    """What the coaching section shows: findings, coaching sessions, warnings and the "under coaching" flag."""
    from portal.coaching.labels import finding_kind_labels
    from portal.coaching.models import CoachingSession, Finding, Warning

    today = local_today()
    findings = list(db.session.scalars(select(Finding).where(Finding.staff_id == staff.id).order_by(Finding.found_on.desc()).limit(30)))
    sessions = list(db.session.scalars(select(CoachingSession).where(CoachingSession.staff_id == staff.id)
                                       .order_by(CoachingSession.held_on.desc()).limit(30)))
    warnings = list(db.session.scalars(select(Warning).where(Warning.staff_id == staff.id).order_by(Warning.issued_on.desc()).limit(30)))
    valid = [w for w in warnings if w.valid_on(today)]
    return {"findings": findings, "sessions": sessions, "warnings": warnings, "today": today,
            "under": max(valid, key=lambda w: w.level.rank) if valid else None,
            "kinds": finding_kind_labels(), "can_raise": permissions.can_raise(user, staff),
            "can_warn": permissions.can_warn(user, staff), "own": staff.user_id == user.id}


def register() -> None:
    from portal.people import sections

    sections.register(sections.Section("coaching", _l("Coaching and discipline"), "training/sections/lazy.html",
                                       _coaching, order=50))

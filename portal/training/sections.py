"""The training and coaching sections of the person's page (people's extension point)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.core.i18n import local_today
from portal.extensions import db
from portal.training import permissions


def _training(user, staff) -> dict | None:
    from portal.training import matrix
    from portal.training.labels import STATUS_TONE, status_labels
    from portal.training.models import Attendee, TrainingSession

    if not permissions.can_view_training(user, staff):
        return None
    columns, rows = matrix.compute([staff], local_today())
    attended = db.session.execute(select(Attendee, TrainingSession).join(TrainingSession, TrainingSession.id == Attendee.session_id)
                                  .where(Attendee.staff_id == staff.id).order_by(TrainingSession.held_on.desc()).limit(30)).all()
    return {"columns": columns, "row": rows[0], "attended": attended, "labels": status_labels(), "tones": STATUS_TONE,
            "can_open": user.can("training.read")}


def _coaching(user, staff) -> dict | None:
    from portal.training import coaching
    from portal.training.labels import finding_kind_labels
    from portal.training.models import CoachingSession, Finding, Warning

    if not permissions.can_view_coaching(user, staff):
        return None
    today = local_today()
    findings = list(db.session.scalars(select(Finding).where(Finding.staff_id == staff.id).order_by(Finding.found_on.desc()).limit(30)))
    sessions = list(db.session.scalars(select(CoachingSession).where(CoachingSession.staff_id == staff.id)
                                       .order_by(CoachingSession.held_on.desc()).limit(30)))
    warnings = list(db.session.scalars(select(Warning).where(Warning.staff_id == staff.id).order_by(Warning.issued_on.desc()).limit(30)))
    current = next((w for w in warnings if w.valid_on(today)), None)
    return {"findings": findings, "sessions": sessions, "warnings": warnings, "today": today,
            "under": max((w for w in warnings if w.valid_on(today)), key=lambda w: w.level.rank, default=current),
            "kinds": finding_kind_labels(), "can_raise": permissions.can_raise(user, staff),
            "can_warn": permissions.can_warn(user, staff), "own": staff.user_id == user.id}


def register() -> None:
    from portal.people import sections

    sections.register(sections.Section("training", _l("Training"), "training/sections/training.html", _training, order=40))
    sections.register(sections.Section("coaching", _l("Coaching and discipline"), "training/sections/coaching.html",
                                       _coaching, order=50))

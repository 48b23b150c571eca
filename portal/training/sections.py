"""The training section of the person's page (people's extension point). It loads itself with htmx from its own
address (/training/people/<no>), so the person's page keeps its statement budget whatever the modules add to it."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.core.i18n import local_today
from portal.extensions import db
from portal.training import permissions


def _training(user, staff) -> dict | None:
    if not permissions.can_view_training(user, staff):
        return None
    return {"url_endpoint": "training.person_section"}


def training_context(user, staff) -> dict:
    """What the training section shows: the person's row of the matrix and the sessions attended."""
    from portal.training import matrix
    from portal.training.labels import STATUS_TONE, status_labels
    from portal.training.models import Attendee, TrainingSession

    columns, rows = matrix.compute([staff], local_today())
    attended = db.session.execute(select(Attendee, TrainingSession).join(TrainingSession, TrainingSession.id == Attendee.session_id)
                                  .where(Attendee.staff_id == staff.id).order_by(TrainingSession.held_on.desc()).limit(30)).all()
    return {"columns": columns, "row": rows[0], "attended": attended, "labels": status_labels(), "tones": STATUS_TONE,
            "can_open": user.can("training.read")}


def register() -> None:
    from portal.people import sections

    sections.register(sections.Section("training", _l("Training"), "training/sections/lazy.html", _training, order=40))

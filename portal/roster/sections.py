"""The roster section of the person's page (people's extension point), loaded with htmx from /roster/people/<no>
so the person's page keeps its statement budget."""
from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l

from portal.core.i18n import local_today


def _roster(user, staff) -> dict | None:
    own = staff.user_id is not None and staff.user_id == user.id
    if not ((own and user.can("roster.self")) or user.can("roster.team")):
        return None
    return {"url_endpoint": "roster.person_section"}


def roster_context(staff) -> dict:
    """The person's shifts and attendance of the last and next seven days (four statements)."""
    from portal.roster import realisation
    from portal.roster.labels import absence_labels, state_labels

    today = local_today()
    return {"days": realisation.days_of([staff.id], today - timedelta(days=7), today + timedelta(days=7)),
            "states": state_labels(), "absences": absence_labels()}


def register() -> None:
    from portal.people import sections

    sections.register(sections.Section("roster", _l("Roster and attendance"), "training/sections/lazy.html",
                                       _roster, order=60))

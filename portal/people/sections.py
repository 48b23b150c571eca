"""The person's page is made of sections: people registers its own (position, team, contracts); later modules
(training, coaching, roster, tapping) register theirs in their setup(app), without editing people's templates.

A section is a template of the module that owns it and a loader: `load(user, staff)` returns the template's
context, or None when the section has nothing to show this user. Loaders run once per page view, never per row."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import select


from portal.extensions import db


@dataclass
class Section:
    key: str
    title: object
    template: str
    load: Callable[[object, object], dict | None]
    order: int = 100


_sections: dict[str, Section] = {}


def register(section: Section) -> Section:
    """Add (or replace) a section of the person's page."""
    _sections[section.key] = section
    return section


def registered() -> list[Section]:
    return sorted(_sections.values(), key=lambda s: (s.order, s.key))


def sections_for(user, staff) -> list[tuple[Section, dict]]:
    """The sections this user sees on this person's page, in order, with their context."""
    out = []
    for section in registered():
        context = section.load(user, staff)
        if context is not None:
            out.append((section, context))
    return out


# ---------------------------------------------------------------- people's own sections
def _team(user, staff) -> dict:
    from portal.people.models import TeamMembership

    rows = db.session.scalars(select(TeamMembership).where(TeamMembership.staff_id == staff.id)
                              .order_by(TeamMembership.starts_on.desc())).all()
    return {"memberships": rows}


def _contracts(user, staff) -> dict:
    from portal.people import permissions
    from portal.people.labels import kind_labels
    from portal.people.models import StaffContract

    from flask import g

    from portal.people.forms import DecideForm
    from portal.people.models import ContractExtension

    rows = db.session.scalars(select(StaffContract).where(StaffContract.staff_id == staff.id)
                              .order_by(StaffContract.starts_on.desc())).all()
    extensions = db.session.scalars(select(ContractExtension).where(
        ContractExtension.contract_id.in_([c.id for c in rows] or [0])).order_by(ContractExtension.proposed_at.desc())).all() if rows else []
    pending = [e for e in extensions if e.status == "proposed"]
    decide = user.can("people.approve_extension")
    given = getattr(g, "people_decide_forms", {}) or {}
    forms = {e.id: given.get(e.id) or DecideForm(prefix=f"decide-{e.id}", formdata=None) for e in pending} if decide else {}
    return {"contracts": rows, "latest_id": rows[0].id if rows else None, "can_manage": permissions.can_manage(user),
            "can_see_personal": permissions.can_see_personal(user, staff),
            "can_evaluate": user.can("people.evaluate") and permissions.can_view(user, staff), "kind_labels": kind_labels(),
            "extensions": extensions, "pending": pending, "decide_forms": forms,
            "pending_contract_ids": {e.contract_id for e in pending}}


def register_own() -> None:
    from flask_babel import lazy_gettext as _l

    register(Section("team", _l("Team history"), "people/sections/team.html", _team, order=20))
    register(Section("contracts", _l("Employment contracts"), "people/sections/contracts.html", _contracts, order=30))


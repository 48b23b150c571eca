"""Who may see and change whom: one place, used by views, templates, queries and services alike.

- HR (people.manage) sees and manages everyone; a reader with scope.all_sites (manager, auditor) sees everyone;
- a supervisor (people.site) sees the staff and teams of their site;
- a team leader (people.read only) sees the members of the teams they lead;
- everyone sees their own staff page.
Personal data: HR, the person, and a holder of people.personal who may see the person (their manager chain)."""
from __future__ import annotations

from flask import g, has_request_context
from sqlalchemy import and_, or_, select

from portal.extensions import db
from portal.people.models import Staff, Team, TeamMembership


def sees_everyone(user) -> bool:
    return user.can("people.manage") or (user.can("people.read") and user.can("scope.all_sites"))


def led_team_ids(user) -> list[int]:
    """The teams whose leader is this user's staff record (one statement, remembered for the request)."""
    key = f"_people_led_{user.id}"
    if has_request_context() and hasattr(g, key):
        return getattr(g, key)
    ids = list(db.session.scalars(select(Team.id).join(Staff, Team.leader_id == Staff.id)
                                  .where(Staff.user_id == user.id, Team.active.is_(True))))
    if has_request_context():
        setattr(g, key, ids)
    return ids


def staff_scope(user):
    """A WHERE clause on Staff for the people this user may see (None: everyone)."""
    return bound_staff_scope(staff_scope_kind(user), user.id, user.site_id)


def staff_scope_kind(user) -> str:
    """Which shape of `staff_scope` this user has: "all", "mine" (no people.read), "site" or "led"."""
    if sees_everyone(user):
        return "all"
    if not user.can("people.read"):
        return "mine"
    return "site" if user.can("people.site") else "led"


def bound_staff_scope(kind: str, user_id, site_id):
    """The clause of one shape of `staff_scope`, the user and the site as values or as bound parameters (the home
    page's counts build their statement once per shape and give the values at execution)."""
    if kind == "all":
        return None
    if kind == "mine":
        return Staff.user_id == user_id
    if kind == "site":
        return site_scope(user_id, site_id)
    return led_scope(user_id)


def site_scope(user_id, site_id):
    """A WHERE clause on Staff: the user themselves and the people of their site (values or bound parameters)."""
    return or_(Staff.user_id == user_id, Staff.site_id == site_id)


def led_scope(user_id):
    """A WHERE clause on Staff: the user themselves and the current members of the teams they lead (the scope of a
    reader who sees neither a site nor everyone). `user_id` may be a bound parameter (a statement built once)."""
    led = (select(TeamMembership.staff_id).join(Team, TeamMembership.team_id == Team.id)
           .join(Staff, Team.leader_id == Staff.id)
           .where(TeamMembership.ends_on.is_(None), Staff.user_id == user_id))
    return or_(Staff.user_id == user_id, Staff.id.in_(led))


def team_scope(user):
    """A WHERE clause on Team for the teams this user may see (None: every team)."""
    if sees_everyone(user):
        return None
    if user.can("people.site"):
        return Team.site_id == user.site_id
    leader = select(Staff.id).where(Staff.user_id == user.id)
    return and_(Team.leader_id.in_(leader))


def can_view(user, staff: Staff) -> bool:
    """The person themselves, or a reader whose scope holds them."""
    if staff.user_id is not None and staff.user_id == user.id:
        return True
    if sees_everyone(user):
        return True
    if not user.can("people.read"):
        return False
    if user.can("people.site"):
        return staff.site_id == user.site_id
    membership = staff.current_membership
    return membership is not None and membership.team_id in led_team_ids(user)


def can_see_personal(user, staff: Staff) -> bool:
    """Birth date, identity number, phone, address: HR, the person, and their manager chain."""
    if staff.user_id is not None and staff.user_id == user.id:
        return True
    if user.can("people.manage"):
        return True
    return user.can("people.personal") and can_view(user, staff)


def can_view_team(user, team: Team) -> bool:
    if sees_everyone(user):
        return True
    if user.can("people.site"):
        return team.site_id == user.site_id
    return user.can("people.read") and team.id in led_team_ids(user)


def can_manage(user) -> bool:
    """Add and edit staff, teams and contracts, move people, import."""
    return user.can("people.manage")

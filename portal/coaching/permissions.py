"""Who sees whose coaching records: a person their own findings, sessions and warnings and nothing of anyone
else's; a team leader their team; a supervisor, QCO or QA (coaching.site) their site; HR and managers everyone."""
from __future__ import annotations

from sqlalchemy import or_

from portal.people import permissions as people
from portal.people.models import Staff


def coaching_scope(user):
    """A WHERE clause on Staff for the people whose coaching records this user sees (None: everyone)."""
    if user.can("coaching.all"):
        return None
    base = people.staff_scope(user)
    if user.can("coaching.site"):
        site = Staff.site_id == user.site_id
        return site if base is None else or_(base, site)
    return base


def can_view_coaching(user, staff: Staff) -> bool:
    if staff.user_id is not None and staff.user_id == user.id:
        return True
    if user.can("coaching.all"):
        return True
    if user.can("coaching.site") and staff.site_id == user.site_id:
        return True
    return user.can("coaching.raise") and people.can_view(user, staff)


def can_raise(user, staff: Staff) -> bool:
    """Raise a finding or record a coaching session: not against oneself, only within one's coaching scope."""
    if staff.user_id is not None and staff.user_id == user.id:
        return False
    return user.can("coaching.raise") and can_view_coaching(user, staff)


def can_warn(user, staff: Staff) -> bool:
    return user.can("coaching.warn") and can_raise(user, staff)

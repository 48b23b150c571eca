"""Who sees whose training: trainers and HR (training.manage) see everyone; readers (team leaders, supervisors,
managers, auditors) the people module's scope (a TL their team, a supervisor their site); everyone their own."""
from __future__ import annotations

from portal.people import permissions as people
from portal.people.models import Staff


def training_scope(user):
    """A WHERE clause on Staff for the people whose training this user sees (None: everyone)."""
    if user.can("training.manage"):
        return None
    return people.staff_scope(user)


def can_view_training(user, staff: Staff) -> bool:
    return user.can("training.manage") or people.can_view(user, staff)

"""Who sees and changes which roster: a person their own shifts and attendance; a team leader the teams they lead
(plans them, records their attendance); a supervisor the teams of their site (plans, publishes, records); HR,
managers and auditors read every team. Views, templates and services use the same functions."""
from __future__ import annotations

from portal.people import permissions as people
from portal.people.models import Staff, Team


def can_view_team(user, team: Team) -> bool:
    if not user.can("roster.team"):
        return False
    if user.can("roster.all"):
        return True
    if user.can("roster.site"):
        return team.site_id == user.site_id
    return team.id in people.led_team_ids(user)


def can_plan(user, team: Team) -> bool:
    """Edit the team's roster: the team leader of the team, or a supervisor of its site."""
    if not user.can("roster.plan"):
        return False
    if user.can("roster.site") and team.site_id == user.site_id:
        return True
    return team.id in people.led_team_ids(user)


def can_publish(user, team: Team) -> bool:
    return user.can("roster.publish") and team.site_id == user.site_id


def can_record(user, team: Team) -> bool:
    """Record check-ins, check-outs and absences of the team's people."""
    return user.can("roster.attendance") and can_plan(user, team)


def team_scope(user):
    """A WHERE clause on Team for the teams whose roster this user sees (None: every team)."""
    from sqlalchemy import false, select

    if not user.can("roster.team"):
        return false()
    if user.can("roster.all"):
        return None
    if user.can("roster.site"):
        return Team.site_id == user.site_id
    return Team.leader_id.in_(select(Staff.id).where(Staff.user_id == user.id))

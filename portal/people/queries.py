"""The staff and teams a user may see, filtered as the lists filter them."""
from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from portal.core.urls import db_int
from portal.people.models import STAFF_STATUSES, Staff, Team, TeamMembership, staff_service
from portal.people.permissions import staff_scope, team_scope


ENDING_WINDOWS = (7, 30, 60)  # reminders before a contract ends (issue 10: 60, 30 and 7 days)


def visible_staff(user):
    """The staff records this user may see, as a query to filter further."""
    stmt = select(Staff)
    scope = staff_scope(user)
    return stmt if scope is None else stmt.where(scope)


def visible_teams(user):
    stmt = select(Team)
    scope = team_scope(user)
    return stmt if scope is None else stmt.where(scope)


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def filtered_staff(user, args):
    """The list's query: search (name or employee number), site, service, team, position, status."""
    stmt = visible_staff(user).options(joinedload(Staff.current_membership))
    q = (args.get("q") or "").strip()[:100]
    if q:
        pattern = like_pattern(q)
        stmt = stmt.where(or_(func.lower(Staff.full_name).like(pattern, escape="\\"),
                              func.lower(Staff.employee_number).like(pattern, escape="\\")))
    if args.get("site", type=db_int):
        stmt = stmt.where(Staff.site_id == args.get("site", type=db_int))
    if args.get("position", type=db_int):
        stmt = stmt.where(Staff.position_id == args.get("position", type=db_int))
    if args.get("service", type=db_int):
        stmt = stmt.where(Staff.id.in_(select(staff_service.c.staff_id)
                                       .where(staff_service.c.service_id == args.get("service", type=db_int))))
    if args.get("team", type=db_int):
        stmt = stmt.where(Staff.id.in_(select(TeamMembership.staff_id).where(
            TeamMembership.team_id == args.get("team", type=db_int), TeamMembership.ends_on.is_(None))))
    ending = args.get("ending", type=int)
    if ending in ENDING_WINDOWS:
        from portal.core.i18n import local_today
        from portal.people.services import ending_clause

        stmt = stmt.where(ending_clause(local_today(), ending))
    status = args.get("status")
    if status in STAFF_STATUSES:
        stmt = stmt.where(Staff.status == status)
    elif status != "all":
        stmt = stmt.where(Staff.status != "ended")  # by default the list shows the people who still work here
    return stmt

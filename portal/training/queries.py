"""Loading what the training pages show, in a fixed number of statements."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.core.urls import db_int
from portal.extensions import db
from portal.people.models import ENDED, Staff, Team, TeamMembership, staff_service
from portal.training.permissions import training_scope

MATRIX_PAGE = 100


def matrix_people(user, args, limit: int | None = MATRIX_PAGE) -> tuple[list[Staff], str | None]:
    """The people of the matrix (scope and filters: team, site, service), by employee number, a page at a time."""
    stmt = (select(Staff).options(joinedload(Staff.current_membership), joinedload(Staff.services))
            .where(Staff.status != ENDED).order_by(Staff.employee_number))
    scope = training_scope(user)
    if scope is not None:
        stmt = stmt.where(scope)
    team = args.get("team", type=db_int)
    if team:
        stmt = stmt.where(Staff.id.in_(select(TeamMembership.staff_id).where(TeamMembership.team_id == team,
                                                                             TeamMembership.ends_on.is_(None))))
    if args.get("site", type=db_int):
        stmt = stmt.where(Staff.site_id == args.get("site", type=db_int))
    if args.get("service", type=db_int):
        stmt = stmt.where(Staff.id.in_(select(staff_service.c.staff_id).where(
            staff_service.c.service_id == args.get("service", type=db_int))))
    after = (args.get("after") or "")[:30]
    if after:
        stmt = stmt.where(Staff.employee_number > after)
    if limit is None:
        return list(db.session.scalars(stmt).unique()), None
    people = list(db.session.scalars(stmt.limit(limit + 1)).unique())
    more = people[limit].employee_number if len(people) > limit else None
    people = people[:limit]
    return people, (people[-1].employee_number if more else None)


def teams_for(user) -> list[Team]:
    from portal.people.permissions import team_scope

    stmt = select(Team).where(Team.active.is_(True)).order_by(Team.name)
    if not user.can("training.manage"):
        scope = team_scope(user)
        if scope is not None:
            stmt = stmt.where(scope)
    return list(db.session.scalars(stmt))

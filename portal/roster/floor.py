"""Today's floor: who is expected now, who is in, late or absent, per site, service and team (a fixed number of
statements: the shifts of today and last night's still running, the people, their attendance, the services' hours)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from portal.core.db import utcnow
from portal.core.i18n import local_today
from portal.extensions import db
from portal.people.models import Staff, Team
from portal.roster import permissions
from portal.roster.models import Attendance, RosterEntry, RosterMonth, ServiceHours
from portal.roster.realisation import Day, evaluate


@dataclass
class Floor:
    rows: list[tuple[Team, Day]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    refreshed: object = None


def floor(user, site_id: int | None = None, service_id: int | None = None, team_id: int | None = None) -> Floor:
    now = utcnow()
    today = local_today()
    stmt = (select(RosterEntry, Team).join(RosterMonth, RosterMonth.id == RosterEntry.month_id)
            .join(Team, Team.id == RosterMonth.team_id)
            .where(RosterEntry.day.in_([today - timedelta(days=1), today])))
    scope = permissions.team_scope(user)
    if scope is not None:
        stmt = stmt.where(scope)
    if site_id:
        stmt = stmt.where(Team.site_id == site_id)
    if service_id:
        stmt = stmt.where(Team.service_id == service_id)
    if team_id:
        stmt = stmt.where(Team.id == team_id)
    found = db.session.execute(stmt.limit(2000)).all()
    out = Floor(refreshed=now)
    if not found:
        return out
    ids = sorted({e.staff_id for e, _t in found})
    people = {s.id: s for s in db.session.scalars(select(Staff).where(Staff.id.in_(ids)))}
    atts = {(a.staff_id, a.day): a for a in db.session.scalars(select(Attendance).where(
        Attendance.staff_id.in_(ids), Attendance.day.in_([today - timedelta(days=1), today])))}
    hours = {h.service_id: h for h in db.session.scalars(select(ServiceHours))}
    for entry, team in found:
        if entry.day != today:
            # last night's shift is on the floor only while it runs
            from portal.roster.realisation import local_now

            staff = people[entry.staff_id]
            if not (entry.shift.crosses_midnight and local_now(staff.site.timezone, now) < entry.shift.end_on(entry.day)):
                continue
        d = evaluate(people[entry.staff_id], entry.day, entry.shift, atts.get((entry.staff_id, entry.day)),
                     hours.get(entry.shift.service_id), now)
        out.rows.append((team, d))
        out.counts[d.state] = out.counts.get(d.state, 0) + 1
    out.rows.sort(key=lambda r: (r[0].site.name, r[0].name, r[1].shift.starts, r[1].staff.full_name))
    return out

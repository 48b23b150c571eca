"""What the roster module puts on the home page: one panel loaded by htmx (the home page keeps its statement
budget) with the check-in and check-out button of a rostered person, and for team leaders and supervisors the days
whose realisation is still incomplete, due within three working days (HK+3, P-10) or overdue."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import and_, exists, select

from portal.core.inbox import InboxItem, provider
from portal.extensions import db

HK = 3  # the daily evaluation is due within three working days
LOOK_BACK = 45  # days


@provider
def roster_panel(user) -> list[InboxItem]:
    if not (user.can("roster.self") or user.can("roster.attendance")):
        return []
    return [InboxItem(title=_("Roster and attendance"), url=url_for("roster.home_panel"), kind="panel")]


@dataclass
class Pending:
    team_id: int
    team: str
    day: date
    due: date
    people: int

    @property
    def overdue(self) -> bool:
        from portal.core.i18n import local_today

        return self.due < local_today()


def pending_days(user, today: date) -> list[Pending]:
    """Past days of the user's teams with a rostered person whose attendance is not recorded, with their HK+3 due
    date (two statements: the days, the calendar)."""
    from sqlalchemy import func

    from portal.core.workdays import add_working_days, days_off, is_working_day
    from portal.people.models import Team
    from portal.roster import permissions
    from portal.roster.models import Attendance, RosterEntry, RosterMonth

    scope = permissions.team_scope(user)
    if not user.can("roster.attendance"):
        return []
    recorded = exists().where(and_(Attendance.staff_id == RosterEntry.staff_id, Attendance.day == RosterEntry.day))
    stmt = (select(Team.id, Team.name, RosterEntry.day, func.count(RosterEntry.id))
            .join(RosterMonth, RosterMonth.id == RosterEntry.month_id).join(Team, Team.id == RosterMonth.team_id)
            .where(RosterEntry.day < today, RosterEntry.day >= today - timedelta(days=LOOK_BACK), ~recorded)
            .group_by(Team.id, Team.name, RosterEntry.day).order_by(RosterEntry.day, Team.name))
    if scope is not None:
        stmt = stmt.where(scope)
    found = db.session.execute(stmt).all()
    if not found:
        return []
    first = min(r[2] for r in found)
    off = days_off(first, today + timedelta(days=30))
    out = []
    for team_id, name, day, n in found:
        due, left, current = None, HK, day
        while left:
            current += timedelta(days=1)
            if is_working_day(current, off):
                left -= 1
        due = current if current <= today + timedelta(days=30) else add_working_days(day, HK)
        out.append(Pending(team_id, name, day, due, n))
    return out


def panel(user) -> dict:
    """The context of the home panel."""
    from portal.core.i18n import local_today
    from portal.people.models import Staff
    from portal.roster import realisation

    today = local_today()
    staff = db.session.scalar(select(Staff).where(Staff.user_id == user.id)) if user.can("roster.self") else None
    entry = att = None
    if staff is not None:
        now_local = realisation.local_now(staff.site.timezone)
        entry = realisation.entry_for_now(staff, now_local)
        day = entry.day if entry is not None else now_local.date()
        from portal.roster.models import Attendance

        att = db.session.scalar(select(Attendance).where(Attendance.staff_id == staff.id, Attendance.day == day))
    pending = pending_days(user, today)
    return {"staff": staff, "entry": entry, "att": att, "pending": pending, "today": today,
            "overdue": [p for p in pending if p.due < today], "due": [p for p in pending if p.due >= today]}

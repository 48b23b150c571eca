"""Planning a team's month: one cell (person × day) at a time, a range, last week's pattern; the refusals (inactive
or without a contract, two shifts on one day, outside the service's hours, another team) and the warnings (less
than 11 hours of rest, more than 6 working days in a row, flagged by the competence gate); publishing signed by
the supervisor, and the changes after it, one by one with a reason. Services mutate, flush and audit; never commit."""
from __future__ import annotations

import json
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from portal.core import audit
from portal.core.db import utcnow
from portal.core.service import ServiceError
from portal.extensions import db
from portal.people.models import ENDED, Staff, Team, TeamMembership
from portal.roster.models import (CHANGE_KINDS, DRAFT, PUBLISHED, RosterChange, RosterEntry, RosterMonth,
                                  ServiceHours, Shift)

MIN_REST_HOURS = 11
MAX_DAYS_IN_A_ROW = 6


def month_days(month: date) -> list[date]:
    return [month.replace(day=d) for d in range(1, monthrange(month.year, month.month)[1] + 1)]


def parse_month(text: str) -> date | None:
    """'2026-11' -> date(2026, 11, 1); None when it is not a month."""
    try:
        parsed = datetime.strptime(text or "", "%Y-%m").date()
    except ValueError:
        return None
    return parsed if 2000 <= parsed.year <= 2100 else None


def shifts_of(service_id: int, active_only: bool = True) -> list[Shift]:
    stmt = select(Shift).where(Shift.service_id == service_id).order_by(Shift.starts, Shift.code)
    if active_only:
        stmt = stmt.where(Shift.active.is_(True))
    return list(db.session.scalars(stmt))


def hours_of(service_id: int) -> ServiceHours | None:
    return db.session.scalar(select(ServiceHours).where(ServiceHours.service_id == service_id))


def get_month(team: Team, month: date) -> RosterMonth | None:
    return db.session.scalar(select(RosterMonth).where(RosterMonth.team_id == team.id, RosterMonth.month == month))


def month_for(team: Team, month: date, actor=None) -> RosterMonth:
    """The team's roster of the month, a new draft when there is none yet."""
    row = get_month(team, month)
    if row is None:
        row = RosterMonth(team_id=team.id, month=month, status=DRAFT)
        db.session.add(row)
        db.session.flush()
        audit.record("roster.created", row, new={"team": team.name, "month": f"{month:%Y-%m}"}, actor=actor)
    return row


def members(team: Team, month: date) -> list[Staff]:
    """The people who belong to the team on at least one day of the month, with their contracts and memberships
    (three statements)."""
    first, last = month, month_days(month)[-1]
    ids = select(TeamMembership.staff_id).where(TeamMembership.team_id == team.id, TeamMembership.starts_on <= last,
                                                or_(TeamMembership.ends_on.is_(None), TeamMembership.ends_on >= first))
    return list(db.session.scalars(select(Staff).where(Staff.id.in_(ids)).order_by(Staff.full_name, Staff.id)
                                   .options(selectinload(Staff.contracts), selectinload(Staff.memberships))))


# ---------------------------------------------------------------- refusals and warnings
def inactive_reason(staff: Staff, day: date) -> str | None:
    """Why this person cannot work on `day` (not hired yet, ended, no contract covering it), or None."""
    if staff.hire_date > day:
        return _("%(name)s is not employed yet on %(day)s.", name=staff.full_name, day=day.isoformat())
    if staff.status == ENDED and (staff.ended_on is None or staff.ended_on < day):
        return _("%(name)s is no longer active on %(day)s.", name=staff.full_name, day=day.isoformat())
    if not any(c.covers(day) for c in staff.contracts):
        return _("%(name)s has no contract on %(day)s.", name=staff.full_name, day=day.isoformat())
    return None


def outside_hours(shift: Shift, hours: ServiceHours | None) -> bool:
    """A shift outside its service's operating hours (a service without hours runs around the clock)."""
    if hours is None or hours.around_the_clock:
        return False
    if shift.crosses_midnight:
        return True
    return shift.starts < hours.opens or shift.ends > hours.closes


def check_cell(team: Team, staff: Staff, day: date, shift: Shift | None, hours: ServiceHours | None,
               elsewhere: set[tuple[int, date]]) -> str | None:
    """Why this cell cannot hold this shift, or None (`elsewhere`: the (person, day) rostered in another team)."""
    if not any(m.team_id == team.id and m.covers(day) for m in staff.memberships):
        return _("%(name)s is not in team %(team)s on %(day)s.", name=staff.full_name, team=team.name, day=day.isoformat())
    if shift is None:
        return None
    why = inactive_reason(staff, day)
    if why:
        return why
    if (staff.id, day) in elsewhere:
        return _("%(name)s already has a shift on %(day)s in another team: one shift a day.", name=staff.full_name,
                 day=day.isoformat())
    if shift.service_id != team.service_id or not shift.active:
        return _("Shift %(code)s is not a shift of this team's service.", code=shift.code)
    if outside_hours(shift, hours):
        return _("Shift %(code)s (%(start)s–%(end)s) is outside the service's operating hours.", code=shift.code,
                 start=f"{shift.starts:%H.%M}", end=f"{shift.ends:%H.%M}")
    return None


def rostered_elsewhere(team: Team, staff_ids: list[int], first: date, last: date) -> set[tuple[int, date]]:
    """(person, day) with a shift in another team's roster between first and last (one statement)."""
    if not staff_ids:
        return set()
    return set(db.session.execute(
        select(RosterEntry.staff_id, RosterEntry.day).join(RosterMonth, RosterMonth.id == RosterEntry.month_id)
        .where(RosterEntry.staff_id.in_(staff_ids), RosterEntry.day >= first, RosterEntry.day <= last,
               RosterMonth.team_id != team.id)).all())


def warnings_for(cells: dict[date, Shift], gate_flagged: bool = False) -> dict[date, list[str]]:
    """The warnings of one person's days (not refusals): less than 11 hours of rest before a shift, the 7th working
    day in a row, flagged by the competence gate."""
    out: dict[date, list[str]] = {}
    days = sorted(cells)
    run = 0
    previous: date | None = None
    for day in days:
        shift = cells[day]
        if previous is not None and (day - previous).days == 1:
            run += 1
        else:
            run = 1
        if previous is not None:
            rest = shift.start_on(day) - cells[previous].end_on(previous)
            if rest < timedelta(hours=MIN_REST_HOURS):
                out.setdefault(day, []).append(_("Less than %(n)d hours of rest since the previous shift.", n=MIN_REST_HOURS))
        if run > MAX_DAYS_IN_A_ROW:
            out.setdefault(day, []).append(_("More than %(n)d working days in a row.", n=MAX_DAYS_IN_A_ROW))
        if gate_flagged:
            out.setdefault(day, []).append(_("Flagged by the competence gate of the training module."))
        previous = day
    return out


def gate_flagged(staff_ids: list[int], today: date) -> set[int]:
    """The people the training module's competence gate flags (empty when the module is off; one statement)."""
    from portal.core.modules import is_enabled

    if not staff_ids or not is_enabled("training"):
        return set()
    from portal.training import matrix

    return matrix.flagged_ids(Staff.id.in_(staff_ids), today)


# ---------------------------------------------------------------- the grid
@dataclass
class Cell:
    """One cell as the grid shows it."""
    day: date
    code: str
    css: str
    title: str
    blocked: bool


@dataclass
class Grid:
    team: Team
    month: date
    roster: RosterMonth | None
    days: list[date]
    people: list[Staff]
    shifts: list[Shift]
    hours: ServiceHours | None
    cells: dict[tuple[int, date], Shift] = field(default_factory=dict)
    warnings: dict[tuple[int, date], list[str]] = field(default_factory=dict)
    blocked: dict[tuple[int, date], str] = field(default_factory=dict)  # why a cell cannot be worked (no contract...)
    headcount: dict[tuple[int, date], int] = field(default_factory=dict)  # (shift id, day) -> people
    totals: dict[date, int] = field(default_factory=dict)
    planned: int | None = None
    off: dict[date, str] = field(default_factory=dict)
    flagged: set[int] = field(default_factory=set)
    rows: dict[int, list[Cell]] = field(default_factory=dict)  # person -> the cells of the month, ready to show


def _spans(rows, team_id: int | None = None) -> list[tuple[date, date]]:
    return [(r.starts_on, r.ends_on or date.max) for r in rows if team_id is None or r.team_id == team_id]


def grid(team: Team, month: date, today: date, only: int | None = None) -> Grid:
    """Everything the month grid shows, in five statements whatever the team's size: the month with its cells; the
    members with their contracts, memberships and competence-gate flag; the shifts with the service's hours and the
    capacity plan; the company's days off. `only`: the rows of one person (the headcount stays the team's)."""
    from sqlalchemy.orm import joinedload, lazyload

    from portal.core.workdays import days_off
    from portal.people.models import CapacityPlan

    days = month_days(month)
    first, last = days[0], days[-1]
    planned = (select(CapacityPlan.planned).where(CapacityPlan.service_id == team.service_id,
                                                  CapacityPlan.site_id == team.site_id, CapacityPlan.month == month)
               .limit(1).scalar_subquery())
    shifts, hours, plan = [], None, None
    for shift, h, p in db.session.execute(select(Shift, ServiceHours, planned)
                                          .outerjoin(ServiceHours, ServiceHours.service_id == Shift.service_id)
                                          .where(Shift.service_id == team.service_id).order_by(Shift.starts, Shift.code)):
        shifts.append(shift)
        hours, plan = h, p
    by_id = {s.id: s for s in shifts}
    roster, cells = None, {}
    for row, staff_id, day, shift_id in db.session.execute(
            select(RosterMonth, RosterEntry.staff_id, RosterEntry.day, RosterEntry.shift_id)
            .outerjoin(RosterEntry, RosterEntry.month_id == RosterMonth.id)
            .where(RosterMonth.team_id == team.id, RosterMonth.month == month)
            .options(lazyload(RosterMonth.team))):  # the team is known: not joined again on every cell
        roster = row
        if staff_id is not None and shift_id in by_id:
            cells[(staff_id, day)] = by_id[shift_id]
    ids = select(TeamMembership.staff_id).where(TeamMembership.team_id == team.id, TeamMembership.starts_on <= last,
                                                or_(TeamMembership.ends_on.is_(None), TeamMembership.ends_on >= first))
    if only is not None:
        ids = ids.where(TeamMembership.staff_id == only)
    people, gate = [], set()
    for person, is_flagged in db.session.execute(
            select(Staff, _gate_column(today)).where(Staff.id.in_(ids)).order_by(Staff.full_name, Staff.id)
            .options(joinedload(Staff.contracts), joinedload(Staff.memberships))).unique():
        people.append(person)
        if is_flagged:
            gate.add(person.id)
    g = Grid(team, month, roster, days, people, shifts, hours, cells=cells, planned=plan, flagged=gate)
    g.off = days_off(first, last)
    for (sid, day), shift in cells.items():
        g.headcount[(shift.id, day)] = g.headcount.get((shift.id, day), 0) + 1
        g.totals[day] = g.totals.get(day, 0) + 1
    mine: dict[int, dict[date, Shift]] = {}
    for (sid, day), shift in cells.items():
        mine.setdefault(sid, {})[day] = shift
    weekend = {d for d in days if d.weekday() >= 5 or d in g.off}
    not_in_team, no_contract = _("not in this team"), _("no contract")
    for person in people:
        own = mine.get(person.id, {})
        warned = warnings_for(own, person.id in gate)
        member = _spans(person.memberships, team.id)
        contracts = _spans(person.contracts)
        ended = person.ended_on if person.status == ENDED else None
        gone = person.status == ENDED and ended is None
        out = []
        for day in days:
            css = ["rc"]
            title = ""
            blocked = False
            if day in weekend:
                css.append("off")
            if not any(a <= day <= b for a, b in member):
                blocked, title = True, not_in_team
            elif (person.hire_date > day or gone or (ended is not None and ended < day)
                  or not any(a <= day <= b for a, b in contracts)):
                blocked, title = True, no_contract
            if blocked:
                css.append("blocked")
                g.blocked[(person.id, day)] = title
            w = warned.get(day)
            if w:
                css.append("warn")
                g.warnings[(person.id, day)] = w
                title = " ".join(w)
            shift = own.get(day)
            out.append(Cell(day, shift.code if shift else "", " ".join(css), title, blocked))
        g.rows[person.id] = out
    return g


def _gate_column(today: date):
    """A boolean column: the person is flagged by the training module's competence gate (false when it is off)."""
    from sqlalchemy import false

    from portal.core.modules import is_enabled

    if not is_enabled("training"):
        return false()
    from portal.training import matrix

    return Staff.id.in_(matrix.flagged_query(None, today))


# ---------------------------------------------------------------- changes
def _load(month: RosterMonth, staff_ids: list[int], first: date, last: date) -> dict[tuple[int, date], RosterEntry]:
    return {(e.staff_id, e.day): e for e in db.session.scalars(select(RosterEntry).where(
        RosterEntry.month_id == month.id, RosterEntry.staff_id.in_(staff_ids), RosterEntry.day >= first,
        RosterEntry.day <= last))}


def _shift_by_code(team: Team, code: str) -> Shift | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    shift = db.session.scalar(select(Shift).where(Shift.service_id == team.service_id, Shift.code == code,
                                                  Shift.active.is_(True)))
    if shift is None:
        raise ServiceError(_("There is no shift %(code)s for this service.", code=code), "code")
    return shift


def _in_month(month: RosterMonth, day: date) -> None:
    if (day.year, day.month) != (month.month.year, month.month.month):
        raise ServiceError(_("%(day)s is not in this month.", day=day.isoformat()), "day")


def _write(month: RosterMonth, team: Team, staff: Staff, days: list[date], shift: Shift | None) -> list[tuple[date, str, str]]:
    """Set the cells (all or nothing); returns (day, old code, new code) of the cells that changed."""
    hours = hours_of(team.service_id)
    elsewhere = rostered_elsewhere(team, [staff.id], days[0], days[-1]) if shift is not None else set()
    for day in days:
        why = check_cell(team, staff, day, shift, hours, elsewhere)
        if why:
            raise ServiceError(why, "code")
    have = _load(month, [staff.id], days[0], days[-1])
    changed = []
    for day in days:
        entry = have.get((staff.id, day))
        old = entry.shift.code if entry else ""
        new = shift.code if shift else ""
        if old == new:
            continue
        if shift is None:
            db.session.delete(entry)
        elif entry is None:
            db.session.add(RosterEntry(month_id=month.id, staff_id=staff.id, day=day, shift_id=shift.id))
        else:
            entry.shift_id = shift.id
            entry.shift = shift
        changed.append((day, old, new))
    db.session.flush()
    return changed


def _draft(month: RosterMonth) -> None:
    if month.status != DRAFT:
        raise ServiceError(_("This roster is published: change one cell at a time, with a reason."), "code")


def set_cell(month: RosterMonth, staff: Staff, day: date, code: str, actor) -> list[tuple[date, str, str]]:
    """One cell of a draft: a shift code, or "" for a day off."""
    _draft(month)
    _in_month(month, day)
    changed = _write(month, month.team, staff, [day], _shift_by_code(month.team, code))
    for d, old, new in changed:
        audit.record("roster.cell_set", month, old={"shift": old}, new={"staff": staff.employee_number, "day": d,
                                                                        "shift": new}, actor=actor)
    return changed


def fill_range(month: RosterMonth, staff: Staff, start: date, end: date, code: str, actor) -> list[tuple[date, str, str]]:
    """The same shift (or days off) from start to end for one person: all or nothing, one audit event."""
    _draft(month)
    if end < start:
        raise ServiceError(_("The range cannot end before it starts."), "end")
    _in_month(month, start)
    _in_month(month, end)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    changed = _write(month, month.team, staff, days, _shift_by_code(month.team, code))
    if changed:
        audit.record("roster.range_filled", month, new={"staff": staff.employee_number, "from": start, "to": end,
                                                        "shift": code.strip().upper(), "cells": len(changed)}, actor=actor)
    return changed


def copy_week(month: RosterMonth, week_start: date, actor) -> int:
    """Last week's pattern copied to the week starting `week_start` (the days inside the month), for everyone in
    the team; cells that cannot be copied (no contract, another team) are refused, nothing is written."""
    _draft(month)
    team = month.team
    target = [week_start + timedelta(days=i) for i in range(7)]
    target = [d for d in target if (d.year, d.month) == (month.month.year, month.month.month)]
    if not target:
        raise ServiceError(_("This week is not in the month."), "week")
    people = members(team, month.month)
    ids = [p.id for p in people]
    source = {(e.staff_id, e.day): e.shift for e in db.session.scalars(
        select(RosterEntry).join(RosterMonth, RosterMonth.id == RosterEntry.month_id)
        .where(RosterMonth.team_id == team.id, RosterEntry.staff_id.in_(ids),
               RosterEntry.day >= week_start - timedelta(days=7), RosterEntry.day < week_start))}
    if not source:
        raise ServiceError(_("The week before is empty: nothing to copy."), "week")
    hours = hours_of(team.service_id)
    elsewhere = rostered_elsewhere(team, ids, target[0], target[-1])
    have = _load(month, ids, target[0], target[-1])
    count = 0
    for person in people:
        for day in target:
            shift = source.get((person.id, day - timedelta(days=7)))
            if not any(m.team_id == team.id and m.covers(day) for m in person.memberships):
                continue
            why = check_cell(team, person, day, shift, hours, elsewhere)
            if why:
                raise ServiceError(why, "week")
            entry = have.get((person.id, day))
            if shift is None:
                if entry is not None:
                    db.session.delete(entry)
                    count += 1
            elif entry is None:
                db.session.add(RosterEntry(month_id=month.id, staff_id=person.id, day=day, shift_id=shift.id))
                count += 1
            elif entry.shift_id != shift.id:
                entry.shift_id = shift.id
                count += 1
    db.session.flush()
    audit.record("roster.week_copied", month, new={"week": week_start, "cells": count}, actor=actor)
    return count


def snapshot(month: RosterMonth) -> dict[str, dict[str, str]]:
    """The month as {staff id: {day: shift code}} (one statement)."""
    out: dict[str, dict[str, str]] = {}
    for staff_id, day, code in db.session.execute(select(RosterEntry.staff_id, RosterEntry.day, Shift.code)
                                                  .join(Shift, Shift.id == RosterEntry.shift_id)
                                                  .where(RosterEntry.month_id == month.id)):
        out.setdefault(str(staff_id), {})[day.isoformat()] = code
    return out


def publish(month: RosterMonth, password: str, actor) -> RosterMonth:
    """The supervisor signs the month with their password: it becomes the final roster, locked."""
    from portal.auth import services as auth
    from portal.roster import permissions

    if month.status != DRAFT:
        raise ServiceError(_("This roster is already published."), "password")
    if not permissions.can_publish(actor, month.team):
        raise ServiceError(_("Only a supervisor of the team's site publishes its roster."), "password")
    cells = snapshot(month)
    if not cells:
        raise ServiceError(_("The roster is empty: nothing to publish."), "password")

    def write():
        audit.record("roster.signature_refused", month, new={"by": actor.username}, actor=actor)

    auth.confirm_password(actor, password, _("The password is not correct; the roster was not published."), write)
    return write_publication(month, cells, actor)


def write_publication(month: RosterMonth, cells: dict, actor) -> RosterMonth:
    """The month made final once its signature was checked (the demo loader calls it directly)."""
    month.status = PUBLISHED
    month.published_at = utcnow()
    month.published_by_id = actor.id
    month.published_name = actor.full_name
    month.published_position = actor.position or ""
    month.published_json = json.dumps(cells, sort_keys=True)
    db.session.flush()
    audit.record("roster.published", month, old={"status": DRAFT},
                 new={"status": PUBLISHED, "team": month.team.name, "month": f"{month.month:%Y-%m}",
                      "cells": sum(len(v) for v in cells.values()), "signed_by": actor.full_name}, actor=actor)
    return month


def change_published(month: RosterMonth, staff: Staff, day: date, code: str, kind: str, reason: str, actor) -> RosterChange:
    """A change to the final roster, one cell, with its kind (swap, sick replacement, other) and reason."""
    if month.status != PUBLISHED:
        raise ServiceError(_("The roster is still a draft: change it directly."), "code")
    if kind not in CHANGE_KINDS:
        raise ServiceError(_("Choose the kind of change."), "kind")
    if not (reason or "").strip():
        raise ServiceError(_("Give the reason for the change."), "reason")
    _in_month(month, day)
    changed = _write(month, month.team, staff, [day], _shift_by_code(month.team, code))
    if not changed:
        raise ServiceError(_("Nothing changes: the cell already holds this shift."), "code")
    _d, old, new = changed[0]
    row = RosterChange(month_id=month.id, staff_id=staff.id, day=day, old_code=old, new_code=new, kind=kind,
                       reason=reason.strip(), by_id=actor.id, by_name=actor.full_name)
    db.session.add(row)
    db.session.flush()
    audit.record("roster.changed", month, old={"shift": old}, new={"staff": staff.employee_number, "day": day,
                                                                   "shift": new, "kind": kind}, reason=row.reason, actor=actor)
    return row


def changes(month: RosterMonth) -> list[RosterChange]:
    return list(db.session.scalars(select(RosterChange).where(RosterChange.month_id == month.id)
                                   .order_by(RosterChange.at, RosterChange.id)))


def differences(month: RosterMonth) -> list[tuple[str, str, str, str]]:
    """(staff id, day, published code, current code) where the current roster differs from the signed one."""
    signed, now = month.published, snapshot(month)
    out = []
    for sid in sorted(set(signed) | set(now), key=int):
        a, b = signed.get(sid, {}), now.get(sid, {})
        for day in sorted(set(a) | set(b)):
            if a.get(day, "") != b.get(day, ""):
                out.append((sid, day, a.get(day, ""), b.get(day, "")))
    return out


# ---------------------------------------------------------------- set-up data
def save_shift(service_id: int, data: dict, actor, shift: Shift | None = None) -> Shift:
    code = (data.get("code") or "").strip().upper()
    if not code or len(code) > 10 or not code.replace("-", "").isalnum():
        raise ServiceError(_("A shift code is one short word of letters and digits."), "code")
    starts, ends = data.get("starts"), data.get("ends")
    if not isinstance(starts, time) or not isinstance(ends, time):
        raise ServiceError(_("Enter the start and end of the shift."), "starts")
    if starts == ends:
        raise ServiceError(_("A shift cannot start and end at the same time."), "ends")
    brk = data.get("break_minutes") or 0
    if brk < 0 or brk > 240:
        raise ServiceError(_("A break is between 0 and 240 minutes."), "break_minutes")
    clash = db.session.scalar(select(Shift.id).where(Shift.service_id == service_id, Shift.code == code))
    if clash is not None and (shift is None or clash != shift.id):
        raise ServiceError(_("This service already has a shift %(code)s.", code=code), "code")
    old = {}
    if shift is None:
        shift = Shift(service_id=service_id, code=code, starts=starts, ends=ends)
        db.session.add(shift)
    else:
        old = {"code": shift.code, "starts": f"{shift.starts:%H:%M}", "ends": f"{shift.ends:%H:%M}",
               "break_minutes": shift.break_minutes, "active": shift.active}
    shift.code, shift.starts, shift.ends = code, starts, ends
    shift.name = (data.get("name") or "").strip()[:80]
    shift.break_minutes = brk
    shift.active = bool(data.get("active", True))
    db.session.flush()
    audit.record("shift.saved", shift, old=old, new={"code": code, "starts": f"{starts:%H:%M}", "ends": f"{ends:%H:%M}",
                                                      "break_minutes": brk, "active": shift.active}, actor=actor)
    return shift


def save_hours(service_id: int, data: dict, actor) -> ServiceHours:
    opens, closes = data.get("opens"), data.get("closes")
    if (opens is None) != (closes is None):
        raise ServiceError(_("Enter both the opening and the closing time, or neither (around the clock)."), "opens")
    if opens is not None and closes <= opens:
        raise ServiceError(_("The service closes after it opens."), "closes")
    for key in ("late_tolerance", "early_tolerance"):
        if not 0 <= (data.get(key) or 0) <= 120:
            raise ServiceError(_("A tolerance is between 0 and 120 minutes."), key)
    row = hours_of(service_id)
    old = {}
    if row is None:
        row = ServiceHours(service_id=service_id)
        db.session.add(row)
    else:
        old = {"opens": f"{row.opens:%H:%M}" if row.opens else None, "closes": f"{row.closes:%H:%M}" if row.closes else None,
               "late_tolerance": row.late_tolerance, "early_tolerance": row.early_tolerance}
    row.opens, row.closes = opens, closes
    row.late_tolerance = data.get("late_tolerance") or 0
    row.early_tolerance = data.get("early_tolerance") or 0
    db.session.flush()
    audit.record("service_hours.saved", row, old=old, new={
        "opens": f"{opens:%H:%M}" if opens else None, "closes": f"{closes:%H:%M}" if closes else None,
        "late_tolerance": row.late_tolerance, "early_tolerance": row.early_tolerance}, actor=actor)
    return row


def add_day_off(day: date | None, name: str, actor):
    from portal.core.workdays import CompanyDayOff

    if day is None:
        raise ServiceError(_("Enter the date."), "day")
    if not (name or "").strip():
        raise ServiceError(_("Name the day off (e.g. collective leave)."), "name")
    if db.session.scalar(select(CompanyDayOff.id).where(CompanyDayOff.day == day)) is not None:
        raise ServiceError(_("This day is already a company day off."), "day")
    row = CompanyDayOff(day=day, name=name.strip()[:120], created_by_id=actor.id if actor else None)
    db.session.add(row)
    db.session.flush()
    audit.record("day_off.added", row, new={"day": day, "name": row.name}, actor=actor)
    return row


def remove_day_off(row, actor) -> None:
    audit.record("day_off.removed", row, old={"day": row.day, "name": row.name}, actor=actor)
    db.session.delete(row)
    db.session.flush()


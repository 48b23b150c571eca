"""What happened against the roster: check-in and check-out (by the person from their home page, or by the team
leader), absence with a reason; lateness and early leave against the shift with the service's tolerance; today's
floor; and the F-02 arithmetic (scheduled, present, on time, late, early leave, absent by reason, compliance).

Times are stored in UTC and compared with the shift in the local time of the person's site."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from portal.core import audit
from portal.core.db import utcnow
from portal.core.service import ServiceError
from portal.extensions import db
from portal.people.models import Staff
from portal.roster.models import ABSENCE_REASONS, Attendance, RosterEntry, RosterMonth, ServiceHours, Shift

EARLY_WINDOW = timedelta(hours=4)  # a check-in this long before a shift belongs to it


def local_now(tz_name: str, now: datetime | None = None) -> datetime:
    """The local naive time at a site (now: a naive UTC time, default the clock)."""
    now = now or utcnow()
    return now.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz_name)).replace(tzinfo=None)


def to_utc(local: datetime, tz_name: str) -> datetime:
    return local.replace(tzinfo=ZoneInfo(tz_name)).astimezone(timezone.utc).replace(tzinfo=None)


def minutes_late(shift: Shift, day: date, check_in_utc: datetime, tz_name: str) -> int:
    """Whole minutes after the shift's start (0 when on time or before); a started minute counts."""
    delta = local_now(tz_name, check_in_utc) - shift.start_on(day)
    return max(0, math.ceil(delta.total_seconds() / 60))


def minutes_early(shift: Shift, day: date, check_out_utc: datetime, tz_name: str) -> int:
    """Whole minutes before the shift's end the person left (0 when they stayed to the end)."""
    delta = shift.end_on(day) - local_now(tz_name, check_out_utc)
    return max(0, math.ceil(delta.total_seconds() / 60))


def entry_for_now(staff: Staff, now_local: datetime) -> RosterEntry | None:
    """The shift a check-in now belongs to: yesterday's night shift still running, else today's (one statement)."""
    today = now_local.date()
    entries = {e.day: e for e in db.session.scalars(select(RosterEntry).where(
        RosterEntry.staff_id == staff.id, RosterEntry.day.in_([today - timedelta(days=1), today])))}
    y = entries.get(today - timedelta(days=1))
    if y is not None and y.shift.crosses_midnight and now_local < y.shift.end_on(y.day):
        return y
    return entries.get(today)


def _attendance(staff_id: int, day: date) -> Attendance | None:
    return db.session.scalar(select(Attendance).where(Attendance.staff_id == staff_id, Attendance.day == day))


def open_attendance(staff: Staff, now_local: datetime) -> Attendance | None:
    """Today's or yesterday's check-in without a check-out."""
    today = now_local.date()
    return db.session.scalar(select(Attendance).where(
        Attendance.staff_id == staff.id, Attendance.day.in_([today - timedelta(days=1), today]),
        Attendance.check_in.is_not(None), Attendance.check_out.is_(None)).order_by(Attendance.day.desc()).limit(1))


def check_in(staff: Staff, actor, address: str, at: datetime | None = None, source: str = "self") -> Attendance:
    """Record the person's arrival now (UTC), with the address the request came from."""
    at = at or utcnow()
    tz = staff.site.timezone
    now_local = local_now(tz, at)
    entry = entry_for_now(staff, now_local)
    day = entry.day if entry is not None else now_local.date()
    row = _attendance(staff.id, day)
    if row is not None and row.check_in is not None:
        raise ServiceError(_("Already checked in at %(t)s.", t=f"{local_now(tz, row.check_in):%H.%M}"), "form")
    if row is None:
        row = Attendance(staff_id=staff.id, day=day)
        db.session.add(row)
    row.check_in, row.in_address, row.source = at, (address or "")[:64], source
    row.absence, row.absence_note = "", ""
    row.recorded_by_id = actor.id
    db.session.flush()
    late = minutes_late(entry.shift, day, at, tz) if entry is not None else None
    audit.record("attendance.checked_in", row, new={"staff": staff.employee_number, "day": day,
                                                    "shift": entry.shift.code if entry else None, "late_minutes": late,
                                                    "address": row.in_address, "source": source}, actor=actor)
    return row


def check_out(staff: Staff, actor, address: str, at: datetime | None = None, source: str = "self") -> Attendance:
    at = at or utcnow()
    row = open_attendance(staff, local_now(staff.site.timezone, at))
    if row is None:
        raise ServiceError(_("There is no check-in to close."), "form")
    row.check_out, row.out_address = at, (address or "")[:64]
    row.recorded_by_id = actor.id
    db.session.flush()
    audit.record("attendance.checked_out", row, new={"staff": staff.employee_number, "day": row.day,
                                                     "address": row.out_address, "source": source}, actor=actor)
    return row


def record_times(staff: Staff, day: date, in_local: datetime | None, out_local: datetime | None, actor) -> Attendance:
    """The team leader records (or corrects) a day's arrival and departure, in the site's local time."""
    if in_local is None:
        raise ServiceError(_("Enter the check-in time."), "check_in")
    if out_local is not None and out_local <= in_local:
        raise ServiceError(_("The check-out comes after the check-in."), "check_out")
    tz = staff.site.timezone
    row = _attendance(staff.id, day)
    old = {}
    if row is None:
        row = Attendance(staff_id=staff.id, day=day)
        db.session.add(row)
    else:
        old = {"check_in": row.check_in, "check_out": row.check_out, "absence": row.absence}
    row.check_in = to_utc(in_local, tz)
    row.check_out = to_utc(out_local, tz) if out_local else None
    row.absence, row.absence_note, row.source, row.recorded_by_id = "", "", "tl", actor.id
    db.session.flush()
    audit.record("attendance.recorded", row, old=old, new={"staff": staff.employee_number, "day": day,
                                                           "check_in": row.check_in, "check_out": row.check_out}, actor=actor)
    return row


def record_absence(staff: Staff, day: date, reason: str, note: str, actor) -> Attendance:
    """An absence with its reason (sick with a note, permission, leave, unexcused, duty elsewhere)."""
    if reason not in ABSENCE_REASONS:
        raise ServiceError(_("Choose the reason of the absence."), "reason")
    if reason == "sick" and not (note or "").strip():
        raise ServiceError(_("A sick day needs the doctor's note (its number or a short description)."), "note")
    row = _attendance(staff.id, day)
    old = {}
    if row is None:
        row = Attendance(staff_id=staff.id, day=day)
        db.session.add(row)
    else:
        old = {"check_in": row.check_in, "absence": row.absence}
    row.check_in = row.check_out = None
    row.absence, row.absence_note, row.source, row.recorded_by_id = reason, (note or "").strip(), "tl", actor.id
    db.session.flush()
    audit.record("attendance.absence_recorded", row, old=old, new={"staff": staff.employee_number, "day": day,
                                                                   "reason": reason}, reason=row.absence_note, actor=actor)
    return row


# ---------------------------------------------------------------- the day of one person
@dataclass
class Day:
    staff: Staff
    day: date
    shift: Shift | None
    attendance: Attendance | None
    tolerance: int = 5
    early_tolerance: int = 5
    late_minutes: int = 0
    early_minutes: int = 0
    state: str = ""  # expected | in | out | late | absent | off | unscheduled

    @property
    def scheduled(self) -> bool:
        return self.shift is not None

    @property
    def present(self) -> bool:
        return self.attendance is not None and self.attendance.check_in is not None

    @property
    def late(self) -> bool:
        return self.present and self.shift is not None and self.late_minutes > self.tolerance

    @property
    def on_time(self) -> bool:
        return self.present and self.scheduled and not self.late

    @property
    def early_leave(self) -> bool:
        return self.present and self.shift is not None and self.early_minutes > self.early_tolerance

    @property
    def absence_reason(self) -> str | None:
        if self.attendance is not None and self.attendance.absence:
            return self.attendance.absence
        return None

    @property
    def absent(self) -> bool:
        return self.scheduled and not self.present and self.state != "expected"


def evaluate(staff: Staff, day: date, shift: Shift | None, att: Attendance | None, hours: ServiceHours | None,
             now_utc: datetime | None = None) -> Day:
    """The day of one person: late and early minutes against the shift and the state the floor shows."""
    tz = staff.site.timezone
    d = Day(staff, day, shift, att, hours.late_tolerance if hours else 5, hours.early_tolerance if hours else 5)
    if shift is not None and att is not None and att.check_in is not None:
        d.late_minutes = minutes_late(shift, day, att.check_in, tz)
        if att.check_out is not None:
            d.early_minutes = minutes_early(shift, day, att.check_out, tz)
    now_local = local_now(tz, now_utc)
    if att is not None and att.absence:
        d.state = "absent"
    elif d.present:
        d.state = "out" if att.check_out is not None else ("late" if d.late else "in")
    elif shift is None:
        d.state = "unscheduled"
    elif now_local > shift.start_on(day) + timedelta(minutes=d.tolerance):
        d.state = "absent"
    else:
        d.state = "expected"
    return d


def days_of(staff_ids, first: date, last: date, now_utc: datetime | None = None) -> list[Day]:
    """Every scheduled or attended (person, day) between first and last, evaluated (three statements). `staff_ids`:
    a list of ids, or a SELECT of them (team_staff_query), which then runs inside each statement."""
    if isinstance(staff_ids, list) and not staff_ids:
        return []
    people = {s.id: s for s in db.session.scalars(select(Staff).where(Staff.id.in_(staff_ids)))}
    shifts, hours = {}, {}
    for entry, h in db.session.execute(
            select(RosterEntry, ServiceHours).join(Shift, Shift.id == RosterEntry.shift_id)
            .outerjoin(ServiceHours, ServiceHours.service_id == Shift.service_id)
            .where(RosterEntry.staff_id.in_(staff_ids), RosterEntry.day >= first, RosterEntry.day <= last)):
        shifts[(entry.staff_id, entry.day)] = entry.shift
        if h is not None:
            hours[h.service_id] = h
    atts = {(a.staff_id, a.day): a for a in db.session.scalars(select(Attendance).where(
        Attendance.staff_id.in_(staff_ids), Attendance.day >= first, Attendance.day <= last))}
    out = []
    for key in sorted((k for k in set(shifts) | set(atts) if k[0] in people), key=lambda k: (k[1], people[k[0]].full_name)):
        shift = shifts.get(key)
        out.append(evaluate(people[key[0]], key[1], shift, atts.get(key), hours.get(shift.service_id) if shift else None, now_utc))
    return out


# ---------------------------------------------------------------- F-02 arithmetic
@dataclass
class Tally:
    scheduled: int = 0
    present: int = 0
    on_time: int = 0
    late: int = 0
    early_leave: int = 0
    absent: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)

    def add(self, d: Day) -> None:
        if d.state == "expected":  # the shift has not started yet: not counted until it has
            return
        if d.scheduled:
            self.scheduled += 1
            if d.absent:
                self.absent += 1
                key = d.absence_reason or "unrecorded"
                self.by_reason[key] = self.by_reason.get(key, 0) + 1
        if d.present and d.scheduled:
            self.present += 1
            if d.on_time:
                self.on_time += 1
            if d.late:
                self.late += 1
            if d.early_leave:
                self.early_leave += 1

    @property
    def compliance(self) -> Decimal | None:
        """Present on time / scheduled, as a percentage with two decimals; None when nobody was scheduled."""
        if not self.scheduled:
            return None
        return (Decimal(self.on_time * 100) / Decimal(self.scheduled)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def tally(days: list[Day]) -> tuple[Tally, dict[int, Tally], dict[date, Tally]]:
    """The team's tally, per person and per day."""
    total, per_person, per_day = Tally(), {}, {}
    for d in days:
        total.add(d)
        per_person.setdefault(d.staff.id, Tally()).add(d)
        per_day.setdefault(d.day, Tally()).add(d)
    return total, per_person, per_day


def exceptions(days: list[Day]) -> list[Day]:
    """The days that were not kept as rostered: late, early leave, absent, worked without a shift."""
    return [d for d in days if d.late or d.early_leave or d.absent or (d.present and not d.scheduled)]


def team_staff_ids(team_id: int | list[int], first: date, last: date) -> list[int]:
    """The people of a team's (or teams') rosters between two days and its members then (one statement)."""
    return list(db.session.scalars(team_staff_query(team_id, first, last)))


def team_staff_query(team_id: int | list[int], first: date, last: date):
    """The SELECT of team_staff_ids, to use as a subquery."""
    from sqlalchemy import or_

    from portal.people.models import TeamMembership

    teams = team_id if isinstance(team_id, list) else [team_id]
    rostered = select(RosterEntry.staff_id).join(RosterMonth, RosterMonth.id == RosterEntry.month_id).where(
        RosterMonth.team_id.in_(teams), RosterEntry.day >= first, RosterEntry.day <= last)
    member = select(TeamMembership.staff_id).where(TeamMembership.team_id.in_(teams), TeamMembership.starts_on <= last,
                                                   or_(TeamMembership.ends_on.is_(None), TeamMembership.ends_on >= first))
    return select(Staff.id).where(Staff.id.in_(rostered.union(member)))

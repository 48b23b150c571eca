"""The desk control's end-of-shift report (P-10 step 11, record R11): what the attendance function found (the roster
against realisation of the people rostered on that shift, from the roster module) and what the cluster inputs show
(the service's KPI readings of the shift's intervals against target, and the recovery plans of the day)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from portal.extensions import db
from portal.monitoring import services
from portal.monitoring.models import INTERVAL, Kpi, Reading, RecoveryPlan


@dataclass
class ShiftReport:
    service: object
    day: date
    shift: object
    starts: datetime
    ends: datetime
    people: list = field(default_factory=list)  # roster realisation Day objects
    tally: object = None
    readings: list = field(default_factory=list)
    figures: list = field(default_factory=list)  # the day's figure per KPI
    plans: list = field(default_factory=list)

    @property
    def missed(self) -> list:
        return [r for r in self.readings if not r.met]


def shifts_of(service_id: int) -> list:
    from portal.core.modules import is_enabled

    if not is_enabled("roster"):
        return []
    from portal.roster import services as roster

    return roster.shifts_of(service_id)


def build(service, day: date, shift) -> ShiftReport:
    """The report of one shift of a service on a day (a handful of statements whatever the size of the floor)."""
    from portal.roster import realisation
    from portal.roster.models import RosterEntry

    starts, ends = shift.start_on(day), shift.end_on(day)
    report = ShiftReport(service, day, shift, starts, ends)
    ids = list(db.session.scalars(select(RosterEntry.staff_id).where(RosterEntry.day == day, RosterEntry.shift_id == shift.id)))
    if ids:
        report.people = [d for d in realisation.days_of(ids, day, day) if d.shift is not None and d.shift.id == shift.id]
        report.tally, _per, _days = realisation.tally(report.people)
    kpi_list = services.kpis([service.id])
    report.readings = list(db.session.scalars(
        select(Reading).join(Kpi, Kpi.id == Reading.kpi_id)
        .where(Kpi.service_id == service.id, Reading.period == INTERVAL, Reading.starts_at >= starts, Reading.starts_at < ends)
        .order_by(Reading.starts_at, Kpi.position)))
    s = services.series(kpi_list, day, day)
    report.figures = [s.day(k, day) for k in kpi_list if k.period != "month"]
    report.plans = list(db.session.scalars(select(RecoveryPlan).outerjoin(Reading, Reading.id == RecoveryPlan.reading_id)
                                           .where(RecoveryPlan.kpi_id.in_([k.id for k in kpi_list] or [0]),
                                                  Reading.day == day).order_by(RecoveryPlan.id)))
    return report

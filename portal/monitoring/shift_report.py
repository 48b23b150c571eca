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


def services_with_shifts(service_clause) -> list[tuple[object, list]]:
    """The services a user sees with their active shifts (one statement); services without a shift are left out."""
    from portal.auth.models import Service
    from portal.core.modules import is_enabled

    if not is_enabled("roster"):
        return []
    from portal.roster.models import Shift

    stmt = (select(Service, Shift).join(Shift, Shift.service_id == Service.id)
            .where(Service.active.is_(True), Shift.active.is_(True)).order_by(Service.code, Shift.starts))
    if service_clause is not None:
        stmt = stmt.where(service_clause)
    out: dict = {}
    for service, shift in db.session.execute(stmt):
        out.setdefault(service.id, (service, []))[1].append(shift)
    return list(out.values())


def shift_figures(readings: list) -> list:
    """Per KPI, the figure of the shift's interval readings (weighted by volume when all carry one, else the mean)."""
    by_kpi: dict = {}
    for r in readings:
        by_kpi.setdefault(r.kpi_id, []).append(r)
    out = []
    for rows in by_kpi.values():
        kpi = rows[0].kpi
        value, weight = services._combine([(r.value, r.volume) for r in rows])
        out.append(services.Figure(kpi, rows[0].day, value, weight, len(rows)))
    return sorted(out, key=lambda f: f.kpi.position)


def build(service, day: date, shift) -> ShiftReport:
    """The report of one shift of a service on a day (five statements whatever the size of the floor)."""
    from portal.roster import realisation
    from portal.roster.models import RosterEntry

    starts, ends = shift.start_on(day), shift.end_on(day)
    report = ShiftReport(service, day, shift, starts, ends)
    rostered = select(RosterEntry.staff_id).where(RosterEntry.day == day, RosterEntry.shift_id == shift.id)
    report.people = [d for d in realisation.days_of(rostered, day, day) if d.shift is not None and d.shift.id == shift.id]
    if report.people:
        report.tally, _per, _days = realisation.tally(report.people)
    report.readings = list(db.session.scalars(
        select(Reading).join(Kpi, Kpi.id == Reading.kpi_id)
        .where(Kpi.service_id == service.id, Reading.period == INTERVAL, Reading.starts_at >= starts, Reading.starts_at < ends)
        .order_by(Reading.starts_at, Kpi.position)))
    report.figures = shift_figures(report.readings)
    report.plans = list(db.session.scalars(
        select(RecoveryPlan).join(Kpi, Kpi.id == RecoveryPlan.kpi_id).join(Reading, Reading.id == RecoveryPlan.reading_id)
        .where(Kpi.service_id == service.id, Reading.day == day).order_by(RecoveryPlan.id)))
    return report

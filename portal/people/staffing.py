"""The staffing KPI "Pemenuhan Jumlah SDM" (MNOP-01 Bab III): agents available / agents planned (the caplan), per
service, site and month, against its target (data: kpi_target "staffing").

Available: an agent counts on a day when they were hired by then, had not left, are not on leave, and a contract
covers the day; the day counts for the service of their team that day (else their first service). A month's
availability is the sum of the days counted divided by the days of the month, so a person who leaves mid-month
counts for the part of the month they covered (the report says so). Any number of months costs the same few
statements; the counting is done in Python over narrow rows."""
from __future__ import annotations

import calendar
from functools import lru_cache
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from sqlalchemy import and_, literal, or_, select, union_all

from portal.auth.models import Service, Site
from portal.core import audit
from portal.core.service import ServiceError
from portal.extensions import db
from portal.people.models import (ON_LEAVE, CapacityPlan, KpiTarget, Position, Staff, StaffContract, Team,
                                  TeamMembership, staff_service)

KPI_CODE = "staffing"
COUNTED_POSITION = "AGENT"  # the caplan plans agents' seats
TWO = Decimal("0.01")


@dataclass
class StaffingRow:
    month: date
    service_id: int
    site_id: int
    service: str = ""
    service_name: str = ""
    site: str = ""
    site_name: str = ""
    planned: int | None = None
    available: Decimal = Decimal("0.00")
    fulfilment: Decimal | None = None
    target: Decimal = Decimal("95.00")
    left: list[tuple[str, str, date]] = field(default_factory=list)  # (employee number, name, last day)
    partial: list[tuple[str, str, int]] = field(default_factory=list)  # (employee number, name, days covered)

    @property
    def under_target(self) -> bool:
        return self.fulfilment is not None and self.fulfilment < self.target

    @property
    def missing(self) -> Decimal:
        """How many agents short of the plan (0 when the plan is met)."""
        if not self.planned:
            return Decimal("0.00")
        return max(Decimal(self.planned) - self.available, Decimal("0")).quantize(TWO)

    def as_json(self) -> dict:
        return {"month": self.month.strftime("%Y-%m"), "service": self.service, "service_name": self.service_name,
                "site": self.site, "site_name": self.site_name, "planned": self.planned,
                "available": float(self.available),
                "fulfilment": float(self.fulfilment) if self.fulfilment is not None else None,
                "target": float(self.target)}


def parse_month(text: str | None) -> date | None:
    """'2026-11' -> date(2026, 11, 1); None when it is not a month."""
    try:
        year, month = (text or "").strip().split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def month_end(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


@lru_cache(maxsize=4096)
def next_month(first: date) -> date:
    return month_end(first) + timedelta(days=1)


def target_on(day: date) -> Decimal:
    value = db.session.scalar(select(KpiTarget.target).where(KpiTarget.code == KPI_CODE, KpiTarget.valid_from <= day)
                              .order_by(KpiTarget.valid_from.desc()).limit(1))
    return Decimal(value if value is not None else 95).quantize(TWO)


def staffing(first: date, last: date | None = None, site_id: int | None = None) -> list[StaffingRow]:
    """The KPI rows of every month from `first` to `last` (first days of months), for one site or all."""
    last = last or first
    start, end = first, month_end(last)
    months = []
    m = first
    while m <= last:
        months.append(m)
        m = next_month(m)

    plans = select(CapacityPlan.month, CapacityPlan.service_id, CapacityPlan.site_id, CapacityPlan.planned).where(
        CapacityPlan.month >= first, CapacityPlan.month <= last)
    if site_id:
        plans = plans.where(CapacityPlan.site_id == site_id)
    planned = {(p.month, p.service_id, p.site_id): p.planned for p in db.session.execute(plans)}

    # Agents who worked some day of the window, with the contracts that cover part of it (one row per contract).
    staff_stmt = (select(Staff.id, Staff.employee_number, Staff.full_name, Staff.site_id, Staff.hire_date, Staff.ended_on,
                         Staff.status, StaffContract.starts_on, StaffContract.ends_on)
                  .join(Position, Position.id == Staff.position_id)
                  .join(StaffContract, and_(StaffContract.staff_id == Staff.id, StaffContract.starts_on <= end,
                                            or_(StaffContract.ends_on.is_(None), StaffContract.ends_on >= start)))
                  .where(Position.code == COUNTED_POSITION, Staff.hire_date <= end,
                         or_(Staff.ended_on.is_(None), Staff.ended_on >= start)))
    if site_id:
        staff_stmt = staff_stmt.where(Staff.site_id == site_id)
    people: dict[int, dict] = {}
    for row in db.session.execute(staff_stmt):
        person = people.setdefault(row.id, {"number": row.employee_number, "name": row.full_name, "site": row.site_id,
                                            "hired": row.hire_date, "ended": row.ended_on, "status": row.status,
                                            "contracts": [], "teams": [], "services": []})
        person["contracts"].append((row.starts_on, row.ends_on))

    # The service of each day: the team's (dated), else the person's first service. One statement for both.
    if people:
        ids = select(Staff.id).join(Position, Position.id == Staff.position_id).where(
            Position.code == COUNTED_POSITION, Staff.hire_date <= end, or_(Staff.ended_on.is_(None), Staff.ended_on >= start))
        teams = (select(TeamMembership.staff_id, Team.service_id, TeamMembership.starts_on, TeamMembership.ends_on,
                        literal(1).label("dated"))
                 .join(Team, Team.id == TeamMembership.team_id)
                 .where(TeamMembership.staff_id.in_(ids), TeamMembership.starts_on <= end,
                        or_(TeamMembership.ends_on.is_(None), TeamMembership.ends_on >= start)))
        own = select(staff_service.c.staff_id, staff_service.c.service_id, literal(None).label("starts_on"),
                     literal(None).label("ends_on"), literal(0).label("dated")).where(staff_service.c.staff_id.in_(ids))
        for row in db.session.execute(union_all(teams, own)):
            person = people.get(row.staff_id)
            if person is None:
                continue
            if row.dated:
                person["teams"].append((row.starts_on, row.ends_on, row.service_id))
            else:
                person["services"].append(row.service_id)

    days_counted: dict[tuple[date, int, int], int] = {}
    left: dict[tuple[date, int, int], list] = {}
    partial: dict[tuple[date, int, int], list] = {}
    for person in people.values():
        if person["status"] == ON_LEAVE:  # the status is not dated: a person on leave counts as away
            continue
        fallback = min(person["services"]) if person["services"] else None
        first_day = max(person["hired"], start)
        last_worked = min(person["ended"] or end, end)
        covered = [(max(s, first_day), min(e or end, last_worked)) for s, e in _merge(person["contracts"], end)]
        covered = [(s, e) for s, e in covered if s <= e]
        per_month: dict[tuple[date, int], int] = {}
        for s, e, service in _service_pieces(covered, person["teams"], fallback):
            m = s.replace(day=1)
            while m <= e:
                days = (min(e, month_end(m)) - max(s, m)).days + 1
                per_month[(m, service)] = per_month.get((m, service), 0) + days
                m = next_month(m)
        site, ended = person["site"], person["ended"]
        for (month, service), n in per_month.items():
            key = (month, service, site)
            days_counted[key] = days_counted.get(key, 0) + n
            last = month_end(month)
            if n < last.day:
                partial.setdefault(key, []).append((person["number"], person["name"], n))
            if ended is not None and month <= ended <= last:
                left.setdefault(key, []).append((person["number"], person["name"], ended))

    keys = sorted(set(planned) | set(days_counted))
    if not keys:
        return []
    service_rows = {s.id: s for s in db.session.execute(select(Service.id, Service.code, Service.name))}
    site_rows = {s.id: s for s in db.session.execute(select(Site.id, Site.code, Site.name))}
    targets = _targets(months)
    rows = []
    for month, service_id, site in keys:
        key = (month, service_id, site)
        available = (Decimal(days_counted.get(key, 0)) / Decimal(month_end(month).day)).quantize(TWO, ROUND_HALF_UP)
        plan = planned.get(key)
        fulfilment = ((available / Decimal(plan)) * 100).quantize(TWO, ROUND_HALF_UP) if plan else None
        svc, st = service_rows.get(service_id), site_rows.get(site)
        rows.append(StaffingRow(month=month, service_id=service_id, site_id=site, service=svc.code if svc else "",
                                service_name=svc.name if svc else "", site=st.code if st else "",
                                site_name=st.name if st else "", planned=plan, available=available,
                                fulfilment=fulfilment, target=targets[month], left=sorted(left.get(key, [])),
                                partial=sorted(partial.get(key, []))))
    rows.sort(key=lambda r: (r.month, r.service_name, r.site_name))
    return rows


def _merge(intervals: list[tuple[date, date | None]], far: date) -> list[tuple[date, date]]:
    """Contract periods merged into disjoint ones (an open end runs to `far`)."""
    out: list[tuple[date, date]] = []
    for s, e in sorted((s, e or far) for s, e in intervals):
        if out and s <= out[-1][1] + timedelta(days=1):
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _service_pieces(covered, teams, fallback) -> list[tuple[date, date, int]]:
    """The covered periods cut by service: the team's service while in a team, else the person's own (fallback)."""
    pieces = []
    ordered = sorted(teams, key=lambda t: t[0])
    for cs, ce in covered:
        cursor = cs
        for ts, te, service in ordered:
            te = te or ce
            if te < cursor or ts > ce:
                continue
            if ts > cursor and fallback is not None:
                pieces.append((cursor, ts - timedelta(days=1), fallback))
            s, e = max(ts, cursor), min(te, ce)
            pieces.append((s, e, service))
            cursor = e + timedelta(days=1)
            if cursor > ce:
                break
        if cursor <= ce and fallback is not None:
            pieces.append((cursor, ce, fallback))
    return pieces


def _targets(months: list[date]) -> dict[date, Decimal]:
    """The target of each month from one read of the target's history."""
    history = db.session.execute(select(KpiTarget.valid_from, KpiTarget.target).where(KpiTarget.code == KPI_CODE)
                                 .order_by(KpiTarget.valid_from)).all()
    out = {}
    for month in months:
        value = Decimal(95)
        for valid_from, target in history:
            if valid_from <= month:
                value = Decimal(target)
        out[month] = value.quantize(TWO)
    return out


def save_plan(service_id: int | None, site_id: int | None, month: date | None, planned, actor) -> CapacityPlan:
    """Enter (or change) the planned headcount of a service at a site for a month."""
    if db.session.get(Service, service_id or 0) is None:
        raise ServiceError(_("Choose the service."), "service_id")
    if db.session.get(Site, site_id or 0) is None:
        raise ServiceError(_("Choose the site."), "site_id")
    if month is None:
        raise ServiceError(_("Enter the month as YYYY-MM."), "month")
    if planned is None or planned < 0 or planned > 100000:
        raise ServiceError(_("Enter the planned headcount (0 or more)."), "planned")
    month = month.replace(day=1)
    plan = db.session.scalar(select(CapacityPlan).where(CapacityPlan.service_id == service_id,
                                                        CapacityPlan.site_id == site_id, CapacityPlan.month == month))
    old = None
    if plan is None:
        plan = CapacityPlan(service_id=service_id, site_id=site_id, month=month, planned=planned)
        db.session.add(plan)
    else:
        old = {"planned": plan.planned}
        plan.planned = planned
    db.session.flush()
    audit.record("capacity_plan.saved", plan, old=old, new={"service_id": service_id, "site_id": site_id,
                                                           "month": month.strftime("%Y-%m"), "planned": planned}, actor=actor)
    return plan



# ---------------------------------------------------------------- the caplan from Excel
PLAN_HEADERS = ["Bulan", "Layanan", "Site", "Rencana"]


def plan_template() -> bytes:
    from portal.core.xlsx import build_workbook

    return build_workbook("Caplan", PLAN_HEADERS, [["2026-12", "147", "MLG", 10]], widths=[10, 26, 18, 10])


def import_plans(storage, actor) -> tuple[int, list[tuple[int, str]]]:
    """Every row checked; all saved, or none: (rows saved, [(row in Excel, problem)])."""
    import io
    from datetime import datetime

    from openpyxl import load_workbook

    if storage is None or not getattr(storage, "filename", ""):
        raise ServiceError(_("Choose the Excel file to import."), "file")
    data = storage.read(2 * 1024 * 1024 + 1)
    if len(data) > 2 * 1024 * 1024:
        raise ServiceError(_("The file is larger than 2 MB."), "file")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - not a workbook openpyxl can read
        raise ServiceError(_("This is not an Excel workbook (.xlsx)."), "file")
    rows = wb.worksheets[0].iter_rows(values_only=True)
    header = [str(h or "").strip() for h in (next(rows, None) or [])]
    missing = [h for h in PLAN_HEADERS if h not in header]
    if missing:
        raise ServiceError(_("Columns missing in the first row: %(cols)s. Use the template.", cols=", ".join(missing)), "file")
    at = {h: header.index(h) for h in PLAN_HEADERS}
    services_by = {}
    for row in db.session.execute(select(Service.id, Service.code, Service.name)):
        services_by[row.code.lower()] = row.id
        services_by[row.name.lower()] = row.id
    sites_by = {}
    for row in db.session.execute(select(Site.id, Site.code, Site.name)):
        sites_by[row.code.lower()] = row.id
        sites_by[row.name.lower()] = row.id
    wanted, errors, seen = [], [], set()
    for n, values in enumerate(rows, start=2):
        if values is None or all(v in (None, "") for v in values):
            continue

        def cell(name):
            i = at[name]
            return values[i] if i < len(values) else None

        raw_month = cell("Bulan")
        month = raw_month.date().replace(day=1) if isinstance(raw_month, datetime) else parse_month(str(raw_month or ""))
        service = services_by.get(str(cell("Layanan") or "").strip().lower())
        site = sites_by.get(str(cell("Site") or "").strip().lower())
        planned = cell("Rencana")
        problems = []
        if month is None:
            problems.append(_("Bulan: use YYYY-MM."))
        if service is None:
            problems.append(_("Layanan: unknown service %(v)s.", v=cell("Layanan") or "—"))
        if site is None:
            problems.append(_("Site: unknown site %(v)s.", v=cell("Site") or "—"))
        if not isinstance(planned, (int, float)) or planned < 0 or int(planned) != planned:
            problems.append(_("Rencana: a whole number, 0 or more."))
        if not problems and (month, service, site) in seen:
            problems.append(_("The same month, service and site appear twice in the file."))
        if problems:
            errors.append((n, " ".join(problems)))
            continue
        seen.add((month, service, site))
        wanted.append((service, site, month, int(planned)))
    wb.close()
    if not wanted and not errors:
        raise ServiceError(_("The file has no rows to import."), "file")
    if errors:
        return 0, errors
    for service, site, month, planned in wanted:
        save_plan(service, site, month, planned, actor)
    return len(wanted), []

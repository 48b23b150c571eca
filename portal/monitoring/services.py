"""KPIs and their readings: the seeded definitions, readings entered by hand or computed by the portal from the
tapping, people and roster modules, and the arithmetic of a day's and a month's figure.

Aggregation (in SQL, one statement for any number of KPIs and days): a day's figure is its daily reading when there
is one, else the aggregate of its interval readings; a month's figure is its monthly reading when there is one, else
the aggregate of its days. An aggregate is weighted by volume (calls offered) when every reading of it carries a
volume, else the plain mean. Whether a figure meets its target follows the KPI's direction (higher or lower is
better, the target itself meets it).

The two public functions `reading_evidence` and `kpi_met_periods` are what the nonconformity register reads of a
KPI miss (its evidence, and the effectiveness check "the KPI met target for N following periods")."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import case, func, select

from portal.auth.models import Service
from portal.core import audit
from portal.core.db import utcnow
from portal.core.i18n import local_today
from portal.core.service import ServiceError
from portal.extensions import db
from portal.monitoring import catalogue
from portal.monitoring.models import (
    DAY,
    INTERVAL,
    MONTH,
    PEOPLE_STAFFING,
    ROSTER_COMPLIANCE,
    TAPPING_QVS,
    DailyAnalysis,
    Kpi,
    Reading,
)

TWO = Decimal("0.01")
HK = 3  # the daily analysis is due within three working days (P-10 7.5)


def q2(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(TWO, rounding=ROUND_HALF_UP)


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def parse_month(text: str | None) -> date | None:
    try:
        year, month = (text or "").strip().split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        return None


def parse_decimal(text) -> Decimal | None:
    """'85,5' or '85.5' -> Decimal('85.5'); None when it is not a number."""
    if isinstance(text, (int, float, Decimal)):
        return Decimal(str(text))
    cleaned = (text or "").strip().replace(" ", "").replace("%", "")
    if not cleaned:
        return None
    if "," in cleaned and "." in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    else:
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


# ---------------------------------------------------------------- definitions
def seed_kpis(actor=None) -> list[str]:
    """Create the catalogue's KPIs of the services that exist and have none of that code (idempotent)."""
    services = {s.code: s for s in db.session.scalars(select(Service))}
    have = {(k.service_id, k.code) for k in db.session.scalars(select(Kpi))}
    out = []
    for code, seeds in catalogue.SEEDS.items():
        svc = services.get(code)
        if svc is None:
            continue
        for position, (kcode, name, formula, source, unit, target, higher, period, owner) in enumerate(seeds, 1):
            if (svc.id, kcode) in have:
                continue
            kpi = Kpi(service_id=svc.id, code=kcode, name=name, formula=formula, source=source, unit=unit, target=target,
                      higher_is_better=higher, period=period, owner_role=owner, position=position)
            db.session.add(kpi)
            db.session.flush()
            audit.record("kpi.created", kpi, new={"service": svc.code, "code": kcode, "target": str(target)}, actor=actor)
            out.append(f"KPI {svc.code} {kcode} created")
    return out


def kpis(service_ids=None) -> list[Kpi]:
    """Active KPIs of some services (None: all), by service and position."""
    stmt = select(Kpi).join(Service, Service.id == Kpi.service_id).where(Kpi.active.is_(True)).order_by(Service.code, Kpi.position)
    if service_ids is not None:
        stmt = stmt.where(Kpi.service_id.in_(list(service_ids) or [0]))
    return list(db.session.scalars(stmt))


def kpi_by_code(service_code: str, code: str) -> Kpi | None:
    return db.session.scalar(select(Kpi).join(Service, Service.id == Kpi.service_id)
                             .where(Service.code == service_code, Kpi.code == code))


# ---------------------------------------------------------------- arithmetic
@dataclass
class Figure:
    """A KPI's figure over a period (a day or a month), with what it was made of."""
    kpi: Kpi
    start: date
    value: Decimal | None
    weight: int | None = None  # the volume behind it (None: not every reading had one)
    readings: int = 0
    kind: str = DAY  # day | month

    @property
    def target(self) -> Decimal:
        return self.kpi.target

    @property
    def met(self) -> bool | None:
        return self.kpi.met(self.value)

    @property
    def period_text(self) -> str:
        return self.start.strftime("%Y-%m") if self.kind == MONTH else self.start.isoformat()


def _combine(parts: list[tuple[Decimal, int | None]]) -> tuple[Decimal | None, int | None]:
    """(value, weight) of values each with a weight or None: weighted when all carry one, else the mean."""
    if not parts:
        return None, None
    if all(w is not None for _v, w in parts) and sum(w for _v, w in parts) > 0:
        total = sum(w for _v, w in parts)
        return q2(sum(Decimal(v) * w for v, w in parts) / total), total
    return q2(sum(Decimal(v) for v, _w in parts) / len(parts)), None


def _day_rows(kpi_ids: list[int], first: date, last: date):
    """One statement: per KPI, day and kind of reading, the count, the volume-weighted sum, the mean."""
    weighted = func.sum(case((Reading.volume.is_not(None), Reading.value * Reading.volume), else_=0))
    stmt = (select(Reading.kpi_id, Reading.day, Reading.period, func.count(Reading.id), func.count(Reading.volume),
                   weighted, func.sum(Reading.volume), func.avg(Reading.value))
            .where(Reading.kpi_id.in_(kpi_ids or [0]), Reading.day >= first, Reading.day <= last)
            .group_by(Reading.kpi_id, Reading.day, Reading.period))
    return db.session.execute(stmt).all()


@dataclass
class Series:
    """Per KPI: its figure of each day with data, and of each month with data."""
    days: dict[int, dict[date, Figure]]
    months: dict[int, dict[date, Figure]]

    def day(self, kpi: Kpi, day: date) -> Figure:
        return self.days.get(kpi.id, {}).get(day) or Figure(kpi, day, None)

    def month(self, kpi: Kpi, first: date) -> Figure:
        return self.months.get(kpi.id, {}).get(first) or Figure(kpi, first, None, kind=MONTH)


def series(kpi_list: list[Kpi], first: date, last: date) -> Series:
    """The figures of these KPIs between two days (whole months are aggregated from the days in the window)."""
    by_id = {k.id: k for k in kpi_list}
    found: dict[tuple[int, date], dict[str, tuple]] = {}
    for kpi_id, day, period, n, n_vol, wsum, vol, avg in _day_rows(list(by_id), first, last):
        found.setdefault((kpi_id, day), {})[period] = (n, n_vol, wsum, vol, avg)
    days: dict[int, dict[date, Figure]] = {}
    monthly: dict[tuple[int, date], Figure] = {}
    for (kpi_id, day), kinds in found.items():
        kpi = by_id[kpi_id]
        if MONTH in kinds:
            n, n_vol, wsum, vol, avg = kinds[MONTH]
            monthly[(kpi_id, month_start(day))] = Figure(kpi, month_start(day), q2(avg), vol if n_vol == n else None, n, MONTH)
        pick = kinds.get(DAY) or kinds.get(INTERVAL)
        if pick is None:
            continue
        n, n_vol, wsum, vol, avg = pick
        if n_vol == n and vol:
            value, weight = q2(Decimal(wsum) / Decimal(vol)), int(vol)
        else:
            value, weight = q2(avg), None
        days.setdefault(kpi_id, {})[day] = Figure(kpi, day, value, weight, n)
    months: dict[int, dict[date, Figure]] = {}
    per_month: dict[tuple[int, date], list[Figure]] = {}
    for kpi_id, figures in days.items():
        for day, f in figures.items():
            per_month.setdefault((kpi_id, month_start(day)), []).append(f)
    for key, figures in per_month.items():
        if key in monthly:
            continue
        value, weight = _combine([(f.value, f.weight) for f in figures])
        monthly[key] = Figure(by_id[key[0]], key[1], value, weight, sum(f.readings for f in figures), MONTH)
    for (kpi_id, first_day), f in monthly.items():
        months.setdefault(kpi_id, {})[first_day] = f
    return Series(days, months)


def month_days(first: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((month_end(first) - first).days + 1)]


# ---------------------------------------------------------------- readings
def _check_value(kpi: Kpi, value) -> Decimal:
    number = parse_decimal(value)
    if number is None:
        raise ServiceError(_("Enter the value as a number, e.g. 82,5."), "value")
    if number < 0 or (kpi.unit == "%" and number > 100):
        raise ServiceError(_("A percentage lies between 0 and 100."), "value")
    if number >= Decimal(100000000):
        raise ServiceError(_("The value is too large."), "value")
    return q2(number)


def allowed_periods(kpi: Kpi) -> list[str]:
    return [MONTH] if kpi.period == MONTH else [INTERVAL, DAY]


def period_start(period: str, day: date, at: time | None) -> datetime:
    if period == MONTH:
        return datetime.combine(day.replace(day=1), time(0))
    if period == DAY:
        return datetime.combine(day, time(0))
    return datetime.combine(day, at or time(0))


def existing(kpi: Kpi, period: str, starts_at: datetime) -> Reading | None:
    return db.session.scalar(select(Reading).where(Reading.kpi_id == kpi.id, Reading.period == period,
                                                   Reading.starts_at == starts_at))


def store(kpi: Kpi, period: str, starts_at: datetime, value: Decimal, volume: int | None, actor, source: str,
          note: str = "", replace: bool = False, import_id: int | None = None, found: Reading | None | bool = False,
          audit_it: bool = True) -> Reading:
    """Add (or, with `replace`, overwrite) the reading of a KPI over a period; a second one is refused."""
    row = existing(kpi, period, starts_at) if found is False else found
    old = None
    if row is not None:
        if not replace:
            raise ServiceError(_("This KPI already has a reading for this period (%(v)s); tick \"Replace\" to overwrite it.",
                                 v=str(row.value).replace(".", ",")), "value")
        old = {"value": str(row.value), "volume": row.volume}
    else:
        row = Reading(kpi_id=kpi.id, kpi=kpi, period=period, starts_at=starts_at)
        db.session.add(row)
    row.day = starts_at.date()
    row.value, row.volume, row.target, row.source, row.note = value, volume, kpi.target, source, note
    row.import_id, row.entered_by_id = import_id, getattr(actor, "id", None)
    row.entered_at = utcnow()
    db.session.flush()
    if audit_it:
        audit.record("reading.replaced" if old else "reading.entered", row, old=old,
                     new={"kpi": kpi.code, "service": kpi.service.code, "period": period,
                          # local time as people read it (08.30): the audit page shows values as stored
                          "start": starts_at.strftime("%Y-%m-%d %H.%M") if period == INTERVAL else starts_at.date().isoformat(),
                          "value": str(value), "volume": volume, "target": str(kpi.target), "met": kpi.met(value)}, actor=actor)
    return row


def enter(kpi: Kpi, data: dict, actor) -> Reading:
    """A reading entered by hand (desk control, supervisor): period, day, interval start, value, volume, note."""
    if kpi.computed:
        raise ServiceError(_("This KPI is computed by the portal: use \"Compute\" instead."), "value")
    period = data.get("period") or (MONTH if kpi.period == MONTH else DAY)
    if period not in allowed_periods(kpi):
        raise ServiceError(_("Choose a period this KPI is read over."), "period")
    day = data.get("day")
    if not isinstance(day, date):
        raise ServiceError(_("Enter the date."), "day")
    if day > local_today():
        raise ServiceError(_("A reading cannot be about a day that has not come yet."), "day")
    at = data.get("at")
    if period == INTERVAL and not isinstance(at, time):
        raise ServiceError(_("Enter the start of the interval (e.g. 09.00)."), "at")
    value = _check_value(kpi, data.get("value"))
    volume = data.get("volume")
    if volume is not None and volume < 0:
        raise ServiceError(_("The volume cannot be negative."), "volume")
    starts_at = period_start(period, day, at)
    row = store(kpi, period, starts_at, value, volume, actor, "manual", (data.get("note") or "").strip(),
                bool(data.get("replace")))
    if period != MONTH:
        ensure_daily([(kpi.service_id, day)])
    return row


def ensure_daily(pairs) -> None:
    """The service's days that need a daily analysis (F-05), due HK+3 on the working-day calendar."""
    from portal.core.workdays import add_working_days

    pairs = {(s, d) for s, d in pairs}
    if not pairs:
        return
    have = set(db.session.execute(select(DailyAnalysis.service_id, DailyAnalysis.day).where(
        DailyAnalysis.service_id.in_({s for s, _d in pairs}), DailyAnalysis.day.in_({d for _s, d in pairs}))).all())
    for service_id, day in sorted(pairs - have):
        db.session.add(DailyAnalysis(service_id=service_id, day=day, due_on=add_working_days(day, HK)))
    db.session.flush()


# ---------------------------------------------------------------- computed by the portal
def _qvs(kpi: Kpi, first: date) -> tuple[Decimal | None, int | None]:
    from portal.tapping import qvs
    from portal.tapping.models import Call

    m = qvs.month_figures(first, Call.service_id == kpi.service_id)
    return m.totals.score, m.totals.agree or None


def _staffing(kpi: Kpi, first: date) -> tuple[Decimal | None, int | None]:
    from portal.people import staffing

    rows = [r for r in staffing.staffing(first, first) if r.service_id == kpi.service_id and r.planned]
    planned = sum(r.planned for r in rows)
    if not planned:
        return None, None
    return q2(sum(r.available for r in rows) * 100 / planned), planned


def _compliance(kpi: Kpi, first: date, last: date) -> dict[date, tuple[Decimal | None, int]]:
    from portal.people.models import Team
    from portal.roster import realisation

    team_ids = list(db.session.scalars(select(Team.id).where(Team.service_id == kpi.service_id)))
    if not team_ids:
        return {}
    found = realisation.days_of(realisation.team_staff_query(team_ids, first, last), first, last)
    _total, _people, per_day = realisation.tally(found)
    return {day: (t.compliance, t.scheduled) for day, t in per_day.items() if t.scheduled}


def compute(kpi: Kpi, first: date, actor) -> int:
    """(Re)compute the readings of a portal-computed KPI for a month (its days up to yesterday for the roster's
    compliance); returns how many readings were written (one audit event for the run)."""
    from portal.core.modules import is_enabled

    if not kpi.computed:
        raise ServiceError(_("This KPI is not computed by the portal."), "month")
    today = local_today()
    if first > today:
        raise ServiceError(_("The month has not started yet."), "month")
    module = {TAPPING_QVS: "tapping", PEOPLE_STAFFING: "people", ROSTER_COMPLIANCE: "roster"}[kpi.source]
    if not is_enabled(module):
        raise ServiceError(_("The module this KPI is read from is not enabled."), "month")
    values: dict[datetime, tuple[Decimal, int | None]] = {}
    if kpi.source in (TAPPING_QVS, PEOPLE_STAFFING):
        value, volume = (_qvs if kpi.source == TAPPING_QVS else _staffing)(kpi, first)
        if value is not None:
            values[period_start(MONTH, first, None)] = (value, volume)
        period = MONTH
    else:
        last = min(month_end(first), today - timedelta(days=1))
        if last >= first:
            for day, (value, n) in _compliance(kpi, first, last).items():
                if value is not None:
                    values[period_start(DAY, day, None)] = (value, n)
        period = DAY
    old = {r.starts_at: r for r in db.session.scalars(select(Reading).where(
        Reading.kpi_id == kpi.id, Reading.period == period, Reading.starts_at.in_(list(values) or [datetime(1900, 1, 1)])))}
    for starts_at, (value, volume) in sorted(values.items()):
        store(kpi, period, starts_at, q2(value), volume, actor, "computed", replace=True, found=old.get(starts_at),
              audit_it=False)
    if period == DAY:
        ensure_daily([(kpi.service_id, s.date()) for s in values])
    audit.record("kpi.computed", kpi, new={"service": kpi.service.code, "kpi": kpi.code, "month": f"{first:%Y-%m}",
                                          "readings": len(values)}, actor=actor)
    return len(values)


# ---------------------------------------------------------------- what the nonconformity register reads
def miss_text(kpi: Kpi, value, target, period_text: str) -> str:
    """A short Indonesian sentence of a miss (or a hit)."""
    unit = f" {kpi.unit}"
    v, t = str(q2(value)).replace(".", ","), str(q2(target)).replace(".", ",")
    if kpi.met(value, target):
        return f"{kpi.name} layanan {kpi.service.code} periode {period_text}: {v}{unit}, memenuhi target {t}{unit}."
    sign = "≥" if kpi.higher_is_better else "≤"
    return (f"{kpi.name} layanan {kpi.service.code} periode {period_text} tidak mencapai target: "
            f"{v}{unit} (target {sign} {t}{unit}).")


def reading_period_text(reading: Reading) -> tuple[date, datetime | date, str]:
    """(start, end, text) of a reading's period."""
    if reading.period == MONTH:
        first = reading.starts_at.date()
        return first, month_end(first), first.strftime("%Y-%m")
    if reading.period == DAY:
        return reading.day, reading.day, reading.day.isoformat()
    end = reading.starts_at + timedelta(minutes=30)
    return reading.starts_at, end, f"{reading.day.isoformat()} {reading.starts_at:%H.%M}-{end:%H.%M}"


def reading_evidence(reading_id: int) -> dict | None:
    """The evidence of one KPI reading for a nonconformity: KPI code and name, service code, period (start, end),
    value, target, unit, met, a short Indonesian description and the URL of the monitoring page that shows it.
    None when there is no such reading."""
    reading = db.session.get(Reading, reading_id)
    if reading is None:
        return None
    kpi = reading.kpi
    start, end, text = reading_period_text(reading)
    return {"reading_id": reading.id, "kpi": kpi.code, "kpi_name": kpi.name, "service": kpi.service.code,
            "period": reading.period, "start": start.isoformat(), "end": end.isoformat(),
            "value": float(reading.value), "target": float(reading.target), "unit": kpi.unit,
            "met": bool(kpi.met(reading.value, reading.target)),
            "description": miss_text(kpi, reading.value, reading.target, text),
            "url": url_for("monitoring.kpi", kpi_id=kpi.id, month=f"{reading.day:%Y-%m}", _anchor=f"r{reading.id}",
                           _external=True)}


def kpi_met_periods(kpi_id: int, after: date, n: int) -> bool | None:
    """Whether the KPI met its target in each of the first n periods with readings after `after` (days for a daily
    or interval KPI, months for a monthly one): True when all met, False when one missed, None when fewer than n
    periods have readings yet (or there is no such KPI). The periods are the first n that have data, in order."""
    kpi = db.session.get(Kpi, kpi_id)
    if kpi is None or n < 1:
        return None
    if kpi.period == MONTH:
        first = (after.replace(day=1) + timedelta(days=32)).replace(day=1)
        rows = db.session.execute(select(Reading.day, Reading.value, Reading.target).where(
            Reading.kpi_id == kpi.id, Reading.period == MONTH, Reading.day >= first).order_by(Reading.day).limit(n)).all()
        if len(rows) < n:
            return None
        return all(kpi.met(v, t) for _d, v, t in rows)
    # the first n days with readings after `after`, aggregated like the monitoring page does
    days = list(db.session.scalars(select(Reading.day).where(Reading.kpi_id == kpi.id, Reading.day > after,
                                                              Reading.period != MONTH)
                                   .group_by(Reading.day).order_by(Reading.day).limit(n)))
    if len(days) < n:
        return None
    s = series([kpi], days[0], days[-1])
    return all(s.day(kpi, d).met for d in days)


# ---------------------------------------------------------------- before and after a plan
def around(kpi: Kpi, day: date, before: int = 7, after: int = 7) -> tuple[list[Figure], list[Figure]]:
    """The KPI's daily (or monthly) figures before and from the day of a plan's reading."""
    if kpi.period == MONTH:
        first = (day.replace(day=1) - timedelta(days=31 * 3)).replace(day=1)
        last = month_end((day.replace(day=1) + timedelta(days=31 * 3)).replace(day=1))
        s = series([kpi], first, last)
        figures = sorted(s.months.get(kpi.id, {}).values(), key=lambda f: f.start)
        return ([f for f in figures if f.start < day.replace(day=1)],
                [f for f in figures if f.start >= day.replace(day=1)])
    s = series([kpi], day - timedelta(days=before), day + timedelta(days=after))
    figures = sorted(s.days.get(kpi.id, {}).values(), key=lambda f: f.start)
    return [f for f in figures if f.start < day], [f for f in figures if f.start >= day]


def readings_of(kpi: Kpi, first: date, last: date, limit: int = 150) -> list[Reading]:
    return list(db.session.scalars(select(Reading).where(Reading.kpi_id == kpi.id, Reading.day >= first, Reading.day <= last)
                                   .order_by(Reading.starts_at.desc(), Reading.period).limit(limit)))


def latest_month_with_data(kpi_ids) -> date | None:
    day = db.session.scalar(select(func.max(Reading.day)).where(Reading.kpi_id.in_(list(kpi_ids) or [0])))
    return day.replace(day=1) if day else None




def update_kpi(kpi: Kpi, data: dict, actor) -> Kpi:
    """Change a KPI's definition (name, formula, target, direction, owner role); the readings already stored keep the
    target of their day. One audit event with the old and new values."""
    from portal.core.permissions import ROLES

    name = (data.get("name") or "").strip()
    if not name:
        raise ServiceError(_("Enter the name of the KPI."), "name")
    target = parse_decimal(data.get("target"))
    if target is None:
        raise ServiceError(_("Enter the value as a number, e.g. 82,5."), "target")
    if target < 0 or (kpi.unit == "%" and target > 100):
        raise ServiceError(_("A percentage lies between 0 and 100."), "target")
    if data.get("owner_role") not in ROLES:
        raise ServiceError(_("Choose the role that owns the KPI."), "owner_role")
    new = {"name": name[:120], "formula": (data.get("formula") or "").strip()[:2000], "target": q2(target),
           "higher_is_better": bool(data.get("higher_is_better")), "owner_role": data["owner_role"]}
    old = {key: getattr(kpi, key) for key in new}
    changed = {key: value for key, value in new.items() if old[key] != value}
    if not changed:
        return kpi
    for key, value in changed.items():
        setattr(kpi, key, value)
    db.session.flush()
    audit.record("kpi.changed", kpi, old={k: str(old[k]) for k in changed}, new={k: str(v) for k, v in changed.items()},
                 actor=actor)
    return kpi

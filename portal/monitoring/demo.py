"""Demo data of the monitoring module: the KPI catalogue, a month of daily readings for 147, 108 and social media with
some days under target, interval readings (30 minutes) of 147 for the last days, the computed KPIs of this month,
one recovery plan closed and one distributed and waiting for the team leader's acknowledgement, and daily analyses
(F-05) of 147 for the last week, one of them overdue."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.auth.demo import DEMO_PASSWORD
from portal.auth.models import User
from portal.core.i18n import local_today
from portal.core.service import ServiceError
from portal.extensions import db
from portal.monitoring import catalogue, f05, plans, services
from portal.monitoring.models import DAY, INTERVAL, DailyAnalysis, Kpi, Reading

DAYS = 30
# per service and KPI: (mean, spread, daily volume)
PROFILE = {("147", "SL"): (82, 6, 12000), ("147", "SCR"): (2.4, 1.0, 11000), ("108", "SL"): (83, 5, 8000),
           ("108", "SCR"): (2.2, 1.1, 7600), ("SOSMED", "RT"): (12, 4, 2500), ("SOSMED", "RR"): (96, 2, 2500)}
INTERVAL_DAYS = 2  # 147: the last two days (and this morning) are read per 30-minute interval


def _value(rnd, mean, spread, kpi) -> Decimal:
    v = max(0.0, rnd.gauss(mean, spread))
    if kpi.unit == "%":
        v = min(v, 100.0)
    return services.q2(Decimal(str(round(v, 2))))


def load() -> list[str]:
    out = services.seed_kpis()
    users = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_(["tl", "spv", "manager"])))}
    if len(users) < 3:
        return out + ["monitoring demo skipped: the demo users are missing"]
    if db.session.scalar(select(Reading.id).limit(1)) is not None:
        return out
    tl, spv = users["tl"], users["spv"]
    today = local_today()
    rnd = random.Random(14)
    kpis = {(k.service.code, k.code): k for k in db.session.scalars(select(Kpi))}
    count = 0
    for (svc, code), (mean, spread, volume) in PROFILE.items():
        kpi = kpis.get((svc, code))
        if kpi is None:
            continue
        for back in range(DAYS, 0, -1):
            day = today - timedelta(days=back)
            if svc == "147" and back <= INTERVAL_DAYS:
                continue
            vol = int(volume * rnd.uniform(0.85, 1.15))
            services.store(kpi, DAY, datetime.combine(day, time(0)), _value(rnd, mean, spread, kpi), vol, tl, "import",
                           audit_it=False)
            count += 1
        if svc == "147":  # interval readings: 08.00-16.30 of the last days, this morning until 11.30
            for back in range(INTERVAL_DAYS, -1, -1):
                day = today - timedelta(days=back)
                slots = 18 if back else 8
                for i in range(slots):
                    at = (datetime.combine(day, time(8)) + timedelta(minutes=30 * i))
                    dip = 9 if (back == 1 and code == "SL" and 4 <= i <= 7) else 0  # a late-morning peak missed SL
                    services.store(kpi, INTERVAL, at, _value(rnd, mean - dip, spread / 2, kpi),
                                   int(volume / 18 * rnd.uniform(0.7, 1.3)), tl, "import", audit_it=False)
                    count += 1
    out.append(f"{count} KPI readings")
    out += _computed(spv, today)
    out += _plans(kpis, tl, spv, users["manager"], today)
    out += _analyses(kpis, spv, today)
    out += _capa_check(kpis, users["manager"])
    return out


def _capa_check(kpis, actor) -> list[str]:
    """The closed loop in the demo: capa's KPI-analysis NC about 147's short-call rate, waiting for its effectiveness
    check, reads the KPI itself (three following days meeting target) instead of a verifier's note."""
    from portal.core.modules import is_enabled

    scr = kpis.get(("147", "SCR"))
    if scr is None or not is_enabled("capa"):
        return []
    from portal.capa import services as capa
    from portal.capa.models import Nonconformity

    nc = db.session.scalar(select(Nonconformity).where(Nonconformity.source == "kpi", Nonconformity.status == "verifying")
                           .order_by(Nonconformity.id).limit(1))
    if nc is None or nc.check_kind == "kpi":
        return []
    capa.set_check(nc, nc.check_due, "kpi", {"kpi_id": scr.id, "n": 3},
                   "Tingkat panggilan pendek (SCR) 147 ≤ 3 % tiga hari berturut-turut setelah refreshment (dibaca otomatis).", actor)
    return [f"{nc.number}: effectiveness check reads 147 SCR"]


def _computed(spv, today) -> list[str]:
    out = []
    for kpi in db.session.scalars(select(Kpi).where(Kpi.source.in_(["tapping_qvs", "people_staffing", "roster_compliance"]))):
        try:
            n = services.compute(kpi, today.replace(day=1), spv)
        except ServiceError:
            continue
        if n:
            out.append(f"{n} reading(s) of {kpi.service.code} {kpi.code} computed")
    return out


def _missed(kpi, first: date, last: date, period: str) -> Reading | None:
    for r in db.session.scalars(select(Reading).where(Reading.kpi_id == kpi.id, Reading.day >= first, Reading.day <= last,
                                                      Reading.period == period).order_by(Reading.starts_at)):
        if not r.met:
            return r
    return None


def _plans(kpis, tl, spv, manager, today) -> list[str]:
    sl = kpis.get(("147", "SL"))
    if sl is None:
        return []
    out = []
    old = _missed(sl, today - timedelta(days=DAYS), today - timedelta(days=10), DAY)
    if old is None:  # make sure the demo shows a miss
        old = db.session.scalar(select(Reading).where(Reading.kpi_id == sl.id, Reading.period == DAY).order_by(Reading.day).limit(1))
        old.value = Decimal("74.20")
        db.session.flush()
    start = datetime.combine(old.day, time(10))
    steps = [{"action": t, "owner_id": tl.id, "due_at": start + timedelta(hours=h)} for t, h in catalogue.DEFAULT_STEPS]
    plan = plans.propose(sl, old, services.miss_text(sl, old.value, old.target, old.day.isoformat())
                         + " Banyak agent sakit pada shift pagi; antrian menumpuk pukul 10.00-12.00.", steps, tl)
    plans.approve(plan, "Setuju, jalankan mulai shift berikutnya.", spv)
    plans.distribute(plan, [tl.id], tl)
    plans.acknowledge(plan, tl)
    plans.close(plan, "achieved", "SL kembali di atas 80 % sejak dua hari setelah recovery plan dijalankan.", spv)
    out.append(f"recovery plan {plan.number} closed")
    recent = _missed(sl, today - timedelta(days=INTERVAL_DAYS), today, INTERVAL)
    if recent is not None:
        start = recent.starts_at + timedelta(minutes=30)
        steps = [{"action": t, "owner_id": tl.id, "due_at": start + timedelta(hours=h)}
                 for t, h in catalogue.DEFAULT_STEPS]
        plan = plans.propose(sl, recent, services.miss_text(sl, recent.value, recent.target,
                                                            services.reading_period_text(recent)[2])
                             + " Lonjakan panggilan gangguan IndiHome pada jam sibuk.", steps, tl)
        plans.approve(plan, "", spv)
        plans.distribute(plan, [tl.id], tl)
        out.append(f"recovery plan {plan.number} waiting for the team leader's acknowledgement")
    return out


def _analyses(kpis, spv, today) -> list[str]:
    """147's last week: F-05 written and submitted, but for one day more than three working days ago (overdue)."""
    from portal.records import services as records

    sl = kpis.get(("147", "SL"))
    if sl is None:
        return []
    days = [today - timedelta(days=b) for b in range(8, 0, -1)]
    services.ensure_daily([(sl.service_id, d) for d in days])
    rows = list(db.session.scalars(select(DailyAnalysis).where(DailyAnalysis.day < today - timedelta(days=1))
                                   .order_by(DailyAnalysis.day)))
    late = [a for a in rows if a.due_on < today and a.service_id == sl.service_id]
    overdue = late[-1] if late else None
    out = []
    for a in rows:
        if a is overdue:
            continue
        try:
            record = f05.make_record(a, spv)
            record_data = dict(record.data)
            record_data.update({"analisa": "Pencapaian sesuai pola harian; antrian pagi tertangani dengan penambahan agent siaga.",
                                "tindak_lanjut": "Pertahankan alokasi agent siaga pada jam 10.00-12.00."})
            records.submit(record, spv, DEMO_PASSWORD, record_data)
        except ServiceError as exc:
            out.append(f"F-05 {a.service.code} {a.day} skipped: {exc.message}")
    if overdue is not None:
        out.append(f"F-05 of 147 {overdue.day} overdue (due {overdue.due_on})")
    return out

"""Benchmark of the monitoring page (issue 14): a year of 30-minute interval readings for six services, the page as a
ratio to the app's cheapest page (/healthz) measured in the same run. The page aggregates in SQL (one grouped
statement per page), so it must not read the year row by row. `python -m tests.bench monitoring [days] [minutes]`."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, select

from portal.extensions import db

BENCH_KPI = ("CR", "Contact Rate", "Kontak berhasil / panggilan keluar × 100")


def build_readings(app, days: int = 365, minutes: int = 30, chunk: int = 20000) -> int:
    """Interval readings of every interval KPI of the six demo services for the `days` days before today (a manual
    interval KPI is added to a service that has none, e.g. the outbound ones). Returns the rows added."""
    from portal.auth.models import Service
    from portal.core.i18n import local_today
    from portal.monitoring.models import INTERVAL, Kpi, Reading

    with app.app_context():
        services = list(db.session.scalars(select(Service).order_by(Service.code)))
        for svc in services:
            if db.session.scalar(select(Kpi.id).where(Kpi.service_id == svc.id, Kpi.period == INTERVAL).limit(1)) is None:
                db.session.add(Kpi(service_id=svc.id, code=BENCH_KPI[0], name=BENCH_KPI[1], formula=BENCH_KPI[2],
                                   source="imported", unit="%", target=Decimal(60), higher_is_better=True, period=INTERVAL,
                                   owner_role="spv", position=9))
        db.session.flush()
        kpis = list(db.session.scalars(select(Kpi).where(Kpi.period == INTERVAL)))
        today = local_today()
        have = {(k, s) for k, s in db.session.execute(select(Reading.kpi_id, Reading.starts_at).where(
            Reading.period == INTERVAL))}
        rows, added = [], 0
        slots = 24 * 60 // minutes
        for back in range(days, 0, -1):
            day = today - timedelta(days=back)
            start = datetime.combine(day, datetime.min.time())
            for kpi in kpis:
                base = float(kpi.target)
                for i in range(slots):
                    at = start + timedelta(minutes=minutes * i)
                    if (kpi.id, at) in have:
                        continue
                    wobble = ((i * 7 + back * 3 + kpi.id) % 11 - 5) * (0.02 * base + 0.3)
                    value = max(0.0, min(100.0, base + wobble)) if kpi.unit == "%" else max(0.0, base + wobble)
                    rows.append({"kpi_id": kpi.id, "period": INTERVAL, "starts_at": at, "day": day,
                                 "value": Decimal(str(round(value, 2))), "target": kpi.target, "volume": 50 + (i * 13) % 400,
                                 "source": "import", "note": "", "entered_at": at})
                    if len(rows) >= chunk:
                        db.session.execute(insert(Reading), rows)
                        added += len(rows)
                        rows = []
        if rows:
            db.session.execute(insert(Reading), rows)
            added += len(rows)
        db.session.commit()
        db.session.remove()
        return added


def main(days: int = 365, minutes: int = 30, repeat: int = 5) -> None:
    import os
    import statistics
    import sys
    import tempfile
    import time
    from pathlib import Path

    from flask_migrate import upgrade

    from portal import create_app
    from tests.conftest import database_url, test_config

    if len(sys.argv) > 1 and sys.argv[1].isdigit():
        days = int(sys.argv[1])
    if len(sys.argv) > 2 and sys.argv[2].isdigit():
        minutes = int(sys.argv[2])
    tmp = Path(tempfile.mkdtemp(prefix="portal-bench-monitoring-"))
    os.environ["PORTAL_INSTANCE"] = str(tmp)
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["TEST_DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    app = create_app({**test_config(database_url(tmp, "bench_monitoring"), tmp), "WTF_CSRF_ENABLED": False,
                      "LOG_LEVEL": "ERROR"})
    with app.app_context():
        upgrade()
        from portal.cli import load_demo

        load_demo()
        db.session.commit()
    t = time.perf_counter()
    added = build_readings(app, days, minutes)
    built = time.perf_counter() - t
    client = app.test_client()
    client.post("/login", data={"username": "manager", "password": "portal-demo"})
    from sqlalchemy import event

    def timed(path) -> float:
        assert client.get(path).status_code == 200, path
        samples = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            response = client.get(path)
            samples.append(time.perf_counter() - t0)
            assert response.status_code == 200, (path, response.status_code)
        return statistics.median(samples)

    def statements(path) -> int:
        with app.app_context():
            engine = db.engine
        count = {"n": 0}

        def on(*_a):
            count["n"] += 1
        event.listen(engine, "before_cursor_execute", on)
        try:
            client.get(path)
        finally:
            event.remove(engine, "before_cursor_execute", on)
        return count["n"]

    from portal.core.i18n import local_today

    with app.app_context():
        last_month = (local_today().replace(day=1) - timedelta(days=1)).replace(day=1)
        from portal.monitoring.models import Kpi
        kpi_id = db.session.scalar(select(Kpi.id).where(Kpi.code == "SL").order_by(Kpi.id))
        today = local_today()
    base = timed("/healthz")
    pages = [("cheapest page /healthz (baseline)", "/healthz"),
             ("monitoring page, this month, six services", "/monitoring/"),
             ("monitoring page, last month, six services", f"/monitoring/?month={last_month:%Y-%m}"),
             ("one KPI's page (147 SL), last month", f"/monitoring/kpi/{kpi_id}?month={last_month:%Y-%m}"),
             ("API: 147 figures over the year", f"/api/monitoring/kpis?service=147&from={today - timedelta(days=365)}&to={today}")]
    print(f"\nMonitoring benchmark — {added} interval readings added ({days} days × {24 * 60 // minutes} intervals per "
          f"interval KPI, six services) in {built:.1f} s; {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}; "
          f"median of {repeat}\n")
    print(f"{'measure':56} {'median ms':>10} {'× baseline':>11} {'statements':>11}")
    for name, path in pages:
        seconds = base if path == "/healthz" else timed(path)
        print(f"{name:56} {seconds * 1000:10.2f} {seconds / base:11.1f} {statements(path):11d}")

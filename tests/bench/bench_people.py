"""Staff at scale: thousands of people in teams at every site, with their contracts and one past team each, inserted
in bulk (no audit events: this is load for measuring pages, not history)."""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import insert, select

from portal.extensions import db


def build_people(app, n: int, teams_per_site: int = 6, seed: int = 10) -> None:
    """Add n staff (numbers B0000001...), spread over new teams at every site, each with a past and a current team
    and a probation then a fixed-term contract."""
    from portal.auth.models import Service, Site
    from portal.people.models import Position, Staff, StaffContract, Team, TeamMembership, staff_service

    rng = random.Random(seed)
    with app.app_context():
        sites = list(db.session.scalars(select(Site.id)))
        services = list(db.session.scalars(select(Service.id)))
        positions = {p.code: p.id for p in db.session.scalars(select(Position))}
        agent = positions.get("AGENT") or next(iter(positions.values()))
        now = date(2026, 11, 30)
        team_rows = [{"name": f"Bench {s}-{k}", "site_id": s, "service_id": services[k % len(services)], "active": True}
                     for s in sites for k in range(teams_per_site)]
        db.session.execute(insert(Team), team_rows)
        teams = db.session.execute(select(Team.id, Team.site_id, Team.service_id).where(Team.name.like("Bench %"))).all()
        staff_rows = []
        for i in range(n):
            team = teams[i % len(teams)]
            staff_rows.append({"employee_number": f"B{i:07d}", "full_name": f"Bench Karyawan {i}", "position_id": agent,
                               "site_id": team.site_id, "hire_date": now - timedelta(days=400 + rng.randint(0, 900)),
                               "status": "active", "education": "D3", "identity_number": "", "phone": "", "address": ""})
        db.session.execute(insert(Staff), staff_rows)
        ids = db.session.execute(select(Staff.id, Staff.employee_number, Staff.hire_date, Staff.site_id)
                                 .where(Staff.employee_number.like("B%"))).all()
        members, contracts, links = [], [], []
        for k, row in enumerate(ids):
            first, second = teams[k % len(teams)], teams[(k + 1) % len(teams)]
            if second.site_id != row.site_id:
                second = first
            moved = row.hire_date + timedelta(days=200)
            members.append({"staff_id": row.id, "team_id": first.id, "starts_on": row.hire_date,
                            "ends_on": moved - timedelta(days=1), "reason": ""})
            members.append({"staff_id": row.id, "team_id": second.id, "starts_on": moved, "ends_on": None, "reason": ""})
            probation_end = row.hire_date + timedelta(days=89)
            contracts.append({"staff_id": row.id, "number": f"B/{k}/1", "kind": "probation", "starts_on": row.hire_date,
                              "ends_on": probation_end, "position_id": agent, "site_id": row.site_id, "evaluation": ""})
            contracts.append({"staff_id": row.id, "number": f"B/{k}/2", "kind": "pkwt",
                              "starts_on": probation_end + timedelta(days=1),
                              "ends_on": now + timedelta(days=rng.randint(1, 400)), "position_id": agent,
                              "site_id": row.site_id, "evaluation": "bench"})
            links.append({"staff_id": row.id, "service_id": first.service_id})
        db.session.execute(insert(TeamMembership), members)
        db.session.execute(insert(StaffContract), contracts)
        db.session.execute(insert(staff_service), links)
        db.session.commit()
        db.session.remove()


def main(staff: int = 5000, months: int = 24, repeat: int = 10) -> None:
    """The staffing report (Pemenuhan Jumlah SDM) for `staff` agents over `months` months, as a ratio to the app's
    cheapest page (/healthz) measured in the same run."""
    import os
    import statistics
    import tempfile
    import time
    from pathlib import Path

    from flask_migrate import upgrade

    from portal import create_app
    from portal.people.staffing import next_month
    from tests.conftest import database_url, test_config

    tmp = Path(tempfile.mkdtemp(prefix="portal-bench-people-"))
    os.environ["PORTAL_INSTANCE"] = str(tmp)
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["TEST_DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    app = create_app({**test_config(database_url(tmp, "bench_people"), tmp), "WTF_CSRF_ENABLED": False, "LOG_LEVEL": "ERROR"})
    with app.app_context():
        upgrade()
        from portal.cli import load_demo

        load_demo()
        db.session.commit()
    t0 = time.perf_counter()
    build_people(app, staff)
    first = date(2024, 10, 1)  # 24 months that end before the demo caplan (this month and the next)
    month_list = [first]
    while len(month_list) < months:
        month_list.append(next_month(month_list[-1]))
    with app.app_context():
        from portal.auth.models import Service, Site
        from portal.people.models import CapacityPlan

        pairs = db.session.execute(select(Site.id, Service.id)).all()
        per_pair = max(1, staff // max(len(pairs), 1))
        db.session.execute(insert(CapacityPlan), [
            {"service_id": svc, "site_id": site, "month": m, "planned": per_pair} for site, svc in pairs for m in month_list])
        db.session.commit()
    built = time.perf_counter() - t0
    client = app.test_client()
    client.post("/login", data={"username": "hr", "password": "portal-demo"})

    def timed(path: str) -> float:
        assert client.get(path).status_code == 200, path
        samples = []
        for _ in range(repeat):
            t = time.perf_counter()
            client.get(path)
            samples.append(time.perf_counter() - t)
        return statistics.median(samples)

    base = timed("/healthz")
    report = f"/people/staffing?month={month_list[0]:%Y-%m}&to={month_list[-1]:%Y-%m}"
    rows = [("cheapest page /healthz (baseline)", base),
            (f"staffing report, {staff} staff, {months} months", timed(report)),
            ("staffing report, one month", timed(f"/people/staffing?month={month_list[-1]:%Y-%m}")),
            ("GET /api/people/staffing one month", timed(f"/api/people/staffing?month={month_list[-1]:%Y-%m}"))]
    print(f"\nStaffing KPI benchmark — {staff} staff, {months} months, "
          f"{app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}; data built in {built:.1f} s; median of {repeat}\n")
    print(f"{'measure':48} {'median ms':>10} {'× baseline':>11}")
    for name, seconds in rows:
        print(f"{name:48} {seconds * 1000:10.2f} {seconds / base:11.1f}")

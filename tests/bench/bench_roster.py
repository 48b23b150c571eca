"""Benchmark of the roster grid (issue 12): render and save a 60-person × 31-day month, as ratios to the app's
cheapest page (/healthz) measured in the same run. `python -m tests.bench roster`."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import insert, select

from portal.extensions import db


def build_roster(app, people: int = 60, month: date | None = None) -> tuple[int, str, list[int]]:
    """A team of `people` agents with contracts, led by the demo `tl`, and its month fully planned (five days on,
    two off). Returns the team id, the month as YYYY-MM and the staff ids."""
    from portal.auth.models import User
    from portal.people.models import PKWT, Position, Staff, StaffContract, Team, TeamMembership
    from portal.roster.models import RosterEntry, RosterMonth, Shift

    with app.app_context():
        from portal.core.i18n import local_today

        first = month or (local_today().replace(day=1) + timedelta(days=32)).replace(day=1)
        tl = db.session.scalar(select(User).where(User.username == "tl"))
        lead = db.session.scalar(select(Staff).where(Staff.user_id == tl.id))
        base = db.session.scalar(select(Team).where(Team.leader_id == lead.id))
        team = Team(name="BENCH 60", site_id=base.site_id, service_id=base.service_id, leader_id=lead.id)
        db.session.add(team)
        db.session.flush()
        agent = db.session.scalar(select(Position.id).where(Position.code == "AGENT"))
        ids = []
        for i in range(people):
            s = Staff(employee_number=f"BR{i:05d}", full_name=f"Agen Bench {i:02d}", position_id=agent,
                      site_id=base.site_id, hire_date=date(2024, 1, 2))
            db.session.add(s)
            db.session.flush()
            ids.append(s.id)
        db.session.execute(insert(TeamMembership), [{"staff_id": i, "team_id": team.id, "starts_on": date(2024, 1, 2)} for i in ids])
        db.session.execute(insert(StaffContract), [{"staff_id": i, "kind": PKWT, "starts_on": date(2024, 1, 2), "ends_on": None,
                                                    "position_id": agent, "site_id": base.site_id, "number": f"B/{i}"} for i in ids])
        row = RosterMonth(team_id=team.id, month=first)
        db.session.add(row)
        db.session.flush()
        shifts = {s.code: s.id for s in db.session.scalars(select(Shift).where(Shift.service_id == base.service_id))}
        from portal.roster.services import month_days

        cells = []
        for n, sid in enumerate(ids):
            for d in month_days(first):
                if (d.toordinal() + n) % 7 in (0, 1):
                    continue
                cells.append({"month_id": row.id, "staff_id": sid, "day": d, "shift_id": shifts["P" if n % 2 else "S"]})
        db.session.execute(insert(RosterEntry), cells)
        db.session.commit()
        return team.id, f"{first:%Y-%m}", ids


def main(people: int = 60, repeat: int = 5) -> None:
    import os
    import statistics
    import tempfile
    import time
    from pathlib import Path

    from flask_migrate import upgrade

    from portal import create_app
    from tests.conftest import database_url, test_config

    tmp = Path(tempfile.mkdtemp(prefix="portal-bench-roster-"))
    os.environ["PORTAL_INSTANCE"] = str(tmp)
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["TEST_DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    app = create_app({**test_config(database_url(tmp, "bench_roster"), tmp), "WTF_CSRF_ENABLED": False, "LOG_LEVEL": "ERROR"})
    with app.app_context():
        upgrade()
        from portal.cli import load_demo

        load_demo()
        db.session.commit()
    team_id, month, ids = build_roster(app, people)
    client = app.test_client()
    client.post("/login", data={"username": "tl", "password": "portal-demo"})
    grid = f"/roster/{team_id}/{month}"
    first = date.fromisoformat(month + "-01")

    def timed(fn) -> float:
        fn()
        samples = []
        for _ in range(repeat):
            t = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - t)
        return statistics.median(samples)

    def get(path):
        def run():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        return run

    flip = {"n": 0}

    def save_cell():
        flip["n"] += 1
        response = client.post(f"{grid}/cell", data={"staff_id": ids[0], "day": (first + timedelta(days=2)).isoformat(),
                                                     "code": "P" if flip["n"] % 2 else "S"}, headers={"HX-Request": "true"})
        assert response.status_code == 200, response.status_code

    def fill_month():
        flip["n"] += 1
        response = client.post(f"{grid}/fill", data={"staff_id": ids[1], "start": first.isoformat(),
                                                     "end": (first + timedelta(days=27)).isoformat(),
                                                     "code": "P" if flip["n"] % 2 else "S"})
        assert response.status_code == 303, response.status_code

    base = timed(get("/healthz"))
    rows = [("cheapest page /healthz (baseline)", base),
            (f"grid page {people} people × 31 days (editable)", timed(get(grid))),
            ("save one cell (htmx: the row and the headcount back)", timed(save_cell)),
            ("fill 28 days of one person (form, redirect)", timed(fill_month)),
            (f"grid as Excel ({people} × 31)", timed(get(f"{grid}/export.xlsx"))),
            ("F-02 page of the month", timed(get(f"{grid}/f02")))]
    print(f"\nRoster grid benchmark — {people} people × 31 days, "
          f"{app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}; median of {repeat}\n")
    print(f"{'measure':56} {'median ms':>10} {'× baseline':>11}")
    for name, seconds in rows:
        print(f"{name:56} {seconds * 1000:10.2f} {seconds / base:11.1f}")


def grow_rosters(app, days: int = 3) -> None:
    """For the page walk: every team without a roster gets this month's, its members rostered on the last `days` days
    (today included) and half of them checked in — the floor, the index and the grids must not cost more."""
    from portal.core.db import utcnow
    from portal.people.models import TeamMembership
    from portal.roster.models import Attendance, RosterEntry, RosterMonth, Shift

    with app.app_context():
        from portal.core.i18n import local_today
        from portal.people.models import Team

        today = local_today()
        first = today.replace(day=1)
        have = set(db.session.scalars(select(RosterMonth.team_id).where(RosterMonth.month == first)))
        shifts = {}
        for s in db.session.scalars(select(Shift).where(Shift.active.is_(True)).order_by(Shift.starts)):
            shifts.setdefault(s.service_id, s.id)
        entries, atts = [], []
        from sqlalchemy import true

        for team in db.session.scalars(select(Team).where(Team.id.not_in(have) if have else true())):
            if team.service_id not in shifts:
                continue
            row = RosterMonth(team_id=team.id, month=first)
            db.session.add(row)
            db.session.flush()
            members = list(db.session.scalars(select(TeamMembership.staff_id).where(
                TeamMembership.team_id == team.id, TeamMembership.ends_on.is_(None))))
            for k, sid in enumerate(members):
                for back in range(days):
                    day = today - timedelta(days=back)
                    if day < first:
                        continue
                    entries.append({"month_id": row.id, "staff_id": sid, "day": day, "shift_id": shifts[team.service_id]})
                    if k % 2 == 0:
                        atts.append({"staff_id": sid, "day": day, "check_in": utcnow(), "source": "import",
                                     "in_address": "", "out_address": "", "absence": "", "absence_note": "",
                                     "updated_at": utcnow()})
        if entries:
            db.session.execute(insert(RosterEntry), entries)
        if atts:
            db.session.execute(insert(Attendance), atts)
        db.session.commit()

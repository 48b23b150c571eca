"""Benchmark of the training matrix (issue 11): 2,000 people × 30 required items, as a ratio to the app's cheapest
page (/healthz) measured in the same run. `python -m tests.bench training`."""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import insert, select

from portal.extensions import db


def build_training(app, courses: int = 30, seed: int = 11) -> None:
    """`courses` courses required for agents (a third with a validity), each with one signed session a year long
    spread over the last 18 months, in which about 70 % of the agents passed and 10 % failed."""
    from portal.core.db import utcnow
    from portal.people.models import Position, Staff
    from portal.training.models import Attendee, Course, TrainingSession, course_position

    rnd = random.Random(seed)
    with app.app_context():
        agent = db.session.scalar(select(Position.id).where(Position.code == "AGENT"))
        staff_ids = list(db.session.scalars(select(Staff.id).where(Staff.position_id == agent)))
        today = date.today()
        for i in range(courses):
            course = Course(code=f"B-{i:03d}", name=f"Kursus bench {i}", kind="initial" if i == 0 else "refreshment",
                            validity_months=6 if i % 3 == 0 else None, pass_mark=70)
            db.session.add(course)
            db.session.flush()
            db.session.execute(insert(course_position), [{"course_id": course.id, "position_id": agent}])
            session = TrainingSession(course_id=course.id, held_on=today - timedelta(days=rnd.randint(1, 540)),
                                      signed_at=utcnow(), signed_name="Bench")
            db.session.add(session)
            db.session.flush()
            rows = []
            for sid in staff_ids:
                r = rnd.random()
                if r < 0.8:
                    rows.append({"session_id": session.id, "staff_id": sid, "attended": True, "score": 80 if r < 0.7 else 50,
                                 "passed": r < 0.7, "remarks": ""})
            db.session.execute(insert(Attendee), rows)
        db.session.commit()


def main(staff: int = 2000, courses: int = 30, repeat: int = 5) -> None:
    import os
    import statistics
    import tempfile
    import time
    from pathlib import Path

    from flask_migrate import upgrade

    from portal import create_app
    from tests.bench.bench_people import build_people
    from tests.conftest import database_url, test_config

    tmp = Path(tempfile.mkdtemp(prefix="portal-bench-training-"))
    os.environ["PORTAL_INSTANCE"] = str(tmp)
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["TEST_DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    app = create_app({**test_config(database_url(tmp, "bench_training"), tmp), "WTF_CSRF_ENABLED": False, "LOG_LEVEL": "ERROR"})
    with app.app_context():
        upgrade()
        from portal.cli import load_demo

        load_demo()
        db.session.commit()
    t0 = time.perf_counter()
    build_people(app, staff)
    build_training(app, courses)
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
    rows = [("cheapest page /healthz (baseline)", base),
            ("matrix page (100 people a page)", timed("/training/matrix")),
            (f"GET /api/training/matrix, all ~{staff} people", timed("/api/training/matrix")),
            (f"matrix Excel, all ~{staff} people", timed("/training/matrix.xlsx")),
            ("competence gate page", timed("/training/gate"))]
    print(f"\nTraining matrix benchmark — ~{staff} staff × {courses} courses (+ demo), "
          f"{app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}; data built in {built:.1f} s; median of {repeat}\n")
    print(f"{'measure':48} {'median ms':>10} {'× baseline':>11}")
    for name, seconds in rows:
        print(f"{name:48} {seconds * 1000:10.2f} {seconds / base:11.1f}")

"""Call results at scale (issue 13): `build_calls` inserts outbound call results in bulk over the staff there are (the
demo agent and the current month's worklist of `qco` among them); `python -m tests.bench tapping [rows]` measures the
monthly QVS over a million call rows as a ratio to a bare SQL aggregate over the same table in the same run."""
from __future__ import annotations

import random
import sys
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select

from portal.extensions import db


def build_calls(app, n: int, months: int = 12, seed: int = 13, chunk: int = 5000) -> None:
    """n call results (recording ids BENCH-...) over the last `months` months, half AGREE; most validated, some
    returned, the current month's partly waiting and assigned to the demo `qco`."""
    from portal.auth.models import Service, User
    from portal.people.models import Staff, TeamMembership
    from portal.tapping.models import Call

    rnd = random.Random(seed)
    with app.app_context():
        service = db.session.scalar(select(Service.id).where(Service.direction == "outbound").order_by(Service.id))
        staff = db.session.execute(select(Staff.id, Staff.site_id)).all()
        teams = dict(db.session.execute(select(TeamMembership.staff_id, TeamMembership.team_id)
                                        .where(TeamMembership.ends_on.is_(None))).all())
        qco = db.session.scalar(select(User.id).where(User.username == "qco"))
        demo = db.session.execute(select(Staff.id, Staff.site_id).join(User, User.id == Staff.user_id)
                                  .where(User.username == "agent")).first()
        today = date.today()
        current = today.replace(day=1)
        firsts = [current]
        while len(firsts) < months:
            firsts.append((firsts[-1] - timedelta(days=1)).replace(day=1))
        rows = []
        for i in range(n):
            staff_id, site_id = staff[i % len(staff)]
            if i % 50 == 0 and demo is not None:
                staff_id, site_id = demo
            month = firsts[rnd.randrange(months)]
            day = month + timedelta(days=rnd.randrange(27))
            agree = i % 2 == 0
            stage, first, verdicts = "", None, 0
            if agree:
                if month == current and rnd.random() < 0.5:
                    stage = "new"
                else:
                    first = "VALID" if rnd.random() < 0.95 else "RETURN"
                    stage = "valid" if first == "VALID" else rnd.choice(["returned", "valid"])
                    verdicts = 1 if stage == ("valid" if first == "VALID" else "returned") else 2
            rows.append({"recording_id": f"BENCH-{seed}-{i:08d}", "agent_id": staff_id, "team_id": teams.get(staff_id),
                         "site_id": site_id, "service_id": service, "called_at": datetime.combine(day, datetime.min.time())
                         + timedelta(hours=1 + rnd.randrange(10)), "month": month, "product": "Bench", "customer_number":
                         f"0812{i:08d}", "result": "AGREE" if agree else "DECLINE", "stage": stage, "first_verdict": first,
                         "verdicts": verdicts, "qco_id": qco if agree else None, "history": False, "created_at": datetime.now()})
            if len(rows) >= chunk:
                db.session.execute(insert(Call), rows)
                rows = []
        if rows:
            db.session.execute(insert(Call), rows)
        db.session.commit()
        db.session.remove()


def main() -> None:
    import os
    import statistics
    import tempfile
    import time
    from pathlib import Path

    from flask_migrate import upgrade
    from sqlalchemy import func

    from portal import create_app
    from tests.conftest import database_url, test_config

    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    tmp = Path(tempfile.mkdtemp(prefix="portal-bench-tapping-"))
    os.environ["PORTAL_INSTANCE"] = str(tmp)
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["TEST_DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    app = create_app({**test_config(database_url(tmp, "bench_tapping"), tmp), "WTF_CSRF_ENABLED": False, "LOG_LEVEL": "ERROR"})
    with app.app_context():
        upgrade()
        from portal.cli import load_demo

        load_demo()
        db.session.commit()
    t0 = time.perf_counter()
    build_calls(app, rows)
    built = time.perf_counter() - t0
    from portal.tapping import qvs
    from portal.tapping.models import Call

    month = date.today().replace(day=1)
    with app.app_context():
        def timed(fn, repeat=5) -> float:
            fn()
            samples = []
            for _ in range(repeat):
                t = time.perf_counter()
                fn()
                samples.append(time.perf_counter() - t)
            return statistics.median(samples)

        bare = timed(lambda: db.session.execute(select(func.count(Call.id), func.sum(Call.verdicts))
                                                .where(Call.month == month, Call.result == "AGREE")).all())
        figures = timed(lambda: qvs.month_figures(month))
        trend = timed(lambda: qvs.trend(month))
        total = db.session.scalar(select(func.count(Call.id)))
    print(f"\nQVS benchmark — {total} call rows, {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}; "
          f"built in {built:.1f} s; median of 5\n")
    print(f"{'measure':52} {'median ms':>10} {'× bare aggregate':>17}")
    for name, seconds in (("bare COUNT/SUM over the month (baseline)", bare), ("QVS of the month per agent/team/site/service", figures),
                          ("12-month trend", trend)):
        print(f"{name:52} {seconds * 1000:10.2f} {seconds / bare:17.1f}")


if __name__ == "__main__":
    main()


def build_inbound(app, n: int, seed: int = 13, chunk: int = 2000) -> None:
    """n sampled inbound calls (IN-BENCH-...) over the last six months, each with its official score (some fatal, some
    signed off by the agent), and calibration rounds on a few of them."""
    from decimal import Decimal

    from portal.auth.models import User
    from portal.people.models import Staff, TeamMembership
    from portal.tapping.models import Calibration, InboundCall, ParameterSet, Score, SignOff

    rnd = random.Random(seed)
    with app.app_context():
        services = dict(db.session.execute(select(ParameterSet.service_id, ParameterSet.id)
                                           .where(ParameterSet.kind == "scorecard")).all())
        if not services:
            return
        service_ids = sorted(services)
        staff = db.session.execute(select(Staff.id, Staff.site_id)).all()
        teams = dict(db.session.execute(select(TeamMembership.staff_id, TeamMembership.team_id)
                                        .where(TeamMembership.ends_on.is_(None))).all())
        qco = db.session.scalar(select(User.id).where(User.username == "qco"))
        current = date.today().replace(day=1)
        firsts = [current]
        while len(firsts) < 6:
            firsts.append((firsts[-1] - timedelta(days=1)).replace(day=1))
        start = (db.session.scalar(select(db.func.max(InboundCall.id))) or 0) + 1
        calls, scores, signs = [], [], []
        for i in range(n):
            staff_id, site_id = staff[i % len(staff)]
            month = firsts[rnd.randrange(len(firsts))]
            service = service_ids[i % len(service_ids)]
            call_id = start + i
            calls.append({"id": call_id, "recording_id": f"IN-BENCH-{seed}-{i:08d}", "agent_id": staff_id,
                          "team_id": teams.get(staff_id), "site_id": site_id, "service_id": service,
                          "called_at": datetime.combine(month + timedelta(days=rnd.randrange(27)), datetime.min.time())
                          + timedelta(hours=2 + rnd.randrange(8)), "month": month, "topic": "Bench",
                          "customer_number": f"0813{i:08d}", "qco_id": qco, "created_by_id": qco, "created_at": datetime.now()})
            fatal = rnd.random() < 0.05
            scores.append({"call_id": call_id, "parameter_set_id": services[service], "calibration_id": None, "scorer_id": qco,
                           "scorer_name": "QCO", "answers_json": "{}", "total": Decimal(0) if fatal else Decimal(70 + rnd.randrange(31)),
                           "original_total": None, "fatal": fatal, "comment": "", "scored_at": datetime.now()})
        for s in range(0, n, chunk):
            db.session.execute(insert(InboundCall), calls[s:s + chunk])
            db.session.execute(insert(Score), scores[s:s + chunk])
        ids = list(db.session.scalars(select(Score.id).join(InboundCall, InboundCall.id == Score.call_id)
                                      .where(InboundCall.recording_id.like(f"IN-BENCH-{seed}-%"))))
        agents = dict(db.session.execute(select(Score.id, InboundCall.agent_id).join(InboundCall, InboundCall.id == Score.call_id)
                                         .where(Score.id.in_(ids[: n // 3]))).all()) if ids else {}
        for k, score_id in enumerate(ids[: n // 3]):
            signs.append({"score_id": score_id, "validation_id": None, "agent_id": agents[score_id],
                          "status": "disputed" if k % 10 == 0 else "acknowledged", "reason": "Bench" if k % 10 == 0 else "",
                          "signed_at": datetime.now(), "decided_name": "", "decision_note": ""})
        for s in range(0, len(signs), chunk):
            db.session.execute(insert(SignOff), signs[s:s + chunk])
        db.session.execute(insert(Calibration), [{"call_id": start + k, "reference_name": "QA", "status": "closed",
                                                  "note": "", "opened_at": datetime.now()} for k in range(min(150, n))])
        db.session.commit()
        db.session.remove()

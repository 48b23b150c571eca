"""The morning peak: `python -m tests.bench load [--users 200] [--minutes 5] [--database-url postgresql://...]`.

Builds an instance (demo data, 3,000 more documents, N agent accounts and N/4 team leaders each with a draft
record), serves it with gunicorn (SQLite in WAL mode, or PostgreSQL) and runs tests/bench/locustfile.py headless.
Then it reads Locust's statistics (p95 per page, failures) and counts in the database the acknowledgements and
autosaves that Locust saw acknowledged: a lost one is reported. Prints one table."""
from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.bench.served import BIN, ROOT, Server, build_instance


def _accounts(instance, agents: int, tls: int) -> dict:
    """Agents load0001… and team leaders loadtl001… (the demo accounts' password, site, services), a draft F-04 record
    for each team leader. Returns {tl username: record id}."""
    engine = create_engine(instance.database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    drafts = {}
    with engine.begin() as conn:
        def clone(template: str, name: str) -> int:
            src = conn.execute(text("SELECT id, password_hash, site_id FROM user_account WHERE username = :u"), {"u": template}).one()
            new_id = conn.execute(text(
                "INSERT INTO user_account (username, full_name, email, position, password_hash, must_change_password, active, "
                "locale, site_id, created_at, updated_at) VALUES (:u, :n, '', '', :h, false, true, 'id', :s, :now, :now) RETURNING id"),
                {"u": name, "n": name.title(), "h": src.password_hash, "s": src.site_id, "now": time.strftime("%Y-%m-%d %H:%M:%S")}).scalar()
            conn.execute(text("INSERT INTO user_role (user_id, role) SELECT :n, role FROM user_role WHERE user_id = :o"),
                         {"n": new_id, "o": src.id})
            conn.execute(text("INSERT INTO user_service (user_id, service_id) SELECT :n, service_id FROM user_service WHERE user_id = :o"),
                         {"n": new_id, "o": src.id})
            return new_id

        for i in range(1, agents + 1):
            clone("agent", f"load{i:04d}")
        template = conn.execute(text("SELECT * FROM record WHERE status = 'draft' ORDER BY id LIMIT 1")).mappings().first()
        for i in range(1, tls + 1):
            name = f"loadtl{i:03d}"
            tl_id = clone("tl", name)
            if template is not None:
                row = {k: v for k, v in template.items() if k != "id"}
                row.update(created_by_id=tl_id, row_version=1, period_start=date(2026, 11, 30), period_end=date(2026, 11, 30))
                cols = ", ".join(row)
                drafts[name] = conn.execute(text(f"INSERT INTO record ({cols}) VALUES ({', '.join(':' + k for k in row)}) RETURNING id"),
                                            row).scalar()
        codes = [c for (c,) in conn.execute(text(
            "SELECT d.code FROM document d JOIN revision r ON r.document_id = d.id WHERE r.status = 'effective' "
            "AND d.code LIKE 'IN.%' AND d.code NOT LIKE '%-0%' ORDER BY d.code LIMIT 5"))]
    engine.dispose()
    return drafts, codes


def _count(instance, drafts: dict) -> tuple[int, int]:
    engine = create_engine(instance.database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        acks = conn.execute(text("SELECT count(*) FROM acknowledgement a JOIN user_account u ON u.id = a.user_id "
                                 "WHERE u.username LIKE 'load%'")).scalar()
        saves = conn.execute(text("SELECT coalesce(sum(row_version - 1), 0) FROM record WHERE id IN :ids").bindparams(
            __import__("sqlalchemy").bindparam("ids", expanding=True)), {"ids": list(drafts.values()) or [0]}).scalar()
    engine.dispose()
    return acks, saves


def run(users: int, minutes: float, database_url: str | None, workers: int, threads: int, ramp: float = 20) -> list:
    """`ramp`: the seconds over which the users start (each signs in first: a 0.1 s scrypt check)."""
    instance = build_instance("load", 3000, 2000, database_url)
    agents = users
    tls = max(1, users // 4)
    drafts, codes = _accounts(instance, agents, tls)
    out = instance.folder / "acks.jsonl"
    rows = []
    # The production setup (README): the export runs in `flask jobs worker` (RQ, its own process, niced), not in a
    # thread of a web worker, whose pages would wait for the GIL meanwhile. Without Redis: the in-process thread.
    from tests.bench.bench_served import REDIS_URL, _redis_up

    jobs = "rq" if _redis_up() else "inprocess"
    with Server(instance, workers=workers, threads=threads, jobs=jobs, REDIS_URL=REDIS_URL,
                JOBS_QUEUE=f"load-{os.getpid()}") as server:
        times = instance.folder / "times.tsv"
        env = {**os.environ, "LOAD_SOP_CODES": json.dumps(codes), "LOAD_DRAFTS": json.dumps(drafts), "LOAD_OUT": str(out),
               "LOAD_TIMES": str(times), "PYTHONPATH": str(ROOT)}
        rate = max(1.0, users / max(ramp, 1.0))  # users started a second
        ramp = users / rate  # seconds until every user has started (and signed in)
        prefix = instance.folder / "locust"
        cmd = [str(BIN / "locust"), "-f", str(Path(__file__).with_name("locustfile.py")), "--headless", "-u", str(users),
               "-r", f"{rate:g}", "-t", f"{int(minutes * 60)}s", "--host", server.base, "--csv", str(prefix),
               "--only-summary", "--stop-timeout", "15"]
        started = time.time()
        subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, timeout=int(minutes * 60) + 300)
    seen = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
    acks_seen = len({(s["user"], s["code"]) for s in seen if s["kind"] == "ack"})
    saves_seen = sum(1 for s in seen if s["kind"] == "save")
    acks_db, saves_db = _count(instance, drafts)
    db = "PostgreSQL" if database_url else "SQLite (WAL)"
    with open(f"{prefix}_stats.csv") as fh:
        stats = list(csv.DictReader(fh))
    worst = 0.0
    for s in stats:
        if s["Name"] == "Aggregated" or s["Name"].startswith("/login"):
            continue
        p95 = float(s["95%"] or 0)
        if s["Name"] != "/records/export/<id>":
            worst = max(worst, p95)
        rows.append(("load", f"{users} users, {minutes:g} min — {s['Type']} {s['Name']}: {s['Request Count']} requests, "
                             f"{s['Failure Count']} failed", f"p95 {p95:.0f} ms", None, "< 300 ms, 0 failed",
                     p95 < 300 and int(s["Failure Count"]) == 0))
    # The same pages once everyone has signed in (30 s after the last user started): a sign-in hashes a password
    # (scrypt, ~0.1 s of CPU) and 10 a second take one core, which is the ramp's cost, not the pages'.
    steady = _steady(times, started + ramp + 30) if times.exists() else {}
    for name, (count, p95, failed) in sorted(steady.items()):
        if name.startswith(("POST /login", "GET /login")):
            continue
        rows.append(("load", f"{users} users, after everyone signed in — {name}: {count} requests, {failed} failed",
                     f"p95 {p95:.0f} ms", None, "< 300 ms, 0 failed", p95 < 300 and failed == 0))
    total = next((s for s in stats if s["Name"] == "Aggregated"), None)
    if total:
        rows.append(("load", f"{users} users — all requests: {total['Request Count']}, failed {total['Failure Count']}, "
                             f"{float(total['Requests/s']):.0f} req/s", f"p95 {float(total['95%'] or 0):.0f} ms", None,
                     "0 failed", int(total["Failure Count"]) == 0))
    rows.append(("load", f"acknowledgements: seen by the users {acks_seen}, in the database {acks_db}", str(acks_seen - acks_db),
                 None, "0 lost", acks_db >= acks_seen))
    rows.append(("load", f"autosaves: acknowledged {saves_seen}, in the database {saves_db}", str(saves_seen - saves_db), None,
                 "0 lost", saves_db >= saves_seen))
    return [(db, r) for r in rows], worst


def _steady(path: Path, since: float) -> dict[str, tuple[int, float, int]]:
    """Per request name, from the requests started after `since`: (count, p95 ms, failed)."""
    import statistics

    by_name: dict[str, list[float]] = {}
    failed: dict[str, int] = {}
    for line in path.read_text().splitlines():
        start, name, ms, error = line.split("\t")
        if float(start) < since:
            continue
        by_name.setdefault(name, []).append(float(ms))
        failed[name] = failed.get(name, 0) + int(error)
    return {name: (len(v), statistics.quantiles(v, n=100)[94] if len(v) > 1 else v[0], failed[name])
            for name, v in by_name.items()}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench load")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--ramp", type=float, default=20,
                        help="seconds over which the users start and sign in (default 20: 10 sign-ins a second at 200)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args(argv)
    from tests.bench.__main__ import table
    from tests.bench.bench_served import _redis_up

    rows = []
    for url in [None] + ([args.database_url] if args.database_url else []):
        got, _worst = run(args.users, args.minutes, url, args.workers, args.threads, args.ramp)
        rows += got
    print(table(rows, f"Morning peak — Locust, {args.users} users started over {args.ramp:g} s, gunicorn {args.workers} "
                      f"workers × {args.threads} threads, jobs in "
                      f"{'an RQ worker' if _redis_up() else 'the web workers'}, {os.cpu_count()} cores"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

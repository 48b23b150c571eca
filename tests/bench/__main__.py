"""Benchmarks, run on demand: `make bench` prints one table, every figure a ratio to a baseline measured in the same
run on the same machine (never an absolute time that a test asserts). SQLite always; PostgreSQL too with
BENCH_DATABASE_URL=postgresql://user@host:port/db.

    python -m tests.bench [--quick] [--only served,growth,records] [--seconds 5]
    python -m tests.bench profile /documents/ [--role agent] [--docs 3000]   # pyinstrument, one page in process
    python -m tests.bench load [--users 200] [--minutes 5]                   # the morning peak (Locust)
    python -m tests.bench cpu [--docs 3000]                                  # CPU per request in process ÷ /healthz
    python -m tests.bench import [--files 200]                               # import of mixed files: files/s, memory
    python -m tests.bench people                                             # the staffing report at 5,000 staff
    python -m tests.bench roster                                             # the roster grid, 60 people × 31 days
    python -m tests.bench tapping [rows]                                     # the monthly QVS over a million calls
    python -m tests.bench monitoring [days] [minutes]                        # the monitoring page over a year of intervals

--quick uses smaller data (for a smoke run); the published figures are from a run without it.
"""
from __future__ import annotations

import argparse
import os
import sys
import time


def table(rows: list, title: str) -> str:
    lines = [f"\n{title}\n", "| db | measure | value | × baseline | target | met |", "|---|---|---|---|---|---|"]
    for db, (section, measure, value, ratio, target, ok) in rows:
        r = "" if ratio is None else f"{ratio:.2f}"
        met = "" if ok is None else ("yes" if ok else "**no**")
        lines.append(f"| {db} | {measure} | {value} | {r} | {target} | {met} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if argv and argv[0] == "profile":
        from tests.bench.profile import main as profile

        return profile(argv[1:])
    if argv and argv[0] == "import":
        from tests.bench.bench_import import main as bench_import

        return bench_import(argv[1:])
    if argv and argv[0] == "people":
        from tests.bench.bench_people import main as people

        sys.argv = [sys.argv[0]] + argv[1:]
        people()
        return 0
    if argv and argv[0] == "training":
        from tests.bench.bench_training import main as training

        sys.argv = [sys.argv[0]] + argv[1:]
        training()
        return 0
    if argv and argv[0] == "cpu":
        from tests.bench.bench_cpu import main as cpu

        return cpu(argv[1:])
    if argv and argv[0] == "roster":
        from tests.bench.bench_roster import main as roster

        roster()
        return 0
    if argv and argv[0] == "tapping":
        from tests.bench.bench_tapping import main as tapping

        sys.argv = [sys.argv[0]] + argv[1:]
        tapping()
        return 0
    if argv and argv[0] == "monitoring":
        from tests.bench.bench_monitoring import main as monitoring

        sys.argv = [sys.argv[0]] + argv[1:]
        monitoring()
        return 0
    if argv and argv[0] == "load":
        from tests.bench.load import main as load

        return load(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m tests.bench")
    parser.add_argument("--quick", action="store_true", help="small data, short loads (a smoke run)")
    parser.add_argument("--only", default="served,growth,records")
    parser.add_argument("--seconds", type=int, default=None, help="wrk duration per page")
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    databases = [("SQLite", None)]
    if os.environ.get("BENCH_DATABASE_URL"):
        databases.append(("PostgreSQL", os.environ["BENCH_DATABASE_URL"]))
    rows, t0 = [], time.perf_counter()
    for name, url in databases:
        if "served" in only:
            from tests.bench import bench_served

            rows += [(name, r) for r in bench_served.run(url, docs=300 if args.quick else 3000, records=500 if args.quick else 5000,
                                                         seconds=args.seconds or (2 if args.quick else 5))]
        if "growth" in only:
            from tests.bench import bench_scale

            small, large = ((500, 500), (5000, 10000)) if args.quick else ((5000, 5000), (100_000, 200_000))
            rows += [(name, r) for r in bench_scale.run(url, small, large, repeat=3 if args.quick else 7)]
        if "records" in only:
            from tests.bench import bench_records

            rows += [(name, r) for r in bench_records.run(url, records=5000 if args.quick else 50_000,
                                                          repeat=5 if args.quick else 15)]
    print(table(rows, f"Portal Mutu benchmarks — {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
                      f"{'quick' if args.quick else 'full'} run in {time.perf_counter() - t0:.0f} s"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""`make test`: the whole suite on SQLite and on PostgreSQL, in about two thirds of the time of running them in a row.

The suites without a browser run side by side (each is one Python process, CPU-bound on one core; they share
nothing: SQLite files in their own temporary folders, PostgreSQL databases of their own, a Redis database number
each). Their output is kept and printed whole when both are done. Then the browser suites run one after the other
(each drives Chromium and a live server, which already use both cores).

    python tests/run_suites.py            # what `make test` runs
    PG_URL=postgresql://... python tests/run_suites.py
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
PG_URL = os.environ.get("PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("REDIS_BASE", "redis://127.0.0.1:6379")


def _env(database: str, redis_db: int) -> dict:
    env = {**os.environ, "REQUIRE_REDIS": "1", "REDIS_URL": f"{REDIS}/{redis_db}"}
    env.pop("TEST_DATABASE_URL", None)
    if database == "postgresql":
        env["TEST_DATABASE_URL"] = PG_URL
    return env


def _banner(text: str) -> None:
    print(f"\n{'=' * 20} {text} {'=' * 20}", flush=True)


def main() -> int:
    failed: list[str] = []
    started = time.monotonic()
    runs = []
    with tempfile.TemporaryDirectory(prefix="portal-suites-") as folder:
        for database, redis_db in (("sqlite", 1), ("postgresql", 2)):
            log = Path(folder) / f"{database}.log"
            handle = open(log, "w")
            proc = subprocess.Popen(PYTEST + ["--ignore=tests/browser"], cwd=ROOT, env=_env(database, redis_db),
                                    stdout=handle, stderr=subprocess.STDOUT)
            runs.append((database, proc, log, handle, time.monotonic()))
        for database, proc, log, handle, t0 in runs:
            code = proc.wait()
            handle.close()
            _banner(f"{database}: suite without a browser ({time.monotonic() - t0:.0f} s, exit {code})")
            print(log.read_text(), flush=True)
            if code != 0:
                failed.append(f"{database} (without a browser)")
    for database, redis_db in (("sqlite", 1), ("postgresql", 2)):
        t0 = time.monotonic()
        _banner(f"{database}: browser journeys")
        code = subprocess.call(PYTEST + ["tests/browser"], cwd=ROOT, env=_env(database, redis_db))
        print(f"{database}: browser journeys took {time.monotonic() - t0:.0f} s, exit {code}", flush=True)
        if code != 0:
            failed.append(f"{database} (browser)")
    _banner(f"all suites: {time.monotonic() - started:.0f} s")
    if failed:
        print("FAILED: " + ", ".join(failed), flush=True)
        return 1
    print("every suite passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

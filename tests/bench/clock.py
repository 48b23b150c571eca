"""A benchmark clock that holds on a busy machine: CPU time, not the wall clock.

On SQLite all the work is in this process: `time.process_time()`. PostgreSQL does part of the work in its own
server processes; when they run on this machine (the benchmarks' setup: 127.0.0.1), their CPU time is read from
/proc for every backend connected to the benchmark's database and added. The wall clock of a shared 2-core machine
swings by ±40 % from one second to the next; this clock moves by a few percent. Resolution: the kernel's clock tick
(10 ms) for the PostgreSQL part, so time many requests together and divide, never one."""
from __future__ import annotations

import os
import time

_TICK = os.sysconf("SC_CLK_TCK")


def _backend_ticks(conn, database: str) -> dict[int, int]:
    me = conn.info.backend_pid
    pids = [pid for (pid,) in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (database,))
            if pid != me]
    ticks = {}
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:  # ended, or not on this machine
            continue
        ticks[pid] = int(fields[11]) + int(fields[12])  # utime + stime
    return ticks


class CpuClock:
    """clock() → seconds of CPU spent by this process (and, given a PostgreSQL database on this machine, by the
    backends connected to it) since an arbitrary start. A backend that appears between two readings counts in full."""

    def __init__(self, database_url: str | None = None):
        self.database = self.conn = None
        if database_url and database_url.startswith("postgresql"):
            import psycopg
            from sqlalchemy.engine import make_url

            url = make_url(database_url)
            if url.host in ("127.0.0.1", "localhost", None):
                self.database = url.database
                self.conn = psycopg.connect(host=url.host or "127.0.0.1", port=url.port or 5432,
                                            user=url.username or "postgres", dbname=url.database, autocommit=True)
        self.seen: dict[int, int] = {}
        self.total_ticks = 0

    def __call__(self) -> float:
        if self.database is None:
            return time.process_time()
        now = _backend_ticks(self.conn, self.database)
        for pid, ticks in now.items():
            self.total_ticks += ticks - self.seen.get(pid, 0)
        self.seen.update(now)
        return time.process_time() + self.total_ticks / _TICK


def per_call(fn, n: int, clock) -> float:
    """CPU seconds per call of fn, over n calls after one warm-up call."""
    fn()
    t0 = clock()
    for _ in range(n):
        fn()
    return (clock() - t0) / n

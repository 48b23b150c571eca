"""Growth: the same pages with 20× and 40× the rows, and the last page of a list against its first (paging by key).

Two instances are built in the same run, the small one (5,000 documents, 5,000 records) and the large one (100,000
documents, 200,000 records by default); each page is timed in process (test client, signed in as the qmr) in
blocks that alternate between the two instances, and reported as large ÷ small, and last page ÷ first page on the large instance. Also the full-text search page
against the raw FTS query it runs, on the same data.

The clock is CPU time (tests/bench/clock.py): this process's on SQLite, where everything runs in it; on PostgreSQL
this process's plus that of the database's server processes on this machine. The figures hold on a machine busy
with other work (the wall clock of a shared 2-core machine swings by ±40 % from one second to the next)."""
from __future__ import annotations

import statistics
import time

from sqlalchemy import func, select

from tests.bench.clock import CpuClock, per_call


def _clock_for(instance):
    """The instance's CPU clock: this process, plus its PostgreSQL database's backends when it has one."""
    return CpuClock(instance.database_url if instance.database_url.startswith("postgresql") else None)


def _app(instance, **overrides):
    import os

    from portal import create_app

    os.environ["PORTAL_INSTANCE"] = str(instance.folder)
    return create_app({"SQLALCHEMY_DATABASE_URI": instance.database_url, "SECRET_KEY": "bench-secret-key-of-at-least-32-bytes!!",
                       "PORTAL_DEMO": True, "LOG_LEVEL": "ERROR", "DOCUMENTS_FOLDER": str(instance.folder / "documents"),
                       "WTF_CSRF_ENABLED": False, "JOBS_BACKEND": "inline", "TESTING": True, **overrides})


def _last_keys(app) -> tuple[str, str]:
    """The `after=` keys that open the last page of the register and of the records list (qmr sees every record)."""
    from portal.documents.models import Document
    from portal.extensions import db
    from portal.records.models import Record

    with app.app_context():
        n_docs = db.session.scalar(select(func.count()).select_from(Document))
        code = db.session.scalar(select(Document.code_key).order_by(Document.code_key).offset(max(n_docs - 51, 0)).limit(1))
        n_rec = db.session.scalar(select(func.count()).select_from(Record))
        row = db.session.execute(select(Record.period_start, Record.id).order_by(Record.period_start.desc(), Record.id.desc())
                                 .offset(max(n_rec - 51, 0)).limit(1)).one()
        return code, f"{row.period_start.isoformat()}~{row.id}"


def _pages(instance) -> dict:
    """Each measured page as a call with no arguments, signed in as the qmr (who sees every record)."""
    # Growth is what the queries and the page cost with more rows: the shared fragments (core/fragments.py) are off,
    # or the register and the SOP page would be read from the worker's memory whatever the rows.
    app = _app(instance, FRAGMENT_CACHE_BYTES=0)
    last_doc, last_record = _last_keys(app)
    client = app.test_client()
    client.post("/login", data={"username": "qmr", "password": "portal-demo"})

    def get(url):
        return lambda: _ok(client.get(url), url)

    def raw_fts():
        from portal.documents import search

        with app.test_request_context():
            search.search("recovery plan", limit=50)

    return {
        "register, first page": get("/documents/"),
        "register, last page": get(f"/documents/?after={last_doc}"),
        "records list, first page": get("/records/"),
        "records list, last page": get(f"/records/?after={last_record}"),
        "SOP page": get("/documents/IN.OCC.TELK.P-10"),
        "full-text search page 'recovery plan'": get("/documents/?text=recovery+plan"),
        "raw FTS query 'recovery plan' (50 hits)": raw_fts,
    }


def _timings(small, large, rounds: int) -> tuple[dict[str, float], dict[str, float]]:
    """Every page on both instances, in blocks that alternate between them (small, large, small, …) so that what
    else the machine does falls on both alike; each figure is the median of `rounds` blocks, a block being as many
    calls as take about 0.3 s of CPU (the PostgreSQL part of the clock counts 10 ms ticks)."""
    pages = _pages(small), _pages(large)
    clocks = _clock_for(small), _clock_for(large)
    out: tuple[dict[str, float], dict[str, float]] = ({}, {})
    for name in pages[0]:
        calls = []
        for side in (0, 1):
            once = per_call(pages[side][name], 3, clocks[side])  # warms it up, and sizes the blocks
            calls.append(max(3, min(200, int(0.3 / max(once, 1e-4)))))
        samples: tuple[list[float], list[float]] = ([], [])
        for _ in range(rounds):
            for side in (0, 1):
                samples[side].append(per_call(pages[side][name], calls[side], clocks[side]))
        for side in (0, 1):
            out[side][name] = statistics.median(samples[side])
    return out


def _ok(response, url):
    assert response.status_code == 200, (url, response.status_code)


def run(database_url: str | None = None, small=(5000, 5000), large=(100_000, 200_000), repeat: int = 7):
    """`repeat`: the number of alternating rounds (the median of which is reported)."""
    from tests.bench.served import build_instance

    rows = []
    t0 = time.perf_counter()
    a = build_instance("small", small[0], small[1], database_url)
    b = build_instance("large", large[0], large[1], database_url)
    built = time.perf_counter() - t0
    ta, tb = _timings(a, b, repeat)
    clock = "CPU time, app + PostgreSQL" if database_url else "CPU time"
    label = f"{large[0]:,} docs / {large[1]:,} records ÷ {small[0]:,} / {small[1]:,}, {clock}"
    for page in ("register, first page", "records list, first page", "SOP page", "full-text search page 'recovery plan'"):
        rows.append(("growth", f"{page}: {label}", f"{tb[page] * 1000:.1f} ms", tb[page] / ta[page], "≤ 1.2×",
                     tb[page] / ta[page] <= 1.2))
    for page in ("register", "records list"):
        last, first = tb[f"{page}, last page"], tb[f"{page}, first page"]
        rows.append(("growth", f"{page}: last page ÷ first page ({large[0]:,} docs / {large[1]:,} records)",
                     f"{last * 1000:.1f} ms", last / first, "≤ 1.2×", last / first <= 1.2))
    page, raw = tb["full-text search page 'recovery plan'"], tb["raw FTS query 'recovery plan' (50 hits)"]
    rows.append(("growth", f"full-text search page ÷ its raw FTS query ({large[0]:,} docs; built in {built:.0f} s)",
                 f"{raw * 1000:.1f} ms raw", page / raw, "≤ 2×", page / raw <= 2))
    return rows

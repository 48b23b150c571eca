"""What a signed-in page costs the app itself: CPU time per request in process (SQLite, test client), as a ratio to
`/healthz` without a session measured the same way in the same run.

`python -m tests.bench cpu [--docs 3000] [--records 5000] [--repeat 40]`

The served figures (wrk against gunicorn, bench_served.py) are what a person waits; on a machine shared with other
work they swing several times over between runs. CPU time of this process does not: the application's own cost
(request handling, SQL through SQLite, templates) with no network, no second process and no waiting for a core. Use
it to see what an optimisation of the per-request fixed cost changed."""
from __future__ import annotations

import argparse
import itertools
import statistics
import time

PAGES = [
    ("register /documents/", "agent", "GET", "/documents/", None),
    ("SOP page /documents/IN.OCC.TELK.P-10", "agent", "GET", "/documents/IN.OCC.TELK.P-10", None),
    ("records list /records/", "tl", "GET", "/records/", None),
    ("full-text search 'recovery plan'", "agent", "GET", "/documents/?text=recovery+plan", None),
    ("home page /", "agent", "GET", "/", None),
    ("home page /", "tl", "GET", "/", None),
    ("home page /", "qmr", "GET", "/", None),
    ("home page /", "dc", "GET", "/", None),
    ("home page /", "hr", "GET", "/", None),
    ("home page /", "spv", "GET", "/", None),
    ("home page /", "manager", "GET", "/", None),
    # The form's fields are posted as "f-<key>": the same content again (nothing to write after the first save), and
    # a change on every save (the record's UPDATE and an audit event).
    ("record autosave POST, the same content again", "tl", "POST", "/records/{draft}/save",
     {"f-rekomendasi": "Dipantau ulang besok pagi"}),
    ("record autosave POST, each save a change", "tl", "POST", "/records/{draft}/save", None),
]


def _cpu(fn, n: int) -> float:
    fn()
    samples = []
    for _ in range(n):
        t0 = time.process_time()
        fn()
        samples.append(time.process_time() - t0)
    return statistics.median(samples)


def run(docs: int = 3000, records: int = 5000, repeat: int = 40, instance=None) -> list:
    from sqlalchemy import select

    from tests.bench.bench_scale import _app
    from tests.bench.served import build_instance

    instance = instance or build_instance("cpu", docs, records)
    app = _app(instance)
    with app.app_context():
        from portal.auth.models import User
        from portal.extensions import db
        from portal.records.models import Record

        draft = db.session.scalar(select(Record.id).join(User, User.id == Record.created_by_id)
                                  .where(Record.status == "draft", User.username == "tl").limit(1))
    anonymous = app.test_client()

    def ok(response, url):
        assert response.status_code in (200, 204), (url, response.status_code)

    healthz = _cpu(lambda: ok(anonymous.get("/healthz"), "/healthz"), repeat * 2)
    rows = [("cpu", "/healthz without a session (baseline)", f"{healthz * 1000:.2f} ms CPU", 1.0, "", None)]
    clients = {}
    for label, role, method, path, data in PAGES:
        if role not in clients:
            clients[role] = app.test_client()
            clients[role].post("/login", data={"username": role, "password": "portal-demo"})
        client = clients[role]
        url = path.format(draft=draft)
        if method == "POST":
            if draft is None:
                continue
            if data is None:  # a new text on every call
                counter = itertools.count()
                fn = lambda c=client, u=url, n=counter: ok(c.post(u, data={"f-rekomendasi": f"Dipantau ulang {next(n)}"},  # noqa: E731
                                                                   headers={"HX-Request": "true"}), u)
            else:
                fn = lambda c=client, u=url, d=data: ok(c.post(u, data=d, headers={"HX-Request": "true"}), u)  # noqa: E731
        else:
            fn = lambda c=client, u=url: ok(c.get(u), u)  # noqa: E731
        cost = _cpu(fn, repeat)
        rows.append(("cpu", f"{label} ({role})", f"{cost * 1000:.2f} ms CPU", cost / healthz, "", None))
    # The same pages rendered on every request (core/fragments.py off): what the first reader after a change pays.
    uncached = _app(instance)
    uncached.config["FRAGMENT_CACHE_BYTES"] = 0
    client = uncached.test_client()
    client.post("/login", data={"username": "agent", "password": "portal-demo"})
    for label, role, method, path, data in PAGES:
        if path.startswith("/documents/"):
            cost = _cpu(lambda u=path: ok(client.get(u), u), repeat)
            rows.append(("cpu", f"{label} ({role}), no shared fragment", f"{cost * 1000:.2f} ms CPU", cost / healthz,
                         "", None))
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench cpu")
    parser.add_argument("--docs", type=int, default=3000)
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args(argv)
    from tests.bench.__main__ import table

    rows = run(args.docs, args.records, args.repeat)
    print(table([("SQLite", r) for r in rows], f"CPU time per request in process, × /healthz — {args.docs:,} more documents"))
    return 0

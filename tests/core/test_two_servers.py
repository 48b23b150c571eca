"""Past one machine: two app servers (two gunicorn instances on different ports, one database, one Redis, one
documents store) serve one person alternately and nothing is lost: the session, the CSRF token, the login lock,
a job's progress and the cache of rendered PDFs live in the database, Redis or the store, never in a process."""
from __future__ import annotations

import os
import re
import time
import uuid

import pytest

from tests.bench.served import Browser, Server, build_instance


def _redis_up() -> bool:
    try:
        from redis import Redis

        return bool(Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), socket_timeout=1).ping())
    except Exception:
        if os.environ.get("REQUIRE_REDIS"):
            raise
        return False


@pytest.fixture(scope="module")
def two_servers():
    jobs = "rq" if _redis_up() else "inprocess"
    instance = build_instance("twoservers", docs=0, records=0, database_url=os.environ.get("TEST_DATABASE_URL"))
    queue = f"two-servers-{uuid.uuid4().hex[:8]}"
    with Server(instance, workers=1, jobs=jobs, JOBS_QUEUE=queue, JOBS_POLL_SECONDS=0.2) as a, \
            Server(instance, workers=1, jobs="rq" if jobs == "rq" else "inprocess", JOBS_QUEUE=queue,
                   JOBS_POLL_SECONDS=0.2) as b:
        yield a, b, instance, jobs
    if instance.database_url.startswith("postgresql"):
        from tests.conftest import drop_database

        drop_database(instance.database_url)


class Alternating(Browser):
    """One person whose every request goes to the other server (one cookie jar: cookies ignore the port)."""

    def __init__(self, a: str, b: str):
        super().__init__(a)
        self.bases, self.turn = (a, b), 0

    def _next(self):
        self.turn += 1
        self.base = self.bases[self.turn % 2]
        return self.base

    def get(self, path):
        self._next()
        return super().get(path)

    def post(self, path, data, htmx=False):
        self._next()
        return super().post(path, data, htmx)


def test_one_person_served_alternately_by_two_servers(two_servers):
    a, b, instance, jobs = two_servers
    person = Alternating(a.base, b.base)
    # Sign-in: the form from one server, the POST to the other (CSRF and session shared), then pages on both.
    person.login("tl")
    for _ in range(2):
        status, body, _h = person.get("/")
        assert status == 200 and b"Keluar" in body or b'action="/logout"' in body

    # An autosaved draft, saved on both servers in turn with the version each page showed: nothing lost, no 409.
    status, body, headers = person.get("/records/")
    assert status == 200
    draft = re.search(rb'href="/records/(\d+)"', body)
    if draft:
        record = int(draft.group(1))
        status, page, _h = person.get(f"/records/{record}")
        if b'name="row_version"' in page and b"save-status" in page:
            version = int(re.search(rb'name="row_version" value="(\d+)"', page).group(1))
            field = re.search(rb'<textarea[^>]*name="([^"]+)"', page)
            for n in range(4):
                data = {"row_version": str(version)}
                if field:
                    data[field.group(1).decode()] = f"catatan {n}"
                status, out, _h = person.post(f"/records/{record}/save", data, htmx=True)
                assert status == 200, out[:300]
                version = int(re.search(rb'name="row_version" value="(\d+)"', out).group(1))

    # The login lock counts failures from both servers together.
    intruder = Alternating(a.base, b.base)
    intruder.get("/login")
    for _ in range(5):
        intruder.post("/login", {"username": "qa", "password": "salah-salah"})
    status, body, _h = intruder.post("/login", {"username": "qa", "password": "portal-demo"})
    assert status in (200, 422, 429) and (b"Terlalu banyak" in body or b"terkunci" in body.lower()), body[:400]

    # A job started on one server is followed on the other to the end.
    auditor = Alternating(a.base, b.base).login("auditor")
    auditor.get("/records/export/new")
    status, _b, headers = auditor.post("/records/export/new", {"kind": "xlsx"})
    assert status in (302, 303), status
    where = headers["Location"].replace(a.base, "").replace(b.base, "")
    deadline = time.time() + 90
    while time.time() < deadline:
        status, body, _h = auditor.get(where)
        assert status == 200
        if b'data-status="done"' in body:
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"export never finished ({jobs} backend)")
    link = re.search(rb'href="([^"]+/download)"', body).group(1).decode()
    status, data, _h = auditor.get(link)
    assert status == 200 and data[:2] == b"PK"

    # A PDF asked of one server is rendered once and served by both from the shared store.
    reader = Alternating(a.base, b.base).login("agent")
    deadline, pdfs = time.time() + 120, []
    while time.time() < deadline and len(pdfs) < 2:
        status, data, headers = reader.get("/documents/IN.OCC.TELK.P-10.pdf")
        assert status in (200, 202), status
        if status == 200:
            assert data.startswith(b"%PDF-")
            pdfs.append(headers.get("X-Printout-Token"))
        else:
            time.sleep(0.5)
    assert len(pdfs) == 2 and pdfs[0] == pdfs[1]  # the same cached printout from both servers

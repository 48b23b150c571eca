"""The morning peak, for Locust (run by `python -m tests.bench load`, which prepares the instance and the accounts).

Agents (load0001…) open the home page, the list of what they must read, an SOP, and acknowledge it; team leaders
(loadtl001…) open their draft record and autosave it every 10 s with the version they saw; one auditor exports
the records to Excel and follows the job. Every answer is checked; the runner counts the acknowledgements and
saves in the database afterwards against the ones Locust saw acknowledged."""
from __future__ import annotations

import itertools
import json
import os
import re
import threading

from locust import HttpUser, between, constant, events, task

_lock = threading.Lock()
_agents = itertools.count(1)
_tls = itertools.count(1)
CODES = json.loads(os.environ.get("LOAD_SOP_CODES", '["IN.OCC.TELK.P-10"]'))
DRAFTS = json.loads(os.environ.get("LOAD_DRAFTS", "{}"))  # tl username -> record id
OUT = os.environ.get("LOAD_OUT", "/tmp/portal-load-acks.jsonl")
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


TIMES = os.environ.get("LOAD_TIMES")  # every request's start and response time, for the runner's steady-state figures
_times: list[str] = []


@events.request.add_listener
def _timed(request_type, name, response_time, exception=None, start_time=None, **_kw):
    if TIMES:
        with _lock:
            _times.append(f"{start_time or 0:.3f}\t{request_type} {name}\t{response_time:.1f}\t{1 if exception else 0}\n")
            if len(_times) >= 500:
                _flush()


def _flush() -> None:
    with open(TIMES, "a") as fh:
        fh.writelines(_times)
    _times.clear()


@events.quitting.add_listener
def _flush_at_end(**_kw):
    if TIMES:
        with _lock:
            _flush()


def _note(kind: str, **data) -> None:
    with _lock, open(OUT, "a") as fh:
        fh.write(json.dumps({"kind": kind, **data}) + "\n")


class _Signed(HttpUser):
    abstract = True
    csrf = ""

    def sign_in(self, username: str) -> None:
        page = self.client.get("/login", name="/login")
        self.csrf = TOKEN.search(page.text).group(1)
        with self.client.post("/login", data={"csrf_token": self.csrf, "username": username, "password": "portal-demo"},
                              allow_redirects=False, name="/login POST", catch_response=True) as r:
            if r.status_code not in (302, 303):
                r.failure(f"sign-in {username}: {r.status_code}")
        self.page("/", "/ (home)")

    def page(self, path: str, name: str):
        with self.client.get(path, name=name, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")
            else:
                m = TOKEN.search(r.text)
                if m:
                    self.csrf = m.group(1)
            return r


class Agent(_Signed):
    weight = 10
    wait_time = between(3, 8)

    def on_start(self):
        with _lock:
            self.username = f"load{next(_agents):04d}"
        self.sign_in(self.username)
        self.todo = list(CODES)

    @task
    def read_and_acknowledge(self):
        self.page("/", "/ (home)")
        self.page("/documents/to-read", "/documents/to-read")
        if not self.todo:
            self.page(f"/documents/{CODES[0]}", "/documents/<code>")
            return
        code = self.todo.pop(0)
        self.page(f"/documents/{code}", "/documents/<code>")
        with self.client.post(f"/documents/{code}/acknowledge", data={"csrf_token": self.csrf}, allow_redirects=False,
                              name="/documents/<code>/acknowledge", catch_response=True) as r:
            if r.status_code in (302, 303):
                _note("ack", user=self.username, code=code)
            else:
                r.failure(f"{r.status_code}")


class TeamLeader(_Signed):
    weight = 3
    wait_time = constant(10)

    def on_start(self):
        with _lock:
            n = next(_tls)
        self.username = f"loadtl{n:03d}"
        self.record = DRAFTS.get(self.username)
        self.sign_in(self.username)
        self.version = None
        self.saves = 0

    @task
    def autosave(self):
        if not self.record:
            return
        if self.version is None:
            r = self.page(f"/records/{self.record}", "/records/<id>")
            m = re.search(r'name="row_version" value="(\d+)"', r.text or "")
            self.version = int(m.group(1)) if m else None
            # A free-text field of this form outside a table: a field of a table row is dropped by a save that does
            # not post the row count, so saving it would change nothing (and count as a lost save).
            names = [n for n in re.findall(r'<textarea[^>]*name="([^"]+)"', r.text or "") if not re.search(r"-\d+-", n)]
            self.field = names[0] if names else "f-rekomendasi"
        self.saves += 1
        data = {"csrf_token": self.csrf, self.field: f"Catatan ke-{self.saves} dari {self.username}"}
        if self.version is not None:
            data["row_version"] = str(self.version)
        with self.client.post(f"/records/{self.record}/save", data=data, headers={"HX-Request": "true", "X-CSRFToken": self.csrf},
                              name="/records/<id>/save (autosave)", catch_response=True) as r:
            if r.status_code == 200:
                m = re.search(r'name="row_version" value="(\d+)"', r.text) or re.search(r'data-row-version="(\d+)"', r.text)
                self.version = int(m.group(1)) if m else (self.version + 1 if self.version is not None else None)
                _note("save", user=self.username, record=self.record)
            else:
                r.failure(f"{r.status_code}")


class Auditor(_Signed):
    fixed_count = 1
    wait_time = constant(30)

    def on_start(self):
        self.sign_in("auditor")

    @task
    def export(self):
        self.page("/records/export/new", "/records/export/new")
        with self.client.post("/records/export/new", data={"csrf_token": self.csrf, "kind": "xlsx"}, allow_redirects=False,
                              name="/records/export/new POST", catch_response=True) as r:
            if r.status_code not in (302, 303):
                r.failure(f"{r.status_code}")
                return
            where = r.headers.get("Location", "")
        for _ in range(60):
            r = self.page(where, "/records/export/<id>")
            if 'data-status="done"' in (r.text or "") or 'data-status="failed"' in (r.text or ""):
                break
            self.wait()

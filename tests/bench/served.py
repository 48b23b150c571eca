"""A served instance for the benchmarks and the load test: data built in process, then gunicorn (and an RQ worker)
started on it, and small HTTP helpers (sign-in, CSRF token, wrk)."""
from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECRET = "bench-secret-key-of-at-least-32-bytes!!"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Instance:
    """A portal instance on disk (SQLite file or a PostgreSQL database) with the demo data and bench data."""
    folder: Path
    database_url: str
    env: dict = field(default_factory=dict)

    def environ(self, **extra) -> dict:
        env = {**os.environ, "PORTAL_INSTANCE": str(self.folder), "DATABASE_URL": self.database_url,
               "DOCUMENTS_FOLDER": str(self.folder / "documents"), "SECRET_KEY": SECRET, "PORTAL_DEMO": "1",
               "LOG_LEVEL": "ERROR", "FLASK_APP": "wsgi", "PYTHONPATH": str(ROOT), **self.env}
        env.update({k: str(v) for k, v in extra.items()})
        return env


def build_instance(name: str, docs: int = 3000, records: int = 5000, database_url: str | None = None) -> Instance:
    """Migrate, load the demo (seed documents included) and add `docs` documents and `records` approved records."""
    folder = Path(tempfile.mkdtemp(prefix=f"portal-{name}-"))
    if database_url:
        from tests.conftest import database_url as make_url

        os.environ["TEST_DATABASE_URL"] = database_url
        url = make_url(folder, name)
    else:
        url = f"sqlite:///{folder / 'portal.db'}"
    instance = Instance(folder, url)
    os.environ.update({k: v for k, v in instance.environ().items() if k in ("PORTAL_INSTANCE",)})
    from flask_migrate import upgrade

    from portal import create_app
    from portal.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "PORTAL_DEMO": True, "LOG_LEVEL": "ERROR",
                      "DOCUMENTS_FOLDER": str(folder / "documents"), "JOBS_BACKEND": "inline",
                      "PDF_PREPARE_ON_EFFECTIVE": False})
    with app.app_context():
        upgrade()
        from portal.cli import load_demo

        load_demo()
        db.session.commit()
    if docs:
        from tests.bench.bench_documents import build

        build(app, docs, 2)
    if records:
        from tests.bench.bench_records import build_records

        build_records(app, records)
    with app.app_context():
        if url.startswith("postgresql"):
            # Bulk-loaded tables have no planner statistics and no visibility map until autovacuum comes round
            # (a minute or more later; never on a CI server with `autovacuum = off`, as on these machines): without
            # statistics PostgreSQL plans the pages for empty tables, and without the visibility map every
            # index-only scan reads the table too (the home page's count of effective revisions took 3.8 ms instead
            # of 0.3 at 5,000 documents). A server that grew its data through the portal, autovacuum on, has both.
            from sqlalchemy import text

            db.session.remove()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        db.session.remove()
        db.engine.dispose()
    return instance


class Server:
    """gunicorn with `workers` sync workers on the instance (plus an RQ worker when jobs="rq")."""

    def __init__(self, instance: Instance, workers: int = 2, port: int | None = None, jobs: str = "inprocess",
                 threads: int = 1, **env):
        self.instance, self.workers, self.port, self.jobs, self.threads = instance, workers, port or free_port(), jobs, threads
        self.env = instance.environ(JOBS_BACKEND=jobs, **env)
        self.procs: list[subprocess.Popen] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Server":
        log = open(self.instance.folder / f"gunicorn-{self.port}.log", "ab")
        cmd = [str(BIN / "gunicorn"), "-w", str(self.workers), "--threads", str(self.threads), "-b", f"127.0.0.1:{self.port}",
               "--timeout", "120", "--log-level", "warning", "wsgi:app"]
        self.procs.append(subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True))
        if self.jobs == "rq":
            self.procs.append(subprocess.Popen([str(BIN / "flask"), "jobs", "worker"], cwd=ROOT, env=self.env, stdout=log,
                                               stderr=log, start_new_session=True))
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(self.base + "/healthz", timeout=2).status == 200:
                    return self
            except OSError:
                time.sleep(0.3)
        self.__exit__()
        raise RuntimeError(f"gunicorn did not start; see {log.name}")

    def __exit__(self, *exc) -> None:
        for proc in self.procs:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for proc in self.procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


class Browser:
    """A signed-in HTTP client (cookies kept) for one server address."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())
        self.csrf = ""

    def get(self, path: str) -> tuple[int, bytes, dict]:
        try:
            with self.opener.open(self.base + path, timeout=60) as r:
                body = r.read()
                self._token(body)
                return r.status, body, dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read(), dict(e.headers)

    def post(self, path: str, data: dict, htmx: bool = False) -> tuple[int, bytes, dict]:
        body = urllib.parse.urlencode({"csrf_token": self.csrf, **data}).encode()
        req = urllib.request.Request(self.base + path, data=body, method="POST")
        req.add_header("X-CSRFToken", self.csrf)
        if htmx:
            req.add_header("HX-Request", "true")
        try:
            with self.opener.open(req, timeout=60) as r:
                out = r.read()
                self._token(out)
                return r.status, out, dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read(), dict(e.headers)

    def _token(self, body: bytes) -> None:
        m = re.search(rb'name="csrf_token" value="([^"]+)"', body) or re.search(rb'"X-CSRFToken": "([^"]+)"', body)
        if m:
            self.csrf = m.group(1).decode()

    def login(self, username: str, password: str = "portal-demo") -> "Browser":
        self.get("/login")
        status, _body, _h = self.post("/login", {"username": username, "password": password})
        if status not in (302, 303):
            raise RuntimeError(f"sign-in of {username} failed: {status}")
        self.get("/")
        return self

    @property
    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_302(self, req, fp, code, msg, headers):
        return fp

    http_error_303 = http_error_301 = http_error_307 = http_error_302


def has_wrk() -> bool:
    return shutil.which("wrk") is not None


POST_LUA = """
wrk.method = "POST"
wrk.body = "{body}"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["X-CSRFToken"] = "{csrf}"
wrk.headers["HX-Request"] = "true"
"""
# A post whose last field's value changes with every request (…<thread><n>): an autosave that writes each time. With
# `paths`, each of wrk's two threads takes its half of them in turn (a thread's 4 connections on 16 drafts: two
# saves of one draft at once would be two windows on one record, refused as a conflict).
POST_CHANGING_LUA = """
local thread_tag = string.gsub(tostring({{}}), "[^%w]", "")
local n = 0
local paths = {{{paths}}}
local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("half", counter)
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["X-CSRFToken"] = "{csrf}"
wrk.headers["HX-Request"] = "true"
request = function()
  n = n + 1
  local path = nil
  if #paths > 0 then
    local per = math.floor(#paths / 2)
    path = paths[(half - 1) * per + (n % per) + 1]
  end
  return wrk.format(nil, path, nil, "{body}" .. "+" .. thread_tag .. n)
end
"""
# Each request a new address (…&v=<thread><n>): what a page costs when no shared fragment has it yet.
VARY_LUA = """
local thread_tag = string.gsub(tostring({}), "[^%w]", "")
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, wrk.path .. "&v=" .. thread_tag .. n)
end
"""


@dataclass
class Load:
    rps: float
    latency_ms: float
    errors: int  # socket errors + non-2xx/3xx answers
    requests: int


def wrk(url: str, seconds: int = 5, connections: int = 8, cookie: str = "", post: dict | None = None,
        csrf: str = "", vary: bool = False, paths: list[str] | None = None) -> Load:
    """Requests/second and mean latency of `url` under `connections` concurrent connections (2 wrk threads)."""
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    script = None
    if post is not None or vary:
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        if post is not None:
            lua = POST_CHANGING_LUA if vary else POST_LUA
            script.write(lua.format(body=urllib.parse.urlencode(post), csrf=csrf,
                                    paths=", ".join(f'"{p}"' for p in (paths or []))))
        else:
            script.write(VARY_LUA)
        script.close()
        cmd += ["-s", script.name]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=seconds + 60).stdout
    if script:
        os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    lat = re.search(r"Latency\s+([\d.]+)(us|ms|s)\b", out)
    latency = float(lat.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[lat.group(2)]
    errors = 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errors += int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors += sum(int(x) for x in m.groups())
    return Load(rps, latency, errors, total)

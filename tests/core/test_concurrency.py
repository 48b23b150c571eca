"""A served instance (gunicorn, 2 worker processes) under 20 parallel writers: no "database is locked"."""
from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import func, select

from portal import ROOT
from portal.auth import services
from portal.core import audit
from portal.core.db import reading_session
from portal.extensions import db

THREADS, ROUNDS = 20, 3
TOKEN_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(app, tmp_path: Path) -> tuple[subprocess.Popen, str, Path]:
    port = _free_port()
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "concurrency-test-secret-of-32-bytes-or-more",
        "PORTAL_INSTANCE": app.instance_path,
        "DOCUMENTS_FOLDER": app.config["DOCUMENTS_FOLDER"],
        "AUDIT_HMAC_KEY": app.config["AUDIT_HMAC_KEY"],
        "PORTAL_DEMO": "0",
        "LOG_LEVEL": "WARNING",
    })
    log = tmp_path / "gunicorn.log"
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "--threads", "1", "-b", f"127.0.0.1:{port}",
                             "--timeout", "60", "wsgi:app"], cwd=ROOT, env=env, stdout=open(log, "wb"),
                            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):  # up to ~30 s to boot
        if proc.poll() is not None:
            break
        try:
            urllib.request.urlopen(base + "/login", timeout=2).read()
            return proc, base, log
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("gunicorn did not start:\n" + log.read_text()[-3000:])


def _login(base: str, username: str, barrier: threading.Barrier | None) -> int:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    page = opener.open(base + "/login", timeout=60).read().decode()
    token = TOKEN_RE.search(page).group(1)
    if barrier is not None:
        barrier.wait(timeout=60)
    data = urllib.parse.urlencode({"csrf_token": token, "username": username,
                                   "password": "long-enough-pass"}).encode()
    try:
        return opener.open(base + "/login", data=data, timeout=60).status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_twenty_parallel_logins_on_gunicorn_all_succeed(fresh_app, tmp_path):
    app = fresh_app("serve", AUDIT_HMAC_KEY="concurrency-test-audit-key-0123456789")
    with app.test_request_context():
        site = services.save_site(None, {"code": "MLG", "name": "Malang", "timezone": "Asia/Jakarta"})
        db.session.flush()
        for i in range(5):
            services.create_user({"username": f"agent{i}", "full_name": f"Agent {i}", "site_id": site.id,
                                  "roles": ["agent"]}, "long-enough-pass")
        db.session.commit()
        db.session.remove()
    with app.app_context(), reading_session() as session:
        events_before = session.scalar(select(func.count()).select_from(audit.AuditEvent))
    db_engine_dispose(app)
    proc, base, log = _serve(app, tmp_path)
    try:
        statuses = []
        for round_ in range(ROUNDS):
            barrier = threading.Barrier(THREADS) if round_ == 0 else None
            with ThreadPoolExecutor(THREADS) as pool:
                futures = [pool.submit(_login, base, f"agent{i % 5}", barrier) for i in range(THREADS)]
                statuses += [f.result(timeout=120) for f in futures]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    errors = [s for s in statuses if s not in (200, 302, 303)]
    assert not errors, f"{len(errors)} of {len(statuses)} failed: {errors}\n" + log.read_text()[-3000:]
    assert "database is locked" not in log.read_text()
    with app.app_context(), reading_session() as session:
        events_after = session.scalar(select(func.count()).select_from(audit.AuditEvent))
        assert events_after >= events_before + THREADS * ROUNDS
        assert audit.verify_chain(session).ok


def db_engine_dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()

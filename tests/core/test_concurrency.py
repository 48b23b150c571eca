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
    assert "database is locked" not in log.read_text(), log.read_text()[-6000:]
    with app.app_context(), reading_session() as session:
        events_after = session.scalar(select(func.count()).select_from(audit.AuditEvent))
        assert events_after >= events_before + THREADS * ROUNDS
        assert audit.verify_chain(session).ok


def db_engine_dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# ---------------------------------------------------------------- 20 editors at once: nothing lost, conflicts are 409
ANY_TOKEN_RE = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
VERSION_RE = re.compile(r'name="row_version" value="(\d+)"')
HTMX = {"HX-Request": "true"}


class _Browser:
    """One user's browser: a cookie jar, no redirects followed, every answer's status and text."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  _NoRedirect())
        self.token = ""

    def request(self, path: str, data: dict | None = None, headers: dict | None = None) -> tuple[int, str]:
        body = None
        if data is not None:
            body = urllib.parse.urlencode({"csrf_token": self.token, **data}, doseq=True).encode()
        req = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            with self.opener.open(req, timeout=120) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def page(self, path: str) -> str:
        status, html = self.request(path)
        assert status == 200, (path, status, html[:300])
        self.token = ANY_TOKEN_RE.search(html).group(1)
        return html


def _draft_form(text: str, version: int) -> dict:
    return {"row_version": version, "effective_date": "", "change_description": text, "section_number": ["1"],
            "section_title": ["Tujuan"], "section_body": [text], "record_code": [""], "record_name": [""],
            "record_retention": [""], "record_owner": [""]}


def test_twenty_concurrent_editors_on_a_served_instance_lose_nothing(fresh_app, tmp_path):
    """20 threads against gunicorn (2 workers): logins, autosaves and saves of their own revision drafts and
    records, then all 20 autosaving one shared draft from the same version. 0 errors; every acknowledged save is
    what is stored; on the shared draft exactly one save wins and the 19 others answer 409."""
    from datetime import date, timedelta

    from portal.documents import services as documents
    from portal.documents.models import Document, Revision
    from portal.records import services as records
    from portal.records.models import Record
    from tests.records_factories import online_form

    app = fresh_app("editors", AUDIT_HMAC_KEY="concurrency-test-audit-key-0123456789")
    with app.test_request_context():
        site = services.save_site(None, {"code": "MLG", "name": "Malang", "timezone": "Asia/Jakarta"})
        db.session.flush()
        users = [services.create_user({"username": f"editor{i}", "full_name": f"Editor {i}", "site_id": site.id,
                                       "roles": ["dc", "tl"], "must_change_password": False}, "long-enough-pass")
                 for i in range(THREADS)]
        db.session.flush()
        online_form(author=users[0])
        own_docs, own_records = [], []
        for i, user in enumerate(users):
            doc = documents.register_document({"code": f"IN.OCC.TELK.P-{300 + i}", "title": f"Prosedur {i}"})
            documents.new_draft(doc, user)
            own_docs.append(doc.code)
            own_records.append(records.create("IN.OCC.TELK.F-04", user, site.id, None,
                                              date(2026, 11, 2) + timedelta(days=i)).id)
        shared = documents.register_document({"code": "IN.OCC.TELK.P-399", "title": "Bersama"})
        documents.new_draft(shared, users[0])
        shared_code = shared.code
        db.session.commit()
        db.session.remove()
    db_engine_dispose(app)
    proc, base, log = _serve(app, tmp_path)
    rounds = 4
    acknowledged: dict[str, str] = {}  # what each thread was told is saved, last one last
    try:
        browsers = [_Browser(base) for _ in range(THREADS)]

        def login(i: int, barrier: threading.Barrier) -> int:
            b = browsers[i]
            b.page("/login")
            barrier.wait(timeout=60)
            status, _ = b.request("/login", {"username": f"editor{i}", "password": "long-enough-pass"})
            return status

        def own_work(i: int, barrier: threading.Barrier) -> list[int]:
            b, code, record_id = browsers[i], own_docs[i], own_records[i]
            editor = f"/documents/{code}/rev/00"
            version = int(VERSION_RE.search(b.page(f"{editor}/edit")).group(1))
            record_version = int(VERSION_RE.search(b.page(f"/records/{record_id}")).group(1))
            statuses = []
            barrier.wait(timeout=60)
            for r in range(rounds):
                text = f"editor {i} round {r}"
                status, html = b.request(f"{editor}/autosave", _draft_form(text, version), HTMX)
                statuses.append(status)
                if status == 200:
                    version = int(VERSION_RE.search(html).group(1))
                    acknowledged[code] = text
                status, html = b.request(f"/records/{record_id}/save",
                                         {"row_version": record_version, "f-rekomendasi": text}, HTMX)
                statuses.append(status)
                if status == 200:
                    record_version = int(VERSION_RE.search(html).group(1))
                    acknowledged[f"record-{record_id}"] = text
            text = f"editor {i} saved"
            status, _ = b.request(f"{editor}/edit", _draft_form(text, version))  # "Save draft": a full post
            statuses.append(status)
            if status == 303:
                acknowledged[code] = text
            return statuses

        def shared_autosave(i: int, barrier: threading.Barrier) -> tuple[int, str]:
            b = browsers[i]
            editor = f"/documents/{shared_code}/rev/00"
            version = int(VERSION_RE.search(b.page(f"{editor}/edit")).group(1))
            barrier.wait(timeout=60)
            status, html = b.request(f"{editor}/autosave", _draft_form(f"shared by {i}", version), HTMX)
            return status, html

        def run(work):
            barrier = threading.Barrier(THREADS)
            with ThreadPoolExecutor(THREADS) as pool:
                return [f.result(timeout=300) for f in [pool.submit(work, i, barrier) for i in range(THREADS)]]

        logins = run(login)
        own = run(own_work)
        shared_results = run(shared_autosave)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    server_log = log.read_text()
    assert logins == [303] * THREADS, (logins, server_log[-3000:])
    bad = [s for statuses in own for s in statuses if s not in (200, 303)]
    assert not bad, f"{len(bad)} errors on the threads' own drafts: {bad}\n" + server_log[-3000:]
    shared_statuses = sorted(status for status, _ in shared_results)
    assert shared_statuses == [200] + [409] * (THREADS - 1), (shared_statuses, server_log[-3000:])
    assert all("jendela lain" in html for status, html in shared_results if status == 409)
    assert "Traceback" not in server_log and "database is locked" not in server_log, server_log[-3000:]
    winner = next(i for i, (status, _) in enumerate(shared_results) if status == 200)
    with app.app_context(), reading_session() as session:
        stored = {code: session.scalar(select(Revision.change_description).join(Revision.document)
                                       .where(Document.code == code)) for code in own_docs + [shared_code]}
        for code in own_docs:
            assert stored[code] == acknowledged[code] == f"editor {own_docs.index(code)} saved"
        assert stored[shared_code] == f"shared by {winner}"  # the one acknowledged save, not a later overwrite
        for record_id in own_records:
            data = session.get(Record, record_id).data
            assert data["rekomendasi"] == acknowledged[f"record-{record_id}"] == \
                f"editor {own_records.index(record_id)} round {rounds - 1}"
        assert audit.verify_chain(session).ok


def test_a_sign_in_hashes_the_password_without_holding_the_write_lock(fresh_app, monkeypatch):
    """SQLite: the sign-in post reads the throttle and the user and hashes the password (~0.1 s of CPU) in a reading
    transaction, and only then takes the write lock; another worker's write (an acknowledgement, an autosave) does
    not queue behind every sign-in of the morning."""
    import sqlite3

    import pytest

    app = fresh_app("signin_lock")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL writes take row locks, not a database lock")
    with app.test_request_context():
        site = services.save_site(None, {"code": "MLG", "name": "Malang", "timezone": "Asia/Jakarta"})
        db.session.flush()
        services.create_user({"username": "agent1", "full_name": "Agent Satu", "site_id": site.id, "roles": ["agent"]},
                             "long-enough-pass")
        db.session.commit()
        db.session.remove()
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    real = services.check_password_hash
    seen = []

    def hashing(stored, given):
        other = sqlite3.connect(path, timeout=0)  # another worker that wants to write right now
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            seen.append("could write")
        except sqlite3.OperationalError as exc:
            seen.append(str(exc))
        finally:
            other.close()
        return real(stored, given)

    monkeypatch.setattr(services, "check_password_hash", hashing)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    answer = client.post("/login", data={"csrf_token": token, "username": "agent1", "password": "long-enough-pass"})
    assert answer.status_code == 303
    assert seen == ["could write"]
    with app.app_context(), reading_session() as session:  # the sign-in itself was written
        assert session.scalar(select(func.count()).select_from(audit.AuditEvent).where(audit.AuditEvent.action == "auth.login")) == 1

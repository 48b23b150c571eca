"""Test set-up: one migrated database per run, each test inside a transaction rolled back at its end.

TEST_DATABASE_URL chooses the database (PostgreSQL in CI's second pass); SQLite in a temporary file otherwise.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FsaSession
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from portal import create_app
from portal.extensions import db

pytest_plugins = ["tests.factories"]

TEST_PASSWORD = "correct-horse-battery"


def _reset_postgres_database(url: str) -> str:
    """Drop and recreate the PostgreSQL database named in url (a throwaway test database)."""
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres").set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop a throwaway PostgreSQL test database (a SQLite file goes with its temporary folder)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    admin = create_engine(parsed.set(database="postgres").set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


def database_url(tmp_dir: Path, suffix: str) -> str:
    """A fresh, empty database for this run: <base>_<suffix> on PostgreSQL, a file on SQLite."""
    base = os.environ.get("TEST_DATABASE_URL")
    if base and base.startswith(("postgres://", "postgresql")):
        parsed = make_url(base.replace("postgres://", "postgresql://", 1))
        return _reset_postgres_database(parsed.set(database=f"{parsed.database}_portal_{suffix}").render_as_string(hide_password=False))
    return f"sqlite:///{tmp_dir / f'portal_{suffix}.db'}"


def test_config(url: str, instance: Path) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret-key-of-at-least-32-bytes",
        "WTF_CSRF_ENABLED": True,
        "PORTAL_DEMO": True,
        "DOCUMENTS_FOLDER": str(instance / "documents"),
        "LOG_LEVEL": "WARNING",
        "SERVER_NAME": None,
        "PDF_PREPARE_ON_EFFECTIVE": False,  # tests/printing/test_pdf_cache.py turns it on
    }


@pytest.fixture(scope="session")
def _migrated_app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("portal")
    os.environ["PORTAL_INSTANCE"] = str(tmp / "instance")
    app = create_app(test_config(database_url(tmp, "unit"), tmp))
    app.test_client_class = PortalClient
    with app.app_context():
        upgrade()
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class _JoinedSession(FsaSession):
    """A session bound to the test's connection; its commits only release savepoints."""

    def get_bind(self, *args, **kwargs):
        return self.bind if self.bind is not None else super().get_bind(*args, **kwargs)


@pytest.fixture
def app(_migrated_app):
    """The app, with every database change of the test rolled back afterwards."""
    app = _migrated_app
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {"class_": _JoinedSession, "bind": connection, "join_transaction_mode": "create_savepoint"}
        )
        try:
            yield app
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def dialect(app) -> str:
    return db.session.get_bind().dialect.name


TOKEN_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


class PortalClient(FlaskClient):
    """The Flask test client plus the two things every view test needs: a CSRF token and a login.

    Each request runs in an application context of its own (fresh `g`, fresh database session),
    as it would in the server, even though the test itself holds one open.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def token(self, path: str = "/login") -> str:
        """A CSRF token valid for this client's session, read from a page like a browser would."""
        page = self.get(path)
        match = TOKEN_RE.search(page.get_data(as_text=True))
        assert match, f"no CSRF token on {path} ({page.status_code})"
        return match.group(1) or match.group(2)

    def post_form(self, path: str, data: dict | None = None, token_from: str | None = None, **kwargs):
        """POST a form with a valid CSRF token, as the browser would."""
        data = dict(data or {})
        data.setdefault("csrf_token", self.token(token_from or self._token_page()))
        return self.post(path, data=data, **kwargs)

    def _token_page(self) -> str:
        with self.session_transaction() as sess:
            signed_in = "_user_id" in sess
        return "/account" if signed_in else "/login"

    def login(self, username: str, password: str = TEST_PASSWORD):
        return self.post_form("/login", {"username": username, "password": password}, token_from="/login")

    def logout(self):
        return self.post_form("/logout")


@pytest.fixture
def client(app) -> PortalClient:
    return app.test_client()


@pytest.fixture
def make_client(app):
    """More clients (browsers) for the same app."""
    return app.test_client


# Apps with a database and instance of their own, for tests that need real commits, threads or dropped triggers.
@pytest.fixture
def fresh_app(tmp_path):
    """make(suffix, migrate=True, **config) -> a new app on a new empty database (<base>_portal_<suffix>)."""
    apps = []

    def make(suffix: str = "fresh", *, migrate: bool = True, revision: str = "head", **overrides):
        url = database_url(tmp_path, suffix)
        instance = tmp_path / f"instance_{suffix}"
        previous = os.environ.get("PORTAL_INSTANCE")
        os.environ["PORTAL_INSTANCE"] = str(instance)
        try:
            config = test_config(url, instance)
            config.update(overrides)
            app = create_app(config)
        finally:
            if previous is None:
                os.environ.pop("PORTAL_INSTANCE", None)
            else:
                os.environ["PORTAL_INSTANCE"] = previous
        app.test_client_class = PortalClient
        apps.append(app)
        if migrate:
            with app.app_context():
                upgrade(revision=revision)
                db.session.remove()
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop_database(app.config["SQLALCHEMY_DATABASE_URI"])

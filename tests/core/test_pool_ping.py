"""Pooled connections are pinged after a pause, not before every request (core.db.ping_if_idle)."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from portal.core import db as core_db
from portal.extensions import db


def _backend_pid(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar()


def _terminate(url, pid: int) -> None:
    other = create_engine(url, poolclass=NullPool)
    with other.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        conn.commit()
    other.dispose()


def test_a_connection_is_pinged_after_a_pause_and_replaced_when_the_server_dropped_it(fresh_app, monkeypatch):
    app = fresh_app("ping", migrate=False)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL only: an SQLite connection cannot be dropped by a server")
        pings = []
        ping = engine.dialect.do_ping
        monkeypatch.setattr(engine.dialect, "do_ping", lambda conn: pings.append(1) or ping(conn))
        monkeypatch.setattr(core_db, "PING_IDLE_S", 60.0)
        first = _backend_pid(engine)  # a new connection: pinged once
        assert pings == [1]
        assert _backend_pid(engine) == first and pings == [1], "a connection used a moment ago is not pinged"

        # The server drops it: within the pause, the next statement fails and the pool drops the connection ...
        _terminate(engine.url, first)
        with pytest.raises(DBAPIError):
            _backend_pid(engine)
        second = _backend_pid(engine)  # ... and the request after it gets a new one
        assert second != first

        # After the pause, the ping finds a dropped connection and the pool opens a new one: nothing fails.
        _terminate(engine.url, second)
        monkeypatch.setattr(core_db, "PING_IDLE_S", 0.0)
        third = _backend_pid(engine)
        assert third not in (first, second)
        assert len(pings) >= 3

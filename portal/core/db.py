"""Database helpers: UTC clock, SQLite connection settings, a timestamp mixin."""
from __future__ import annotations

import os
import sqlite3
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterator

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool
from sqlalchemy.orm import Mapped, Session, mapped_column


def utcnow() -> datetime:
    """The current time in UTC, naive, as stored in the database."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):  # noqa: ARG001
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy emit BEGIN itself so savepoints and DDL are transactional (pysqlite recipe).
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    # REPLACE deletes the old row: with recursive triggers on, that delete fires the DELETE triggers
    # (the append-only audit trail refuses it).
    cur.execute("PRAGMA recursive_triggers=ON")
    cur.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn):
    if conn.dialect.name == "sqlite":
        # IMMEDIATE takes the write lock at BEGIN, waiting up to busy_timeout for another writer. A deferred
        # transaction that reads and then writes gets SQLITE_BUSY_SNAPSHOT when another writer committed in
        # between, and busy_timeout does not apply to that: "database is locked" under concurrent requests.
        # In WAL mode readers are never blocked by it. A connection may opt out with the execution option
        # sqlite_begin="DEFERRED" (read-only work that must not wait for writers).
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        if mode == "DEFERRED":
            conn.exec_driver_sql("BEGIN DEFERRED")
        else:
            begin_immediate(conn.connection.dbapi_connection)


BUSY_TIMEOUT_S = 10.0

# How long a pooled connection may sit unused before it is pinged on its way out (environment: DB_PING_IDLE_S).
PING_IDLE_S = float(os.environ.get("DB_PING_IDLE_S", "5"))


@event.listens_for(Pool, "checkin")
def _note_checkin(dbapi_connection, connection_record):  # noqa: ARG001
    if connection_record is not None:
        connection_record.info["checked_in_at"] = time.monotonic()


@event.listens_for(Pool, "checkout")
def ping_if_idle(dbapi_connection, connection_record, connection_proxy):  # noqa: ARG001
    """Ping a connection that comes out of the pool after PING_IDLE_S seconds unused; replace it if it is gone.

    SQLAlchemy's `pool_pre_ping` pings on every checkout: on PostgreSQL a round trip before each request's first
    statement (≈ a ninth of a changing autosave's). A connection used a moment ago is alive unless the server went
    away in that moment, and then the statement fails as it would have a moment after a ping; after a pause (a
    restart, a failover, a firewall's idle cut) the ping finds it dead and the pool opens a new one
    (DisconnectionError: the pool retries the checkout), as pre-ping did. SQLite has no connection to lose."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        return
    last = connection_record.info.get("checked_in_at")
    if last is not None and time.monotonic() - last < PING_IDLE_S:
        return
    dialect = connection_proxy._pool._dialect
    try:
        dialect.do_ping(dbapi_connection)
    except dialect.loaded_dbapi.Error as error:
        if dialect.is_disconnect(error, dbapi_connection, None):
            raise exc.DisconnectionError() from error
        raise


def begin_immediate(dbapi_connection, timeout: float = BUSY_TIMEOUT_S) -> None:
    """BEGIN IMMEDIATE, waiting for another writer by polling every quarter to half millisecond.

    SQLite's own busy handler (busy_timeout) sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms between tries: a
    writer that finds the lock taken by a request holding it for 2 ms sleeps 1 + 2 ms and then 5 more — a
    request's length lost each time two writes meet (two workers autosaving: 5–6× `/healthz` served, against
    3.5× of CPU). Here the wait ends within half a millisecond of the lock's release, up to the same 10 s, after
    which the error is SQLite's own "database is locked"."""
    try:
        dbapi_connection.execute("PRAGMA busy_timeout=0")
        deadline, pause = None, 0.00025
        while True:
            try:
                dbapi_connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                now = time.monotonic()
                if deadline is None:
                    deadline = now + timeout
                elif now >= deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.0005)
    finally:
        dbapi_connection.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")


@contextmanager
def reading_session() -> Iterator[Session]:
    """A session of its own for long read-only work (verify, anchor, backup counts): sees committed data only
    and, on SQLite, does not take the write lock (BEGIN DEFERRED), so writers are not kept waiting."""
    from portal.extensions import db

    with db.engine.connect() as conn:
        conn.execution_options(sqlite_begin="DEFERRED")
        with Session(bind=conn) as session:
            try:
                yield session
            finally:
                session.rollback()


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def core_execute(stmt, params: dict | None = None):
    """Run a select of columns (not entities) on the session's connection, past the ORM's execution layer: the same
    transaction and statement cache, but none of the ORM's per-execution work for rows it would not turn into objects
    (≈ 50 µs a statement on SQLite: a third of a small select's cost). Pending changes are flushed first, as
    `session.execute` would."""
    from portal.extensions import db

    session = db.session
    if session.new or session.dirty or session.deleted:
        session.flush()
    return session.connection().execute(stmt, params or {})


def constants_inline(stmt):
    """`stmt` with its constants (the values written in the code that built it: a status, a role, a LIMIT) in its SQL
    text, only the named parameters (the request's values) left as parameters. For statements built once per shape
    and run with their values bound (paging's `shape=`, the home page's combined statement): their unnamed parameters
    are constants by construction, or the cached statement would carry one request's value into the next.

    On PostgreSQL psycopg prepares a statement run five times on a connection, and PostgreSQL then keeps its generic
    plan only while that plan looks no dearer than planning afresh. A parameter in place of a constant hides what
    the generic plan needs: with `LIMIT $3` it expects a tenth of the rows (the records list's page looked ten times
    dearer and was planned again on every request), with `status <> $16` it cannot use the column's statistics."""
    from sqlalchemy.sql import visitors
    from sqlalchemy.sql.elements import BindParameter

    from portal.extensions import db

    if db.session.get_bind().dialect.name == "sqlite":  # no plans kept: rendering the values would only cost
        return stmt

    def inline(element, **_kw):
        if (isinstance(element, BindParameter) and element.unique and element.callable is None
                and element.value is not None and (not element.expanding or element.value)):
            clone = element._clone()
            clone.literal_execute = True
            return clone
        return None

    return visitors.replacement_traverse(stmt, {}, inline)

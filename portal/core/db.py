"""Database helpers: UTC clock, SQLite connection settings, a timestamp mixin."""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine
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
    cur.execute("PRAGMA busy_timeout=10000")
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
        conn.exec_driver_sql("BEGIN DEFERRED" if mode == "DEFERRED" else "BEGIN IMMEDIATE")


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

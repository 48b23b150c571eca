"""core.db.begin_immediate: a second writer waits for the first (polling, not SQLite's sleep ladder), gets the lock
once the first commits, gives up with SQLite's "database is locked" after its timeout, and leaves the connection's
busy_timeout as it found it."""
from __future__ import annotations

import sqlite3
import threading

import pytest

from portal.core.db import BUSY_TIMEOUT_S, begin_immediate


def _connect(path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    return conn


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "w.db"
    conn = _connect(path)
    conn.execute("CREATE TABLE t (n INTEGER)")
    conn.close()
    return path


def test_a_second_writer_waits_for_the_first_and_then_writes(database):
    first, second = _connect(database), _connect(database)
    begin_immediate(first)
    first.execute("INSERT INTO t VALUES (1)")
    started, done = threading.Event(), threading.Event()

    def writer():
        started.set()
        begin_immediate(second)
        second.execute("INSERT INTO t VALUES (2)")
        second.commit()
        done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    started.wait()
    assert not done.wait(0.2)  # it waits while the first holds the lock
    first.commit()
    assert done.wait(5)
    thread.join()
    assert [n for (n,) in first.execute("SELECT n FROM t ORDER BY n")] == [1, 2]


def test_it_gives_up_with_database_is_locked_and_keeps_the_busy_timeout(database):
    first, second = _connect(database), _connect(database)
    begin_immediate(first)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        begin_immediate(second, timeout=0.05)
    assert second.execute("PRAGMA busy_timeout").fetchone()[0] == int(BUSY_TIMEOUT_S * 1000)
    assert second.in_transaction is False
    first.rollback()
    begin_immediate(second)
    assert second.in_transaction is True
    assert second.execute("PRAGMA busy_timeout").fetchone()[0] == int(BUSY_TIMEOUT_S * 1000)
    second.rollback()

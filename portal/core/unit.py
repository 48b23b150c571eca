"""One commit per request: the request ends with one commit, or with a rollback.

Services flush and never commit; views never commit. After the view returns, a response under 400 commits the
session; an error response or an exception rolls it back. A view that must keep changes although it answers with an
error (a failed sign-in is counted, an ended session is closed) calls `keep_changes()`. Commands and jobs commit
themselves, once, at the end of their unit of work."""
from __future__ import annotations

from flask import g, has_request_context
from sqlalchemy import event
from sqlalchemy.engine import Connection

from portal.extensions import db

READ_METHODS = ("GET", "HEAD", "OPTIONS")


def reads_first(view):
    """Mark a view whose form post reads and computes a while before it writes (a sign-in hashes the password:
    ~0.1 s of CPU): on SQLite its post starts as a reading request, and the view calls `begin_writing()` once it
    knows what to write, so the write lock is not held while it computes."""
    view._reads_first = True
    return view


def start(request) -> None:
    """before_request: a page that only reads starts without a writing transaction.

    On SQLite it opens a deferred transaction, so it never holds the write lock (writers take it at BEGIN IMMEDIATE,
    see core/db.py). On PostgreSQL its connection runs in autocommit: each statement is its own transaction, as each
    already saw its own snapshot (READ COMMITTED), and the page pays no BEGIN and no COMMIT — two of the four round
    trips of a home page. A write in it (`begin_writing`, or any INSERT, UPDATE or DELETE: `_begin_before_a_write`)
    opens a transaction first, which the request's end commits or rolls back as any other."""
    if request.endpoint == "static":
        return  # a static file needs no transaction
    if request.method not in READ_METHODS:
        from flask import current_app

        view = current_app.view_functions.get(request.endpoint)
        if not getattr(view, "_reads_first", False):
            return  # a form post writes and begins IMMEDIATE
    if db.engine.dialect.name == "sqlite":
        db.session.connection(execution_options={"sqlite_begin": "DEFERRED"})
    elif not isinstance(db.session.bind, Connection):  # a session joined to an open transaction stays in it
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    g._uow_reading = True


def begin_writing(expire: bool = True) -> bool:
    """Call before a page that was only reading writes (a printout, a session touch, an audit event of a GET):
    on SQLite it ends the read transaction and opens a writing one (BEGIN IMMEDIATE), so the write waits its turn
    instead of failing with "database is locked" when another writer committed in between. Objects are reloaded
    as they are used. Outside a reading request it does nothing. True when it ended a read snapshot (SQLite): what
    was read before it may be older than what the write lock now protects.

    `expire=False` keeps the objects read so far as they were read, for a caller that checks itself that what it
    will change is unchanged since (a version number read again under the lock: records.views.save) — reloading
    the user, the record and its relations cost an autosave more than its write.

    On PostgreSQL it takes the reading request's connection out of autocommit, so the next statement begins a
    transaction that the request's end commits or rolls back; the objects read so far stay as read, as they would
    have in one READ COMMITTED transaction."""
    if has_request_context() and g.get("_uow_reading"):
        g._uow_reading = False
        if db.engine.dialect.name != "sqlite":
            _begin_on_autocommit(db.session.connection().connection.dbapi_connection)
            return False  # no snapshot ended: each statement read the latest committed rows, as the next ones will
        session = db.session()
        kept, session.expire_on_commit = session.expire_on_commit, expire and session.expire_on_commit
        try:
            session.commit()  # nothing was written yet: this only ends the read snapshot
        finally:
            session.expire_on_commit = kept
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        return True
    return False


def _begin_on_autocommit(dbapi) -> bool:
    """Take a PostgreSQL connection in autocommit with no transaction open out of autocommit, so that psycopg sends
    its own `BEGIN` before the next statement, as it does on any connection not in autocommit (sending "BEGIN" as a
    statement through SQLAlchemy cost a changing autosave ≈ 3 % more). False when it was not in autocommit, or a
    transaction is open. The pool puts the connection back to its default when it is returned."""
    from psycopg.pq import TransactionStatus

    if dbapi.autocommit and dbapi.pgconn.transaction_status == TransactionStatus.IDLE:
        dbapi.autocommit = False
        return True
    return False


def _begin_before_a_write(conn, cursor, statement, _parameters, context, _executemany) -> None:
    """A reading request on PostgreSQL that writes does it in a transaction, never statement by statement, even where
    its code did not call `begin_writing` (a flush, a token's last use, a counter): all or nothing, as anywhere. Before
    the first write (INSERT, UPDATE, DELETE, or a row lock) the connection leaves autocommit, so psycopg sends BEGIN
    just before that statement. Listens on PostgreSQL engines only (`init_app`)."""
    if not has_request_context() or not g.get("_uow_reading"):
        return
    if not (context is not None and (context.isinsert or context.isupdate or context.isdelete)):
        head = statement.lstrip()[:6].upper()
        if head not in _WRITES and " FOR UPDATE" not in statement and " FOR NO KEY UPDATE" not in statement:
            return
    if _begin_on_autocommit(conn.connection.dbapi_connection):  # the request's own connection: BEGIN comes first
        g._uow_reading = False


_WRITES = frozenset({"INSERT", "UPDATE", "DELETE", "MERGE "})


def keep_changes() -> None:
    """Commit this request's changes even if it answers with an error status."""
    g._uow_keep = True


def finish(response):
    """after_request: commit what the request changed (status < 400 or kept), else roll back."""
    if g.get("_uow_done"):
        return response
    g._uow_done = True
    if response.status_code < 400 or g.get("_uow_keep"):
        db.session.commit()
    else:
        db.session.rollback()
    return response


def init_app(app) -> None:
    from flask import request

    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite" and not event.contains(engine, "before_cursor_execute", _begin_before_a_write):
        event.listen(engine, "before_cursor_execute", _begin_before_a_write)

    # Registered first, so it runs before every other before_request hook (sessions may touch the database).
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: start(request))
    # Registered first, so it runs last among after_request functions: after every hook that may still write.
    app.after_request_funcs.setdefault(None, []).insert(0, finish)

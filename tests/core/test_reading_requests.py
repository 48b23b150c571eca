"""A request that only reads starts without a writing transaction (core.unit.start), and whatever it does write is
still all or nothing: on PostgreSQL its connection runs in autocommit (no BEGIN, no COMMIT) until it writes, and then
a transaction is opened first (begin_writing, any flush, an audit event); on SQLite it reads in a deferred
transaction. These tests use an app with a database of its own: the shared test session is joined to an open
transaction, which a request cannot leave."""
from __future__ import annotations

import time

from flask import abort, jsonify
from sqlalchemy import func, insert, select, text

from portal.auth.models import Site
from portal.core import audit
from portal.core.permissions import public
from portal.extensions import db


def _in_transaction() -> bool | None:
    """Whether the request's connection has a transaction open on the server (None on SQLite)."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        return None
    from psycopg.pq import TransactionStatus

    return connection.connection.dbapi_connection.pgconn.transaction_status != TransactionStatus.IDLE


def _app(fresh_app):
    app = fresh_app("reading")

    def reads():
        first = db.session.execute(text("SELECT CURRENT_TIMESTAMP")).scalar()
        time.sleep(0.02)
        second = db.session.execute(text("SELECT CURRENT_TIMESTAMP")).scalar()
        return jsonify(same_transaction_clock=str(first) == str(second), in_transaction=_in_transaction())

    def writes_then_fails():
        db.session.add(Site(code="HALF", name="Half-written"))
        db.session.flush()
        if _in_transaction() is False:
            return jsonify(error="flushed outside a transaction"), 500
        abort(409)  # an error answer: the request rolls back what it wrote

    def core_write_then_fails():
        db.session.execute(insert(Site).values(code="CORE", name="Written past the ORM"))
        if _in_transaction() is False:
            return jsonify(error="written outside a transaction"), 500
        abort(409)

    def audits():
        audit.record("test.read_request_event", reason="written by a GET")
        return jsonify(in_transaction=_in_transaction())

    app.add_url_rule("/_test/reads", view_func=public(reads))
    app.add_url_rule("/_test/writes-then-fails", view_func=public(writes_then_fails))
    app.add_url_rule("/_test/core-write-then-fails", view_func=public(core_write_then_fails))
    app.add_url_rule("/_test/audits", view_func=public(audits))
    return app


def test_a_reading_request_on_postgresql_runs_each_statement_on_its_own_with_no_transaction_left_open(fresh_app):
    app = _app(fresh_app)
    answer = app.test_client().get("/_test/reads").get_json()
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite reads in one deferred transaction: one snapshot, one clock
        assert answer == {"same_transaction_clock": True, "in_transaction": None}
    else:
        # autocommit: each statement is a transaction of its own (its own CURRENT_TIMESTAMP), none stays open
        assert answer == {"same_transaction_clock": False, "in_transaction": False}


def test_a_reading_request_that_writes_and_then_fails_leaves_nothing_written(fresh_app):
    """Neither a flush nor a statement past the ORM is committed on its own: the error answer rolls both back."""
    app = _app(fresh_app)
    client = app.test_client()
    for path in ("/_test/writes-then-fails", "/_test/core-write-then-fails"):
        response = client.get(path)
        assert response.status_code == 409, (path, response.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Site).where(Site.code.in_(("HALF", "CORE")))) == 0


def test_an_audit_event_written_by_a_reading_request_is_chained_inside_a_transaction(fresh_app):
    app = _app(fresh_app)
    client = app.test_client()
    for _ in range(3):
        answer = client.get("/_test/audits").get_json()
        assert answer["in_transaction"] in (True, None)  # on PostgreSQL the chain's lock is held until the commit
    with app.app_context():
        events = db.session.scalars(
            select(audit.AuditEvent).where(audit.AuditEvent.action == "test.read_request_event")
        ).all()
        assert len(events) == 3
        result = audit.verify_chain()
        assert result.broken_id is None, result.problem

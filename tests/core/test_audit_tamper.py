"""Attacks on the audit trail by someone with DDL rights, and how verify_chain finds each one.

Each test first reproduces the attack as it worked before the HMAC and anchors (the hash chain alone still
verifies), then shows that verify_chain reports it. They run on a database of their own with real commits.
"""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from portal.core import audit
from portal.core.audit import AuditEvent
from portal.core.db import reading_session
from portal.extensions import db


def verify_chain(**kwargs):
    """verify_chain on a session of its own, so no transaction is left open for the next attack."""
    with reading_session() as session:
        return audit.verify_chain(session, **kwargs)


def _events(app, n: int, start: int = 0) -> None:
    with app.app_context():
        for i in range(start, start + n):
            audit.record("thing.updated", ("thing", i), new={"n": i})
        db.session.commit()
        db.session.remove()


def _chain_links_hold(conn) -> bool:
    """What verify_chain checked before this change: ids, links and hashes only."""
    prev, expected = audit.GENESIS, 1
    with Session(bind=conn) as session:
        for row in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
            if row.id != expected or row.prev_hash != prev or row.compute_hash() != row.hash:
                return False
            prev, expected = row.hash, row.id + 1
    return True


def _attacker(app):
    """A connection of the table owner (superuser on PostgreSQL) with the append-only triggers out of the way."""
    conn = db.engine.connect()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET session_replication_role = replica"))
        conn.commit()
    else:
        for name in ("audit_event_no_update", "audit_event_no_delete", "audit_event_no_replace"):
            conn.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
        conn.commit()
    return conn


def _rewrite(conn, from_id: int, *, new_values: str = '{"n": 99}', drop_mac: bool = False) -> None:
    """Change row from_id and re-hash every row after it, so the hash chain holds again."""
    with Session(bind=conn) as session:
        rows = list(session.scalars(select(AuditEvent).where(AuditEvent.id >= from_id - 1).order_by(AuditEvent.id)))
        prev = rows[0].hash if rows[0].id < from_id else audit.GENESIS
        for row in rows:
            if row.id < from_id:
                continue
            if row.id == from_id:
                row.new_values = new_values
            row.prev_hash = prev
            row.hash = row.compute_hash()
            if drop_mac:
                row.mac = None
            prev = row.hash
        session.commit()


def test_rows_carry_a_mac_with_the_key_outside_the_database(fresh_app):
    app = fresh_app("tmac")
    _events(app, 3)
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert all(r.mac == audit.row_mac(r.id, r.hash) for r in rows)
        assert (app.instance_path + "/audit_key") and len(audit.hmac_key()) == 32
        result = verify_chain()
        assert result.ok and result.checked == 3 and result.unsigned == 0


def test_update_with_rehashed_chain_is_found(fresh_app):
    app = fresh_app("trehash")
    _events(app, 6)
    with app.app_context():
        conn = _attacker(app)
        _rewrite(conn, 3)
        assert _chain_links_hold(conn)  # the old check would say "chain intact"
        conn.close()
        result = verify_chain()
        assert not result.ok and result.broken_id == 3 and "MAC" in result.problem
        out = app.test_cli_runner().invoke(args=["audit", "verify"])
        assert out.exit_code == 1 and "BROKEN at audit event 3" in out.output


def test_rewrite_that_removes_the_macs_is_found(fresh_app):
    app = fresh_app("tnomac")
    _events(app, 5)
    with app.app_context():
        audit.write_anchor(reason="test")
        conn = _attacker(app)
        _rewrite(conn, 4, drop_mac=True)
        conn.close()
        result = verify_chain()
        assert not result.ok and result.broken_id == 4 and "no MAC" in result.problem
        # Every MAC removed from the first row on: the rows look "before key", but the anchor no longer holds.
        conn = _attacker(app)
        _rewrite(conn, 1, drop_mac=True)
        conn.close()
        result = verify_chain()
        assert not result.ok and result.broken_id == 5 and "anchor" in result.problem


def test_delete_of_the_newest_rows_after_an_anchor_is_found(fresh_app, tmp_path):
    app = fresh_app("ttail")
    _events(app, 5)
    with app.app_context():
        anchor = audit.write_anchor(reason="test")
        assert anchor["count"] == 5 and anchor["last_id"] == 5
        assert verify_chain().ok
        conn = _attacker(app)
        conn.execute(text("DELETE FROM audit_event WHERE id > 3"))
        conn.commit()
        assert _chain_links_hold(conn)  # what is left still chains
        conn.close()
        assert verify_chain(anchors_file=tmp_path / "none.jsonl").ok  # without anchors nothing shows
        result = verify_chain()
        assert not result.ok and result.broken_id == 4
        assert result.problem.startswith("missing tail") and anchor["at"] in result.problem
        out = app.test_cli_runner().invoke(args=["audit", "verify"])
        assert out.exit_code == 1 and "missing tail" in out.output


def test_forged_or_altered_anchor_is_found(fresh_app):
    app = fresh_app("tforge")
    _events(app, 2)
    with app.app_context():
        audit.write_anchor()
        path = audit.anchors_path()
        line = json.loads(path.read_text().splitlines()[0])
        line["count"], line["last_id"] = 1, 1
        with open(path, "a") as fh:
            fh.write(json.dumps(line) + "\n")
        result = verify_chain()
        assert not result.ok and "wrong MAC" in result.problem


@pytest.mark.parametrize("statement", [
    "INSERT OR REPLACE INTO audit_event (id, created_at, actor_name, action, object_type, object_id, old_values, "
    "new_values, reason, client_address, prev_hash, hash) SELECT id, created_at, actor_name, 'forged', object_type, "
    "object_id, old_values, new_values, reason, client_address, prev_hash, hash FROM audit_event WHERE id = 2",
    "INSERT INTO audit_event (id, created_at, actor_name, action, object_type, object_id, old_values, new_values, "
    "reason, client_address, prev_hash, hash) SELECT id, created_at, actor_name, 'forged', object_type, object_id, "
    "old_values, new_values, reason, client_address, prev_hash, hash FROM audit_event WHERE id = 2 "
    "ON CONFLICT (id) DO UPDATE SET action = excluded.action",
], ids=["replace", "upsert"])
def test_database_refuses_insert_or_replace_and_upsert(fresh_app, statement):
    app = fresh_app("treplace")
    postgres = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    if postgres and "OR REPLACE" in statement:
        pytest.skip("PostgreSQL has no INSERT OR REPLACE")
    _events(app, 3)
    with app.app_context():
        with db.engine.connect() as conn:
            with pytest.raises(DBAPIError, match="append-only"):
                conn.execute(text(statement))
            conn.rollback()
            if postgres:
                return  # ON CONFLICT DO UPDATE fires the UPDATE trigger
            # Even without the no-replace trigger, the delete half of REPLACE fires the DELETE trigger
            # (recursive_triggers is on for every connection).
            conn.execute(text("DROP TRIGGER audit_event_no_replace"))
            conn.commit()
            with pytest.raises(IntegrityError, match="append-only"):
                conn.execute(text(statement))
            conn.rollback()


def test_sqlite_insert_or_replace_with_triggers_dropped_is_found(fresh_app):
    app = fresh_app("treplace2")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("SQLite only")
    _events(app, 4)
    with app.app_context():
        conn = _attacker(app)
        conn.exec_driver_sql("PRAGMA recursive_triggers=OFF")
        with Session(bind=conn) as session:
            rows = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
            session.expunge_all()
        prev = rows[1].prev_hash
        for row in rows[1:]:
            if row.id == 2:
                row.action = "forged"
            row.prev_hash = prev
            row.hash = row.compute_hash()
            prev = row.hash
            values = {c.name: getattr(row, c.name) for c in AuditEvent.__table__.columns}
            conn.execute(AuditEvent.__table__.insert().prefix_with("OR REPLACE").values(**values))
        conn.commit()
        assert _chain_links_hold(conn)
        conn.close()
        result = verify_chain()
        assert not result.ok and result.broken_id == 2 and "MAC" in result.problem


def test_flask_audit_anchor_appends_to_the_file(fresh_app):
    app = fresh_app("tanchorcli")
    _events(app, 3)
    runner = app.test_cli_runner()
    with app.app_context():
        first = runner.invoke(args=["audit", "anchor"])
        assert first.exit_code == 0 and "3 audit events up to id 3" in first.output
    _events(app, 2, start=3)
    with app.app_context():
        runner.invoke(args=["audit", "anchor"])
        lines = [json.loads(x) for x in audit.anchors_path().read_text().splitlines()]
        assert [a["last_id"] for a in lines] == [3, 5]
        out = runner.invoke(args=["audit", "verify"])
        assert out.exit_code == 0 and "2 anchor(s) hold" in out.output


def test_migration_signs_existing_rows(fresh_app):
    app = fresh_app("tmigrate", revision="6e8f1904080b")
    with app.app_context():
        conn = db.engine.connect()
        prev = audit.GENESIS
        for i in range(1, 4):
            row = AuditEvent(id=i, created_at=audit.utcnow(), actor_id=None, actor_name="", action="old.event",
                             object_type="", object_id="", old_values="", new_values="", reason="",
                             client_address="", prev_hash=prev)
            row.hash = row.compute_hash()
            conn.execute(text("INSERT INTO audit_event (id, created_at, actor_name, action, object_type, object_id, "
                              "old_values, new_values, reason, client_address, prev_hash, hash) VALUES (:id, :c, '', "
                              "'old.event', '', '', '', '', '', '', :p, :h)"),
                         {"id": i, "c": row.created_at, "p": prev, "h": row.hash})
            prev = row.hash
        conn.commit()
        conn.close()
        from flask_migrate import upgrade

        upgrade()
        db.session.remove()
        rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [r.mac == audit.row_mac(r.id, r.hash) for r in rows] == [True] * 3
        result = verify_chain()
        assert result.ok and result.checked == 3
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(text("UPDATE audit_event SET reason = 'x'"))
        db.session.rollback()

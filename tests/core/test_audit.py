"""The audit trail: written with every change, append-only in the database, hash-chained."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from portal.core.service import ServiceError
from portal.auth import services
from portal.core import audit
from portal.core.audit import AuditEvent, verify_chain
from portal.extensions import db


def _count() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


def _last() -> AuditEvent:
    return db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))


def test_record_chains_rows(app):
    with app.test_request_context():
        first = audit.record("thing.created", ("thing", 1), new={"a": 1})
        second = audit.record("thing.updated", ("thing", 1), old={"a": 1}, new={"a": 2}, reason="typo")
    assert second.id == first.id + 1
    assert second.prev_hash == first.hash
    assert second.hash == second.compute_hash()
    assert verify_chain().ok


def test_database_refuses_update(app):
    with app.test_request_context():
        audit.record("thing.created", ("thing", 1))
    db.session.commit()
    nested = db.session.begin_nested()
    with pytest.raises(DBAPIError) as exc:
        db.session.execute(text("UPDATE audit_event SET reason = 'rewritten'"))
    assert "append-only" in str(exc.value)
    nested.rollback()


def test_database_refuses_delete(app):
    with app.test_request_context():
        audit.record("thing.created", ("thing", 1))
    db.session.commit()
    nested = db.session.begin_nested()
    with pytest.raises(DBAPIError) as exc:
        db.session.execute(text("DELETE FROM audit_event"))
    assert "append-only" in str(exc.value)
    nested.rollback()


def _disable_guard(dialect: str):
    # Only an attacker with DDL rights gets past the triggers; the test plays one.
    if dialect == "postgresql":
        db.session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
    else:
        db.session.execute(text("DROP TRIGGER audit_event_no_update"))
        db.session.execute(text("DROP TRIGGER audit_event_no_delete"))


def test_tampered_row_is_found_by_flask_audit_verify(app, dialect):
    with app.test_request_context():
        for i in range(5):
            audit.record("thing.updated", ("thing", i), new={"n": i})
    db.session.commit()
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "chain intact" in ok.output
    target = _last().id - 2
    _disable_guard(dialect)
    db.session.execute(text("UPDATE audit_event SET new_values = '{\"n\": 99}' WHERE id = :id"), {"id": target})
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at audit event {target}" in result.output


def test_deleted_row_is_found(app, dialect):
    with app.test_request_context():
        for i in range(4):
            audit.record("thing.updated", ("thing", i))
    db.session.commit()
    target = _last().id - 1
    _disable_guard(dialect)
    db.session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": target})
    db.session.commit()
    result = verify_chain()
    assert not result.ok and result.broken_id == target + 1


def test_forked_chain_is_refused_by_the_primary_key(app):
    with app.test_request_context():
        audit.record("thing.created", ("thing", 1))
    last = _last()
    twin = {"id": last.id, "created_at": last.created_at, "actor_name": "", "action": "thing.forked", "object_type": "",
            "object_id": "", "old_values": "", "new_values": "", "reason": "", "client_address": "",
            "prev_hash": last.prev_hash, "hash": "x"}
    nested = db.session.begin_nested()
    with pytest.raises(IntegrityError):
        db.session.execute(AuditEvent.__table__.insert().values(**twin))
    nested.rollback()


def test_values_are_recorded_with_actor_address_and_reason(app, client, factories):
    admin = factories.user(["admin"], username="boss")
    target = factories.user(["agent"])
    client.login("boss")
    client.post_form(f"/admin/users/{target.id}", {"username": target.username, "full_name": "Renamed Person",
                                                   "site_id": target.site_id, "roles": ["agent", "tl"], "locale": "id",
                                                   "reason": "promotion"})
    db.session.expire_all()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.updated"))
    assert event.actor_name == "boss" and event.actor_id == admin.id
    assert event.object_type == "user" and event.object_id == str(target.id)
    assert event.old["full_name"].startswith("Test User") and event.new["full_name"] == "Renamed Person"
    assert event.new["roles"] == ["agent", "tl"]
    assert event.reason == "promotion"
    assert event.client_address == "127.0.0.1"


SERVICE_MUTATIONS = [
    ("user.created", lambda f, me: services.create_user({"username": "newbie", "full_name": "N", "site_id": f.site().id, "roles": ["agent"]}, "long-enough-pass")),
    ("user.updated", lambda f, me: services.update_user(f.user(), {"full_name": "Changed"})),
    ("user.deactivated", lambda f, me: services.deactivate_user(f.user(), "left", by=me)),
    ("user.reactivated", lambda f, me: services.reactivate_user(f.user(active=False), "back")),
    ("user.password_reset", lambda f, me: services.reset_password(f.user(), "temporary-pass-1")),
    ("user.locale_changed", lambda f, me: services.set_locale(f.user(), "en")),
    ("site.created", lambda f, me: services.save_site(None, {"code": "NEW", "name": "New", "timezone": "Asia/Jakarta"})),
    ("site.updated", lambda f, me: services.save_site(f.site(), {"code": "RENAMED", "name": "R", "timezone": "Asia/Makassar"})),
    ("service.created", lambda f, me: services.save_service(None, {"code": "NEWSV", "name": "New", "direction": "inbound"})),
    ("service.updated", lambda f, me: services.save_service(f.service(), {"code": "SVX", "name": "X", "direction": "outbound"})),
]


@pytest.mark.parametrize("action,mutate", SERVICE_MUTATIONS, ids=[a for a, _ in SERVICE_MUTATIONS])
def test_every_service_mutation_writes_its_audit_event(app, factories, action, mutate):
    me = factories.user(["admin"])
    with app.test_request_context():
        before = _count()
        mutate(factories, me)
        assert _last().action == action
        assert _count() > before


def test_refused_change_writes_nothing(app, factories):
    with app.test_request_context():
        before = _count()
        with pytest.raises(ServiceError):
            services.create_user({"username": "x y", "full_name": "N", "roles": ["agent"]}, "long-enough-pass")
        db.session.rollback()
        assert _count() == before


def test_the_chain_head_is_read_after_the_lock_so_a_waiting_writer_chains_on_the_one_before_it(fresh_app):
    """PostgreSQL: `audit_chain_head()` takes the chain's lock and reads the head in one round trip. A second writer
    waits for the first to commit and then reads the first's event as the head (a head read with a snapshot taken
    before the lock was granted would give both the same id: a fork, refused by the primary key)."""
    import threading

    app = fresh_app("chainhead", AUDIT_HMAC_KEY="chain-head-test-audit-key-0123456789")
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL only: SQLite has one writer at a time")
        with app.test_request_context():
            audit.record("thing.created", ("thing", 1))
            db.session.commit()
        first = db.engine.connect()
        first.begin()
        head = first.execute(text("SELECT id, hash FROM audit_chain_head()")).one()
        first.execute(AuditEvent.__table__.insert().values(
            id=head.id + 1, created_at=audit.utcnow(), actor_name="", action="thing.first", object_type="",
            object_id="", old_values="", new_values="", reason="", client_address="", prev_hash=head.hash, hash="h1"))
        seen, engine = {}, db.engine

        def second_writer():
            with engine.connect() as conn, conn.begin():
                seen["head"] = conn.execute(text("SELECT id, hash FROM audit_chain_head()")).one()

        thread = threading.Thread(target=second_writer)
        thread.start()
        thread.join(0.5)
        assert thread.is_alive(), "the second writer must wait for the chain's lock"
        first.commit()
        thread.join(10)
        first.close()
        assert seen["head"].id == head.id + 1 and seen["head"].hash == "h1"


def test_record_on_an_empty_chain_starts_from_the_genesis(fresh_app):
    app = fresh_app("emptychain", AUDIT_HMAC_KEY="empty-chain-test-audit-key-0123456789")
    with app.app_context(), app.test_request_context():
        assert db.session.scalar(select(func.count(AuditEvent.id))) == 0
        event = audit.record("thing.created", ("thing", 1))
        assert event.id == 1 and event.prev_hash == audit.GENESIS
        db.session.commit()
        assert verify_chain().ok

"""Sign-in, sign-out, lockout, idle timeout, cookie replay, deactivation."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select

from portal.auth import services
from portal.auth.models import LoginAttempt, UserSession
from portal.core.audit import AuditEvent
from portal.core.db import utcnow
from portal.extensions import db
from tests.conftest import TEST_PASSWORD


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_password_is_stored_as_scrypt_hash(factories):
    user = factories.user(["agent"])
    assert user.password_hash.startswith("scrypt:")
    assert TEST_PASSWORD not in user.password_hash


def test_login_success_opens_session_and_audits(client, factories):
    user = factories.user(["tl"])
    response = client.login(user.username)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/")
    db.session.expire_all()
    assert db.session.scalar(select(func.count(UserSession.id)).where(UserSession.user_id == user.id)) == 1
    assert "auth.login" in _actions()


def test_login_is_case_insensitive_for_user_name(client, factories):
    factories.user(["tl"], username="dewi")
    assert client.login("DEWI").status_code == 303


def test_wrong_password_keeps_user_name_and_says_why(client, factories):
    factories.user(["tl"], username="budi")
    response = client.login("budi", "wrong-password!")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="budi"' in html
    assert "field-error" in html
    assert "wrong-password!" not in html
    assert "auth.login_failed" in _actions()


def test_unknown_user_gets_the_same_message(client):
    unknown = client.login("nobody", "whatever-password").get_data(as_text=True)
    assert "field-error" in unknown


def test_empty_form_is_refused_next_to_fields(client):
    response = client.post_form("/login", {"username": "", "password": ""})
    assert response.status_code == 422
    assert response.get_data(as_text=True).count('class="field-error"') == 2


def test_account_locks_after_repeated_failures(app, client, factories):
    factories.user(["agent"], username="rina")
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit - 1):
        assert client.login("rina", "bad-password-x").status_code == 422
    last = client.login("rina", "bad-password-x")
    assert last.status_code == 429
    # Even the right password is refused while locked, with a clear message.
    locked = client.login("rina")
    assert locked.status_code == 429
    assert str(app.config["LOGIN_LOCKOUT_MINUTES"]) in locked.get_data(as_text=True)
    assert "auth.login_blocked" in _actions()


def test_lock_is_shared_by_every_client_and_worker(app, client, make_client, factories):
    """The count lives in the database: another browser (or another worker process) sees the same lock."""
    factories.user(["agent"], username="sari")
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        client.login("sari", "bad-password-x")
    other = make_client()
    assert other.login("sari").status_code == 429
    with app.test_request_context():
        assert services.lock_state("sari", "10.9.9.9") > 0  # the account is locked from any address


def test_lock_expires_after_the_lockout_window(app, client, factories):
    factories.user(["agent"], username="tono")
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        client.login("tono", "bad-password-x")
    assert client.login("tono").status_code == 429
    past = utcnow() - timedelta(minutes=app.config["LOGIN_LOCKOUT_MINUTES"] + 1)
    for attempt in db.session.scalars(select(LoginAttempt).where(LoginAttempt.username == "tono")):
        attempt.at = past
    db.session.commit()
    assert client.login("tono").status_code == 303


def test_address_is_limited_across_accounts(app, client, factories):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    try:
        for i in range(3):
            client.login(f"guess{i}", "bad-password-x")
        factories.user(["agent"], username="wati")
        assert client.login("wati").status_code == 429
    finally:
        app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 20


def test_new_session_on_login(client, factories):
    """Session fixation: what the cookie held before login is not what it holds after."""
    user = factories.user(["tl"])
    client.get("/login")
    with client.session_transaction() as sess:
        sess["planted"] = "by-attacker"
        sess["sid"] = "attacker-chosen"
    client.login(user.username)
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["sid"] != "attacker-chosen"


def test_logout_ends_session_and_old_cookie_cannot_be_replayed(app, client, make_client, factories):
    user = factories.user(["tl"])
    client.login(user.username)
    stolen = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    assert client.get("/").status_code == 200
    assert client.logout().status_code == 303
    assert client.get("/").status_code == 302
    replay = make_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], stolen)
    response = replay.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    db.session.expire_all()
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    assert row.ended_reason == "logout"
    assert "auth.logout" in _actions()


def test_idle_session_times_out(app, client, factories):
    user = factories.user(["tl"])
    client.login(user.username)
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    row.last_seen_at = utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    db.session.commit()
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert str(app.config["SESSION_IDLE_MINUTES"]) in follow  # "... after 30 minutes without activity"
    db.session.expire_all()
    assert db.session.get(UserSession, row.id).ended_reason == "idle"


def test_active_session_is_not_timed_out(app, client, factories):
    user = factories.user(["tl"])
    client.login(user.username)
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    row.last_seen_at = utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] - 1)
    db.session.commit()
    assert client.get("/").status_code == 200


def test_idle_timeout_is_configurable(app, client, factories):
    app.config["SESSION_IDLE_MINUTES"] = 5
    try:
        user = factories.user(["tl"])
        client.login(user.username)
        row = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
        row.last_seen_at = utcnow() - timedelta(minutes=6)
        db.session.commit()
        assert client.get("/").status_code == 302
    finally:
        app.config["SESSION_IDLE_MINUTES"] = 30


def test_deactivation_ends_open_sessions_at_once(client, make_client, factories):
    admin = factories.user(["admin"])
    victim = factories.user(["agent"])
    victim_client = make_client()
    victim_client.login(victim.username)
    assert victim_client.get("/").status_code == 200
    client.login(admin.username)
    response = client.post_form(f"/admin/users/{victim.id}/deactivate", {"status-reason": "Resigned"})
    assert response.status_code == 303
    assert victim_client.get("/").status_code == 302
    # and cannot sign in again
    again = make_client().login(victim.username)
    assert again.status_code == 422
    assert "auth.login_failed" in _actions()


def test_session_cookie_flags(app, client, factories):
    user = factories.user(["tl"])
    response = client.login(user.username)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_secure_cookie_when_configured(app, client, factories):
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        user = factories.user(["tl"])
        response = client.login(user.username)
        assert "Secure" in response.headers["Set-Cookie"]
        assert "Strict-Transport-Security" in response.headers
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False


def test_next_parameter_cannot_leave_the_site(client, factories):
    user = factories.user(["tl"])
    token = client.token("/login")
    response = client.post("/login?next=https://evil.example/x", data={"csrf_token": token, "username": user.username, "password": TEST_PASSWORD})
    assert response.headers["Location"].endswith("/")
    assert "evil" not in response.headers["Location"]


def test_next_parameter_returns_to_the_page_asked_for(client, factories):
    user = factories.user(["admin"])
    first = client.get("/admin/users")
    assert "next=" in first.headers["Location"]
    token = client.token("/login")
    response = client.post("/login?next=/admin/users", data={"csrf_token": token, "username": user.username, "password": TEST_PASSWORD})
    assert response.headers["Location"].endswith("/admin/users")


def test_must_change_password_is_enforced(client, factories):
    user = factories.user(["tl"], must_change_password=True)
    client.login(user.username)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/password")
    change = client.post_form("/account/password", {"current_password": TEST_PASSWORD, "new_password": "a-brand-new-secret",
                                                     "confirm": "a-brand-new-secret"}, token_from="/account/password")
    assert change.status_code == 303
    assert client.get("/").status_code == 200


def test_change_password_rules(client, factories):
    user = factories.user(["tl"])
    client.login(user.username)
    short = client.post_form("/account/password", {"current_password": TEST_PASSWORD, "new_password": "short", "confirm": "short"})
    assert short.status_code == 422 and "field-error" in short.get_data(as_text=True)
    wrong = client.post_form("/account/password", {"current_password": "not-it-at-all", "new_password": "long-enough-pass", "confirm": "long-enough-pass"})
    assert wrong.status_code == 422
    differ = client.post_form("/account/password", {"current_password": TEST_PASSWORD, "new_password": "long-enough-pass", "confirm": "long-enough-pasX"})
    assert differ.status_code == 422


def test_changing_password_ends_other_sessions(client, make_client, factories):
    user = factories.user(["tl"])
    other = make_client()
    other.login(user.username)
    client.login(user.username)
    client.post_form("/account/password", {"current_password": TEST_PASSWORD, "new_password": "long-enough-pass", "confirm": "long-enough-pass"})
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302


def test_htmx_request_after_timeout_gets_hx_redirect(app, client, factories):
    user = factories.user(["admin"])
    client.login(user.username)
    client.logout()
    response = client.get("/admin/users", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert "/login" in response.headers["HX-Redirect"]


def test_home_page_shows_the_previous_sign_in_not_the_current_one(app, client, make_client, factories):
    user = factories.user(["agent"], username="sinta")
    client.login("sinta")
    assert "ini masuk Anda yang pertama" in client.get("/").get_data(as_text=True)
    db.session.expire_all()
    first = db.session.get(type(user), user.id).last_login_at
    again = make_client()
    again.login("sinta")
    page = again.get("/").get_data(as_text=True)
    assert "ini masuk Anda yang pertama" not in page
    db.session.expire_all()
    assert db.session.get(type(user), user.id).previous_login_at == first


def test_a_session_ends_after_its_absolute_lifetime_however_active(app, client, factories):
    factories.user(["agent"], username="aktif")
    client.login("aktif")
    assert client.get("/").status_code == 200
    with app.app_context():
        row = db.session.scalar(select(UserSession).where(UserSession.ended_at.is_(None)).order_by(UserSession.id.desc()))
        row.created_at = row.created_at - timedelta(hours=app.config["SESSION_MAX_HOURS"], minutes=1)
        db.session.commit()
    assert client.get("/").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(UserSession.ended_reason).order_by(UserSession.id.desc())) == "expired"


def test_a_short_secret_key_is_refused(tmp_path):
    import pytest

    from portal import create_app

    with pytest.raises(RuntimeError, match="32 bytes"):
        create_app({"SECRET_KEY": "short", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'k.db'}"})


def test_behind_a_reverse_proxy_the_address_lock_counts_each_client_not_the_proxy(app, make_client, factories):
    """Issue 16, item 15: 20 failures from one client behind the proxy must not lock out everyone behind it; with
    no proxy configured, a client cannot pick its address with X-Forwarded-For to dodge the lock."""
    from portal.auth.models import LoginAttempt

    user = factories.user(["agent"], username="ratna")
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    try:
        # No proxy configured (PROXY_COUNT=0): the header is ignored, every attempt counts for the connecting address.
        guesser = make_client()
        guesser.environ_base.update(proxy)
        for i in range(3):
            guesser.post_form("/login", {"username": f"guess{i}", "password": "bad-password-x"},
                              headers={"X-Forwarded-For": f"203.0.113.{i}"})
        assert {a.client_address for a in db.session.scalars(select(LoginAttempt).where(
            LoginAttempt.username.like("guess%")))} == {"10.0.0.2"}
        colleague = make_client()
        colleague.environ_base.update(proxy)
        assert colleague.post_form("/login", {"username": "ratna", "password": TEST_PASSWORD},
                                   headers={"X-Forwarded-For": "192.168.7.7"}).status_code == 429

        # One proxy configured: the address is the one the proxy appended, so only the guessing client is locked.
        app.config["PROXY_COUNT"] = 1
        db.session.execute(delete(LoginAttempt))
        db.session.commit()
        for i in range(3):
            guesser.post_form("/login", {"username": f"guess{i}", "password": "bad-password-x"},
                              headers={"X-Forwarded-For": f"1.2.3.{i}, 192.168.7.66"})  # a forged first value
        assert {a.client_address for a in db.session.scalars(select(LoginAttempt).where(
            LoginAttempt.username.like("guess%")))} == {"192.168.7.66"}
        assert guesser.post_form("/login", {"username": "ratna", "password": TEST_PASSWORD},
                                 headers={"X-Forwarded-For": "192.168.7.66"}).status_code == 429
        assert colleague.post_form("/login", {"username": user.username, "password": TEST_PASSWORD},
                                   headers={"X-Forwarded-For": "192.168.7.7"}).status_code == 303
    finally:
        app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 20
        app.config["PROXY_COUNT"] = 0


def test_api_tokens_expire_on_the_date_chosen_at_creation(app, client, make_client, factories):
    """Issue 16, item 15: a token works until the end of its chosen day (default 90 days, at most a year) and is
    refused with 401 afterwards; the token page shows when each one expires."""
    import re
    from datetime import timedelta

    from portal.auth.models import ApiToken
    from portal.core.i18n import local_today

    agent = factories.user(["dc"])  # API tokens are for the roles that use the API (auth.api_tokens)
    client.login(agent.username)
    page = client.get("/account/tokens").get_data(as_text=True)
    default = (local_today() + timedelta(days=90)).isoformat()
    assert f'value="{default}"' in page  # the form proposes 90 days
    too_long = client.post_form("/account/tokens", {"name": "dasbor", "expires_on": (local_today() + timedelta(days=366)).isoformat()},
                                token_from="/account/tokens")
    assert too_long.status_code == 422 and 'id="expires_on-err"' in too_long.get_data(as_text=True)
    past = client.post_form("/account/tokens", {"name": "dasbor", "expires_on": local_today().isoformat()},
                            token_from="/account/tokens")
    assert past.status_code == 422
    created = client.post_form("/account/tokens", {"name": "dasbor", "expires_on": (local_today() + timedelta(days=7)).isoformat()},
                               token_from="/account/tokens")
    assert created.status_code == 200
    raw = re.search(r'data-testid="new-token">([^<]+)<', created.get_data(as_text=True)).group(1)
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == agent.id))
    assert services.token_expiry(local_today() + timedelta(days=7)) == token.expires_at
    assert "berlaku sampai" in created.get_data(as_text=True)
    tool = make_client()
    assert tool.get("/api/documents", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    token.expires_at = utcnow() - timedelta(seconds=1)  # the end of its day has passed
    db.session.commit()
    refused = tool.get("/api/documents", headers={"Authorization": f"Bearer {raw}"})
    assert refused.status_code == 401 and "expired" in refused.get_json()["message"]
    assert "kedaluwarsa" in client.get("/account/tokens").get_data(as_text=True)


def test_the_signed_in_users_roles_and_services_come_with_the_session_and_follow_a_change(app, client, factories):
    """The session statement brings the user's role names and service ids as two columns (no UserRole or Service
    objects); `roles`, `can` and `service_ids` answer from them, the home page names the services, and a change of
    either relationship in the same request is seen at once."""
    from flask import session as flask_session
    from sqlalchemy import event

    from portal.auth.sessions import SESSION_KEY

    inbound, outbound = factories.service(code="Z147", name="Layanan 147"), factories.service(code="A108", name="Layanan 108")
    user = factories.user(["tl", "trainer"], services=[inbound, outbound])
    client.login(user.username)
    home = client.get("/").get_data(as_text=True)
    assert "Layanan 108, Layanan 147" in home  # in the order of their codes, as before

    with client.session_transaction() as cookie:
        token = cookie[SESSION_KEY]
    ids = {inbound.id, outbound.id}
    db.session.expunge_all()
    with app.test_request_context("/"):
        flask_session[SESSION_KEY] = token
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            found = services.find_session(token)
            signed_in = found.user
            assert signed_in.roles == ["tl", "trainer"]
            assert signed_in.can("records.fill") and signed_in.service_ids == ids
            assert len(statements) == 1  # the user, the roles and the services came with the session
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        signed_in.services = [db.session.get(type(inbound), min(ids))]
        signed_in.set_roles(["agent"])
        assert signed_in.service_ids == {min(ids)}
        assert signed_in.roles == ["agent"] and not signed_in.can("records.approve")
        db.session.rollback()

"""Administration pages: users, sites, services — the 403, the hidden button and the 422 that keeps input."""
from __future__ import annotations

from sqlalchemy import select

from portal.auth.models import Service, Site, User
from portal.extensions import db


def _form(user_site_id, **overrides):
    data = {"username": "lestari", "full_name": "Dewi Lestari", "email": "dewi@example.co.id", "position": "Team Leader",
            "site_id": user_site_id, "roles": ["tl"], "locale": "id", "password": "initial-pass-123"}
    data.update(overrides)
    return data


def test_admin_creates_user(client, factories):
    admin = factories.user(["admin"])
    service = factories.service(name="147")
    client.login(admin.username)
    response = client.post_form("/admin/users/new", _form(admin.site_id, service_ids=[service.id]), token_from="/admin/users/new")
    assert response.status_code == 303
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.username == "lestari"))
    assert user.roles == ["tl"] and [s.name for s in user.services] == ["147"]
    assert user.must_change_password is True
    assert user.password_hash.startswith("scrypt:")


def test_invalid_user_keeps_input_and_shows_errors_next_to_fields(client, factories):
    admin = factories.user(["admin"])
    client.login(admin.username)
    response = client.post_form("/admin/users/new", _form(admin.site_id, username="Bad Name!", password="short", roles=[]),
                                token_from="/admin/users/new")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="Dewi Lestari"' in html  # what the user typed is kept
    assert 'value="dewi@example.co.id"' in html
    assert 'id="roles-err"' in html
    # Every field's problem at once: the user name rule is not held back until the other fields are fixed.
    assert 'id="username-err"' in html and 'id="password-err"' in html
    assert db.session.scalar(select(User).where(User.full_name == "Dewi Lestari")) is None


def test_service_errors_appear_next_to_their_field(client, factories):
    admin = factories.user(["admin"])
    factories.user(["agent"], username="taken")
    client.login(admin.username)
    dup = client.post_form("/admin/users/new", _form(admin.site_id, username="taken"), token_from="/admin/users/new")
    assert dup.status_code == 422 and 'id="username-err"' in dup.get_data(as_text=True)
    short = client.post_form("/admin/users/new", _form(admin.site_id, password="short"), token_from="/admin/users/new")
    assert short.status_code == 422 and 'id="password-err"' in short.get_data(as_text=True)


def test_htmx_invalid_post_returns_the_content_fragment(client, factories):
    admin = factories.user(["admin"])
    client.login(admin.username)
    token = client.token("/admin/users/new")
    response = client.post("/admin/users/new", data={**_form(admin.site_id, password="short"), "csrf_token": token},
                           headers={"HX-Request": "true"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'id="password-err"' in html
    assert "HX-Request" in response.headers.get("Vary", "")


def test_htmx_success_becomes_hx_redirect(client, factories):
    admin = factories.user(["admin"])
    client.login(admin.username)
    token = client.token("/admin/users/new")
    response = client.post("/admin/users/new", data={**_form(admin.site_id), "csrf_token": token}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"].startswith("/admin/users/")


def test_edit_user_changes_roles_and_services_but_never_the_user_name(client, factories):
    admin = factories.user(["admin"])
    target = factories.user(["agent"], username="keepme")
    svc = factories.service()
    client.login(admin.username)
    response = client.post_form(f"/admin/users/{target.id}", {"username": "hijack", "full_name": "Kept Name", "site_id": target.site_id,
                                                              "roles": ["agent", "qco"], "service_ids": [svc.id], "locale": "en"})
    assert response.status_code == 303
    db.session.expire_all()
    user = db.session.get(User, target.id)
    assert user.username == "keepme" and user.roles == ["agent", "qco"] and user.locale == "en"


def test_deactivate_needs_a_reason_and_cannot_target_oneself(client, factories):
    admin = factories.user(["admin"])
    target = factories.user(["agent"])
    client.login(admin.username)
    empty = client.post_form(f"/admin/users/{target.id}/deactivate", {"status-reason": ""})
    assert empty.status_code == 422 and 'id="status-reason-err"' in empty.get_data(as_text=True)
    myself = client.post_form(f"/admin/users/{admin.id}/deactivate", {"status-reason": "oops"})
    assert myself.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, admin.id).active


def test_reactivate_and_reset_password(client, make_client, factories):
    admin = factories.user(["admin"])
    target = factories.user(["agent"], active=False)
    client.login(admin.username)
    assert client.post_form(f"/admin/users/{target.id}/reactivate", {"status-reason": "returned"}).status_code == 303
    response = client.post_form(f"/admin/users/{target.id}/password", {"reset-password": "temporary-pass-9", "reset-reason": "forgot"})
    assert response.status_code == 303
    fresh = make_client()
    assert fresh.login(target.username, "temporary-pass-9").status_code == 303
    assert fresh.get("/").headers["Location"].endswith("/account/password")


def test_reset_password_too_short_is_refused(client, factories):
    admin = factories.user(["admin"])
    target = factories.user(["agent"])
    client.login(admin.username)
    response = client.post_form(f"/admin/users/{target.id}/password", {"reset-password": "short"})
    assert response.status_code == 422 and 'id="reset-password-err"' in response.get_data(as_text=True)


def test_users_list_filters_and_active_search(client, factories):
    admin = factories.user(["admin"])
    factories.user(["qco"], username="qcofinder", full_name="Budi Santoso")
    factories.user(["agent"], username="someone", full_name="Rina")
    client.login(admin.username)
    html = client.get("/admin/users?q=santo").get_data(as_text=True)
    assert "qcofinder" in html and "someone" not in html
    fragment = client.get("/admin/users?role=qco", headers={"HX-Request": "true", "HX-Target": "user-results"})
    body = fragment.get_data(as_text=True)
    assert "qcofinder" in body and "<form" not in body and "someone" not in body


def test_non_admin_gets_403_and_sees_no_admin_links(client, factories):
    tl = factories.user(["tl"])
    client.login(tl.username)
    assert client.get("/admin/users").status_code == 403
    assert client.post_form("/admin/users/new", {"username": "x"}).status_code == 403
    home = client.get("/").get_data(as_text=True)
    assert "/admin/users" not in home and "/audit/" not in home


def test_admin_sees_the_admin_links_and_buttons(client, factories):
    admin = factories.user(["admin"])
    client.login(admin.username)
    home = client.get("/").get_data(as_text=True)
    assert "/admin/users" in home and "/admin/sites" in home and "/audit/" in home
    users = client.get("/admin/users").get_data(as_text=True)
    assert 'data-testid="new-user"' in users


def test_sites_and_services_are_managed_as_data(client, factories):
    admin = factories.user(["admin"])
    client.login(admin.username)
    created = client.post_form("/admin/sites/new", {"code": "mlg2", "name": "Malang 2", "timezone": "Asia/Jakarta", "active": "y"})
    assert created.status_code == 303
    site = db.session.scalar(select(Site).where(Site.code == "MLG2"))
    assert site is not None and site.active
    dup = client.post_form("/admin/sites/new", {"code": "MLG2", "name": "Again", "timezone": "Asia/Jakarta"})
    assert dup.status_code == 422 and 'id="code-err"' in dup.get_data(as_text=True)
    edit = client.post_form(f"/admin/sites/{site.id}", {"code": "MLG2", "name": "Malang Dua", "timezone": "Asia/Makassar"})
    assert edit.status_code == 303
    db.session.expire_all()
    assert db.session.get(Site, site.id).timezone == "Asia/Makassar" and not db.session.get(Site, site.id).active
    svc = client.post_form("/admin/services/new", {"code": "tam-x", "name": "TAM X", "direction": "outbound", "active": "y"})
    assert svc.status_code == 303
    assert db.session.scalar(select(Service).where(Service.code == "TAM-X")).direction == "outbound"
    bad = client.post_form("/admin/services/new", {"code": "bad code!", "name": "", "direction": "sideways"})
    assert bad.status_code == 422


def test_unknown_ids_are_404(client, factories):
    admin = factories.user(["admin"])
    client.login(admin.username)
    assert client.get("/admin/users/999999").status_code == 404
    assert client.get("/admin/sites/999999").status_code == 404

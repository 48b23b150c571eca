"""Language, dates and time zones, security headers, error pages, htmx fragments."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from babel.messages.pofile import read_po

from portal.core.i18n import fmt_date, fmt_datetime
from portal.core.security import CSP

ROOT = Path(__file__).resolve().parents[2]


def test_indonesian_date_format(app):
    with app.test_request_context():
        assert fmt_date(date(2017, 6, 5)) == "05 Juni 2017"
        assert fmt_date(date(2022, 10, 13)) == "13 Oktober 2022"


def test_local_time_by_site_zone(app):
    utc = datetime(2017, 6, 5, 1, 30)
    with app.test_request_context():
        assert fmt_datetime(utc, "Asia/Jakarta") == "05 Juni 2017 08.30 WIB"
        assert fmt_datetime(utc, "Asia/Makassar") == "05 Juni 2017 09.30 WITA"
        assert fmt_datetime(utc, "Asia/Jayapura") == "05 Juni 2017 10.30 WIT"


def test_user_sees_times_of_their_site(client, factories):
    site = factories.site(name="Makassar", timezone="Asia/Makassar")
    user = factories.user(["tl"], site=site)
    client.login(user.username)
    assert "WITA" in client.get("/").get_data(as_text=True)


def test_language_switch_is_remembered_per_user(client, factories):
    user = factories.user(["tl"])
    client.login(user.username)
    assert '<html lang="id">' in client.get("/").get_data(as_text=True)
    response = client.post_form("/language", {"locale": "en", "next": "/account"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/account")
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    client.logout()
    client.login(user.username)
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_language_switch_before_login_and_bad_next(client):
    response = client.post_form("/language", {"locale": "en", "next": "//evil.example"})
    assert response.headers["Location"].endswith("/")
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)


def test_indonesian_is_the_default_language(client, factories):
    user = factories.user(["tl"])
    client.login(user.username)
    html = client.get("/").get_data(as_text=True)
    assert "Beranda" in html and "Keluar" in html


def test_indonesian_catalogue_is_complete():
    """Every message on screen has an Indonesian translation (the catalogue is regenerated with make extract-messages)."""
    with open(ROOT / "translations/id/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f)
    missing = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert missing == [] and fuzzy == []


def test_catalogue_covers_every_message_in_the_code():
    from babel.messages.extract import extract_from_dir

    with open(ROOT / "translations/id/LC_MESSAGES/messages.po", "rb") as f:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    method_map = [("portal/**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(str(ROOT), method_map, keywords=keywords):
        found.add(message if isinstance(message, str) else message[0])
    assert sorted(found - known) == [], "run `make extract-messages` and translate the new messages"


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert csp == CSP and "'unsafe-inline'" not in csp and "script-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_carry_no_inline_script_or_style(client, factories):
    user = factories.user(["admin"])
    client.login(user.username)
    for path in ["/login", "/", "/admin/users", "/admin/users/new", "/audit/", "/account"]:
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and "<style" not in html and " style=" not in html, path
        assert " on" + "click=" not in html


def test_htmx_is_vendored_and_configured_without_injected_styles(client):
    html = client.get("/login").get_data(as_text=True)
    assert "/static/js/vendor/htmx-2.0.11.min.js" in html
    assert '"includeIndicatorStyles": false' in html
    assert (ROOT / "static/js/vendor/htmx-2.0.11.min.js").stat().st_size > 40_000
    assert client.get("/static/js/vendor/htmx-2.0.11.min.js").status_code == 200


def test_csrf_token_travels_with_htmx_requests(client):
    assert '"X-CSRFToken": "' in client.get("/login").get_data(as_text=True)


def test_htmx_post_with_header_token_is_accepted(client, factories):
    user = factories.user(["tl"])
    client.login(user.username)
    token = client.token("/account")
    response = client.post("/account", data={"locale": "en"}, headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 200 and response.headers["HX-Redirect"] == "/account"


def test_expired_csrf_keeps_what_the_user_typed_read_only_never_one_click_from_sending(client, factories):
    """Issue 16, item 15: a refused (expired or forged) form is not offered again with a fresh token; what was typed
    is shown read-only to be copied, with a link to open the form on the portal's own page."""
    admin = factories.user(["admin"])
    client.login(admin.username)
    forged = {"csrf_token": "expired-or-forged", "full_name": "Siti Nurhaliza", "password": "secret-never-echoed",
              "roles": "admin"}
    response = client.post("/admin/users/new", data=forged, headers={"Referer": "https://evil.example/phish"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert ">Siti Nurhaliza</textarea>" in html and "readonly" in html  # kept, to be copied
    assert "secret-never-echoed" not in html
    card = html.split('data-testid="csrf-refused"', 1)[1].split("</section>", 1)[0]
    assert "<form" not in card and "csrf_token" not in card and 'name="' not in card  # nothing to send from here
    assert 'href="/admin/users/new" data-testid="open-form-again"' in html  # the form's own page, not the referrer
    # Sent from a page of the portal: the link goes back there; a form whose address cannot be opened: home.
    again = client.post("/admin/users/new", data=forged, headers={"Referer": "http://localhost/admin/users?q=siti"})
    assert 'href="/admin/users?q=siti" data-testid="open-form-again"' in again.get_data(as_text=True)
    revoke = client.post("/account/tokens/1/revoke", data={"csrf_token": "forged"})
    assert revoke.status_code == 400 and 'href="/" data-testid="open-form-again"' in revoke.get_data(as_text=True)


def test_friendly_error_pages_in_indonesian(client, factories):
    user = factories.user(["agent"])
    client.login(user.username)
    not_found = client.get("/no-such-page")
    assert not_found.status_code == 404 and "Halaman tidak ditemukan" in not_found.get_data(as_text=True)
    forbidden = client.get("/admin/users")
    assert forbidden.status_code == 403 and "<html" in forbidden.get_data(as_text=True)


def test_error_pages_are_fragments_for_htmx(client, factories):
    user = factories.user(["agent"])
    client.login(user.username)
    response = client.get("/admin/users", headers={"HX-Request": "true"})
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "<html" not in html and "error-card" in html


def test_server_error_page(client, factories, monkeypatch):
    user = factories.user(["agent"])
    client.login(user.username)

    def boom(user):
        raise RuntimeError("boom-internal-detail")

    monkeypatch.setattr("portal.core.inbox.items_for", boom)
    response = client.get("/")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Terjadi kesalahan" in html
    assert "boom-internal-detail" not in html
    fragment = client.get("/", headers={"HX-Request": "true"})
    assert fragment.status_code == 500 and "<html" not in fragment.get_data(as_text=True)


def test_home_page_lists_what_waits_and_is_empty_today(client, factories):
    user = factories.user(["agent"])
    client.login(user.username)
    html = client.get("/").get_data(as_text=True)
    assert 'id="inbox-title"' in html and 'class="empty"' in html


def test_inbox_providers_fill_the_home_page(app, client, factories):
    """A module plugs a home-page provider in through its declaration."""
    from portal.core import inbox
    from portal.core.modules import Module

    def reading(user):
        return [inbox.InboxItem(title="Baca IN.OCC.TELK.P-10 rev 03", url="/")]

    modules = app.extensions["portal_modules"]
    modules.append(Module(name="test_inbox", inbox=lambda: [reading]))
    try:
        user = factories.user(["agent"])
        client.login(user.username)
        assert "Baca IN.OCC.TELK.P-10 rev 03" in client.get("/").get_data(as_text=True)
    finally:
        modules.pop()


def test_request_log_is_structured(app, client, caplog):
    import json
    import logging

    records = []

    class Grab(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Grab()
    access = logging.getLogger("portal.access")
    level = access.level
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    try:
        client.get("/healthz")
    finally:
        access.removeHandler(handler)
        access.setLevel(level)
    fields = records[-1].fields
    assert fields["path"] == "/healthz" and fields["status"] == 200 and fields["method"] == "GET"
    from portal.core.logging import JsonFormatter

    assert json.loads(JsonFormatter().format(records[-1]))["status"] == 200


def test_healthz_reports_a_broken_database(app, client, monkeypatch):
    from portal.extensions import db

    def broken(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(db.session, "execute", broken, raising=False)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json()["database"] == "unreachable"

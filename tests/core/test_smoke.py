def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_login_page_is_indonesian_by_default(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="id">' in html


def test_factory_user_can_sign_in(client, factories):
    user = factories.user(["tl"])
    response = client.login(user.username)
    assert response.status_code == 303
    assert client.get("/").status_code == 200


def test_favicon_ico_is_the_portal_icon_without_signing_in(client):
    """Browsers ask for /favicon.ico on a JSON or PDF answer; a 404 there shows as a console error."""
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data

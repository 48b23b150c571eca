"""Browser journeys: a live server on its own demo database, driven by Playwright in Debian's Chromium.

Playwright's own browser download does not work on these machines; `make test` installs Debian's
`chromium` and the tests launch it through `executable_path`.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db
from tests.conftest import database_url, test_config

CHROMIUM = os.environ.get("PORTAL_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).parent / "vendor" / "axe-4.11.0.min.js"
DEMO_PASSWORD = "portal-demo"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "id-ID", "timezone_id": "Asia/Jakarta"}


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The portal served on a free local port with the demo data (users per role and the seed documents)."""
    tmp = tmp_path_factory.mktemp("browser")
    config = test_config(database_url(tmp, "browser"), tmp)
    config.update({"WTF_CSRF_ENABLED": True, "TESTING": False, "PORTAL_DEMO": True,
                   "SESSION_COOKIE_SECURE": False})
    app = create_app(config)
    with app.app_context():
        upgrade()
        from portal.cli import load_demo

        load_demo()
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.app = app
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server.url


@pytest.fixture
def axe_page(browser):
    """A page whose Content-Security-Policy lets the test inject axe-core (the app's own pages never need that)."""
    context = browser.new_context(locale="id-ID", bypass_csp=True)
    yield context.new_page()
    context.close()


def login(page, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base_url}/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)


def logout(page) -> None:
    page.locator("details.usermenu summary").click()
    page.get_by_test_id("logout").click()


def axe_violations(page) -> list[dict]:
    """Serious and critical axe-core violations on the current page."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]

"""Apps with a database and instance of their own, for tests that need real commits or drop triggers."""
from __future__ import annotations

import os

import pytest
from flask_migrate import upgrade

from portal import create_app
from portal.extensions import db
from tests.conftest import PortalClient, database_url, test_config


@pytest.fixture
def fresh_app(tmp_path):
    """make(suffix, migrate=True, **config) -> a new app on a new empty database (<base>_portal_<suffix>)."""
    apps = []

    def make(suffix: str = "fresh", *, migrate: bool = True, revision: str = "head", **overrides):
        url = database_url(tmp_path, suffix)
        instance = tmp_path / f"instance_{suffix}"
        previous = os.environ.get("PORTAL_INSTANCE")
        os.environ["PORTAL_INSTANCE"] = str(instance)
        try:
            config = test_config(url, instance)
            config.update(overrides)
            app = create_app(config)
        finally:
            if previous is None:
                os.environ.pop("PORTAL_INSTANCE", None)
            else:
                os.environ["PORTAL_INSTANCE"] = previous
        app.test_client_class = PortalClient
        apps.append(app)
        if migrate:
            with app.app_context():
                upgrade(revision=revision)
                db.session.remove()
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()

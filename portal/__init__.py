"""Portal Mutu: the ISO 9001 quality portal of a contact-center operator."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the application; `config` overrides settings read from the environment."""
    from portal.config import Config

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=os.environ.get("PORTAL_INSTANCE") or str(ROOT / "instance"),
    )
    app.config.from_mapping(Config().as_dict())
    if config:
        app.config.from_mapping(config)
    _finish_config(app)

    from portal.core import logging as portal_logging

    portal_logging.configure(app)
    from portal.core import audit

    audit.init_app(app)  # the HMAC key of the audit trail (required in production; created in demo/test mode)
    _init_extensions(app)
    from portal.core import files, fragments, jobs, modules  # noqa: F401 (fragments: its table in the metadata)

    jobs.init_app(app)
    fragments.init_app(app)
    files.init_app(app)
    modules.load(app, app.config["PORTAL_MODULES"])
    _register_hooks(app)
    from portal.core.security import TrustedProxies

    app.wsgi_app = TrustedProxies(app)  # X-Forwarded-For only from the PROXY_COUNT proxies in front

    from portal.core import errors

    errors.register(app)
    from portal import cli

    cli.register(app)
    from portal.core import unit

    unit.init_app(app)  # last: the request's one commit runs after every other hook
    return app


def _finish_config(app: Flask) -> None:
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'portal.db'}"
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://") or uri.startswith("postgresql://"):
        # psycopg 3 is the driver.
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri.split("://", 1)[1]
    if not app.config.get("PORTAL_SEEDS"):
        # The five real documents the register starts from, bundled with the code (copied from shared/seeds).
        app.config["PORTAL_SEEDS"] = str(ROOT / "portal" / "seeds")
    if not app.config.get("DOCUMENTS_FOLDER"):
        app.config["DOCUMENTS_FOLDER"] = str(ROOT / "documents")
    if not app.config.get("SECRET_KEY"):
        key_file = Path(app.instance_path) / "secret_key"
        if app.config.get("PORTAL_DEMO") or app.debug or app.testing or key_file.exists():
            if not key_file.exists():
                import secrets

                key_file.write_text(secrets.token_hex(32))
                key_file.chmod(0o600)
            app.config["SECRET_KEY"] = key_file.read_text().strip()
        else:
            raise RuntimeError("SECRET_KEY must be set in production (see README).")
    if len(app.config["SECRET_KEY"].encode()) < 32:
        raise RuntimeError("SECRET_KEY must be at least 32 bytes (e.g. python3 -c 'import secrets; print(secrets.token_hex(32))').")


def _init_extensions(app: Flask) -> None:
    from portal.core import i18n
    from portal.extensions import babel, csrf, db, htmx, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=i18n.get_locale, timezone_selector=i18n.get_timezone,
                   default_translation_directories=str(ROOT / "translations"))
    i18n.register(app)
    from portal.core import storage

    storage.init_app(app)

    from portal.auth import sessions

    sessions.init_login(app, login_manager)


def _register_hooks(app: Flask) -> None:
    from portal.core import actions, htmx, navigation, permissions, security

    app.before_request(permissions.deny_undeclared)
    app.after_request(security.add_security_headers)
    app.after_request(htmx.redirect_for_htmx)
    navigation.register(app)
    actions.init_app(app)

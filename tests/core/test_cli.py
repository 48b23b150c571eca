"""`flask demo load`, `flask audit verify`, migrations against the models."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from portal.auth.models import Service, Site, User
from portal.extensions import db

DEMO_USERS = "admin qmr dc manager spv tl agent qco qa trainer hr auditor".split()


def test_demo_load_creates_one_user_per_role(app, client):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    users = {u.username: u for u in db.session.scalars(select(User))}
    for name in DEMO_USERS:
        assert users[name].roles == [name]
        assert client.login(name, "portal-demo").status_code == 303
        client.logout()
    assert {s.name for s in db.session.scalars(select(Service))} >= {
        "147", "108", "Social Media TelkomCare", "TAM Add-On Consumer", "TAM WiFi & Add-On Digital", "TAM CT-0 PraNPC"}
    sites = {s.name for s in db.session.scalars(select(Site))}
    assert {"Malang", "Bandung", "Semarang", "Bogor", "Medan", "Tangerang", "Makassar"} <= sites
    assert db.session.scalar(select(Site).where(Site.code == "MKS")).timezone == "Asia/Makassar"


def test_demo_load_twice_changes_nothing(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["demo", "load"])
    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0 and "nothing changed" in again.output


def test_demo_load_refuses_without_demo_mode(app):
    app.config["PORTAL_DEMO"] = False
    try:
        result = app.test_cli_runner().invoke(args=["demo", "load"])
        assert result.exit_code == 2 and "Refused" in result.output
        assert db.session.scalar(select(User).where(User.username == "admin")) is None
    finally:
        app.config["PORTAL_DEMO"] = True


def test_audit_verify_on_a_fresh_trail(app):
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "OK" in result.output


def test_migrations_match_the_models(app):
    from portal.documents.search import SEARCH_TABLES

    def include_name(name, type_, parents):
        return not (type_ == "table" and name and name.startswith(SEARCH_TABLES))

    context = MigrationContext.configure(db.session.connection(), opts={"compare_type": True, "include_name": include_name})
    assert compare_metadata(context, db.metadata) == []


def test_production_refuses_to_start_without_secret_key(tmp_path, monkeypatch):
    import pytest

    from portal import create_app

    monkeypatch.setenv("PORTAL_INSTANCE", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("PORTAL_DEMO", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})

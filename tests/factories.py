"""Factories with defaults; pass **overrides for what a test cares about."""
from __future__ import annotations

import itertools
from functools import lru_cache

import pytest
from sqlalchemy import select

from portal.auth.models import Service, Site, User
from portal.extensions import db

_seq = itertools.count(1)
TEST_PASSWORD = "correct-horse-battery"


@lru_cache(maxsize=8)
def _hash(password: str) -> str:
    from werkzeug.security import generate_password_hash

    return generate_password_hash(password, method="scrypt")


def make_site(**overrides) -> Site:
    n = next(_seq)
    site = Site(code=overrides.pop("code", f"S{n}"), name=overrides.pop("name", f"Site {n}"),
                timezone=overrides.pop("timezone", "Asia/Jakarta"), **overrides)
    db.session.add(site)
    db.session.flush()
    return site


def make_service(**overrides) -> Service:
    n = next(_seq)
    service = Service(code=overrides.pop("code", f"SV{n}"), name=overrides.pop("name", f"Service {n}"),
                      direction=overrides.pop("direction", "inbound"), **overrides)
    db.session.add(service)
    db.session.flush()
    return service


def make_user(roles: list[str] | None = None, password: str = TEST_PASSWORD, **overrides) -> User:
    n = next(_seq)
    site = overrides.pop("site", None) or db.session.scalar(select(Site).limit(1)) or make_site()
    services = overrides.pop("services", [])
    user = User(
        username=overrides.pop("username", f"user{n}"),
        full_name=overrides.pop("full_name", f"Test User {n}"),
        password_hash=_hash(password),
        site=site,
        **overrides,
    )
    user.set_roles(roles or ["agent"])
    user.services = list(services)
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def factories(app):
    class F:
        site = staticmethod(make_site)
        service = staticmethod(make_service)
        user = staticmethod(make_user)

    return F

"""Actions a higher module offers on a lower module's page, without the lower module knowing it.

A page of module A (say coaching's finding page) shows ``object_actions("coaching.finding", finding)``; a module
above it (capa) registers ``actions.register("coaching.finding", fn)`` where ``fn(obj, user)`` returns
``[(label, url), ...]`` — e.g. "Open nonconformity" for a user who may raise one. Providers decide from the object
and the user's permissions only: no SQL, so a list of rows may ask once per row.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import has_request_context
from flask_login import current_user

Provider = Callable[[Any, Any], list[tuple[str, str]]]
_providers: dict[str, list[Provider]] = {}


def register(kind: str, provider: Provider) -> None:
    """Offer actions on objects of `kind` (the name the page uses, e.g. "coaching.finding"). Registering the same
    provider again (a second app in one process, as the tests make) changes nothing."""
    found = _providers.setdefault(kind, [])
    if provider not in found:
        found.append(provider)


def for_object(kind: str, obj: Any, user: Any = None) -> list[tuple[str, str]]:
    """The (label, url) actions offered on `obj` to `user` (the signed-in user by default)."""
    if user is None:
        user = current_user._get_current_object() if has_request_context() else None
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    out: list[tuple[str, str]] = []
    for provider in _providers.get(kind, ()):
        out.extend(provider(obj, user))
    return out


def init_app(app) -> None:
    app.jinja_env.globals["object_actions"] = for_object

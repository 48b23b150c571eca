"""What waits for each user on the home page; each module's providers are collected here."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass
class InboxItem:
    title: str
    url: str
    detail: str = ""
    due: str = ""
    kind: str = ""


_providers: dict[str, list[Callable]] = {}


def provider(func: Callable) -> Callable:
    """Mark a function(user) -> list[InboxItem] as a home-page provider of the Python module it is defined in."""
    found = _providers.setdefault(func.__module__, [])
    if all(f.__name__ != func.__name__ for f in found):
        found.append(func)
    return func


def providers_of(python_module: str) -> list[Callable]:
    """The providers defined in one Python module (a portal module lists its own with this)."""
    import importlib

    importlib.import_module(python_module)
    return list(_providers.get(python_module, []))


def items_for(user) -> list[InboxItem]:
    """Everything that waits for this user, from every enabled module."""
    from portal.core import modules

    out: list[InboxItem] = []
    for func in modules.inbox_providers():
        out.extend(func(user))
    return out

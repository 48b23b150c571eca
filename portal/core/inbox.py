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


@dataclass
class Counts:
    """What a provider returns to have its numbers counted together with the other providers' in one statement:
    `columns` are scalar SELECTs (one row, one value each); `items(values)` turns their values into home-page items."""
    columns: list
    items: Callable[[tuple], list[InboxItem]]


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

    slots: list = []
    counts: list[Counts] = []
    for func in modules.inbox_providers():
        found = func(user)
        if isinstance(found, Counts):
            counts.append(found)
        slots.append(found)
    values: dict[int, tuple] = {}
    if counts:  # every provider's numbers in one SELECT of scalar subqueries
        from sqlalchemy import select

        from portal.extensions import db

        row = db.session.execute(select(*[c.scalar_subquery() for found in counts for c in found.columns])).one()
        at = 0
        for found in counts:
            values[id(found)] = tuple(row[at:at + len(found.columns)])
            at += len(found.columns)
    out: list[InboxItem] = []
    for found in slots:
        out.extend(found.items(values[id(found)]) if isinstance(found, Counts) else found)
    return out

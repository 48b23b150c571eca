"""What waits for each user on the home page; each module's providers are collected here."""
from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


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
    `columns` are scalar SELECTs (one row, one value each); `items(values)` turns their values into home-page items.

    Building a SELECT costs more than SQLite takes to run it, and every signed-in person's first page is the home page.
    So a provider builds its columns once per shape, with the user's values as bound parameters (`params`), and names
    the shape with `key` (a hashable of the provider and whatever chose the columns — permissions, never values):
    the same key must always come with the same column objects (e.g. from a `functools.cache` builder). When every
    provider of a page gives a key, the combined statement is built once per combination of keys too. Name the
    parameters after the provider (`tapping_user_id`): every provider's parameters go to one statement."""
    columns: list
    items: Callable[[tuple], list[InboxItem]]
    params: dict = field(default_factory=dict)
    key: Hashable | None = None


def kept_counts(area: str, key: Hashable, columns: list, params: dict | None = None) -> tuple:
    """The values of scalar count SELECTs computed from one area's tables alone (core/fragments.py), kept while the
    area is unchanged: one statement when it changed since a page asked, none otherwise. `key` names the columns'
    shape and every value the counts depend on (the day, the user's scope); `columns` come from a builder that is
    built once per shape, as for `Counts`. For numbers of tables that change every few seconds use `Counts`."""
    from sqlalchemy import select

    from portal.core import fragments
    from portal.core.db import core_execute

    return fragments.memo(area, key, lambda: tuple(
        core_execute(select(*[c.scalar_subquery() for c in columns]), params).one()))


def rows_column(stmt):
    """A scalar SELECT whose one value is the rows of `stmt` (a SELECT of columns, limited) as one JSON array of
    arrays: a provider whose home-page lines are a few rows gives this as a `Counts` column, so that its rows come
    with every other provider's numbers in the one combined statement instead of a round trip of their own (on
    PostgreSQL each statement is a round trip, which cost the tl, spv and qa home pages more than their SQL).
    `json_rows(value)` reads the value back; dates come as ISO strings, the order is not kept (sort in Python)."""
    from sqlalchemy import select

    sub = stmt.subquery()
    return select(_JsonRows(*sub.c)).select_from(sub)


def json_rows(value) -> list[list]:
    """The rows of a `rows_column` value: psycopg parses JSON itself, SQLite gives the text (and PostgreSQL NULL for
    no rows)."""
    import json

    if value is None:
        return []
    return value if isinstance(value, list) else json.loads(value)


class _JsonRows(FunctionElement):
    """json_agg / json_group_array of one JSON array per row (the given columns): `rows_column`."""
    inherit_cache = True
    name = "json_rows"


@compiles(_JsonRows, "postgresql")
def _json_rows_postgresql(element, compiler, **kw):
    return f"json_agg(json_build_array({compiler.process(element.clauses, **kw)}))"


@compiles(_JsonRows)
def _json_rows_sqlite(element, compiler, **kw):
    return f"json_group_array(json_array({compiler.process(element.clauses, **kw)}))"


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

    # The user object, not Flask-Login's `current_user` proxy: the providers ask it dozens of questions, and each
    # through the proxy walks the request context (≈ 80 walks a home page).
    user = getattr(user, "_get_current_object", lambda: user)()
    slots: list = []
    counts: list[Counts] = []
    for func in modules.inbox_providers():
        found = func(user)
        if isinstance(found, Counts):
            counts.append(found)
        slots.append(found)
    values: dict[int, tuple] = {}
    if counts:  # every provider's numbers in one SELECT of scalar subqueries
        from portal.core.db import constants_inline, core_execute

        params: dict = {}
        for found in counts:
            params.update(found.params)
        keys = tuple(found.key for found in counts)
        if None in keys:
            stmt = _combined(counts)
        else:
            stmt = _statements.get(keys)
            if stmt is None:
                # On PostgreSQL its constants go in its SQL text, or its generic plan looked dearer than planning
                # it afresh on every request (core.db.constants_inline).
                stmt = _statements[keys] = constants_inline(_combined(counts))
        row = core_execute(stmt, params).one()
        at = 0
        for found in counts:
            values[id(found)] = tuple(row[at:at + len(found.columns)])
            at += len(found.columns)
    out: list[InboxItem] = []
    for found in slots:
        out.extend(found.items(values[id(found)]) if isinstance(found, Counts) else found)
    return out


# The combined statement of each combination of provider shapes seen (a handful per role set; pure: nothing to
# invalidate, the values are parameters).
_statements: dict[tuple, object] = {}


def _combined(counts: list[Counts]):
    from sqlalchemy import select

    return select(*[c.scalar_subquery() for found in counts for c in found.columns])

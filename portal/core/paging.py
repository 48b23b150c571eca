"""Paging by key: "next" and "previous" that cost the same on the last page as on the first, whatever the rows.

A list is ordered by a few columns that together are unique (e.g. period desc, id desc). A page link carries the
key of the row it continues from (``after=`` for the next page, ``before=`` for the previous one) instead of an
OFFSET that the database would have to count through. Keys are the column values joined by ``~``; a key that
does not parse is ignored (the first page), never an error.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, literal_column, select, tuple_

from portal.core.urls import DB_INT_MAX
from portal.core.db import constants_inline, core_execute
from portal.extensions import db

SEP = "~"


@dataclass
class Page:
    rows: list
    next_key: str | None  # the `after=` of the next page (None: this is the last)
    prev_key: str | None  # the `before=` of the previous page (None: this is the first)


def _parse(raw: str, kinds: Sequence[type]) -> tuple | None:
    parts = raw.split(SEP)
    if len(parts) != len(kinds) or len(raw) > 200:
        return None
    values: list[Any] = []
    try:
        for part, kind in zip(parts, kinds):
            if kind is int:
                value = int(part)
                if not -DB_INT_MAX <= value <= DB_INT_MAX:
                    return None
            elif kind is date:
                value = date.fromisoformat(part)
            elif kind is datetime:
                value = datetime.fromisoformat(part)
            else:
                value = part
            values.append(value)
    except ValueError:
        return None
    return tuple(values)


def _format(values: Sequence[Any]) -> str:
    return SEP.join(v.isoformat() if isinstance(v, (date, datetime)) else str(v) for v in values)


# Statements built once per shape: (shape, what) → statement. A list that passes `shape` promises that the same
# shape always means the same statement (its values are bound parameters, passed in `params`): building a SELECT
# and working out its cache key cost more than running it on SQLite.
_shaped: dict[tuple, Select] = {}


def _once(shape, what: tuple, make: Callable[[], Select], inline: bool = True) -> Select:
    if shape is None:
        return make()
    key = (shape,) + what
    found = _shaped.get(key)
    if found is None:
        if len(_shaped) > 4096:
            _shaped.clear()
        # Its constants in the SQL text (the LIMIT above all), for PostgreSQL's generic plan: core.db.constants_inline.
        found = _shaped[key] = constants_inline(make()) if inline else make()
    return found


def by_key(stmt: Select, columns: Sequence, kinds: Sequence[type], key_of: Callable[[Any], Sequence[Any]],
           args, size: int, descending: bool = False, rows: bool = False, shape=None, params: dict | None = None) -> Page:
    """One page of `stmt` (a select of entities; with `rows`, a select of columns read as rows) ordered by `columns`
    (all ascending or all `descending`).

    `kinds` are the Python types of the columns (int, str, date, datetime), `key_of(row)` the row's values of them;
    `args` the request arguments (``after``/``before``). With `shape` (any hashable naming the statement's
    structure) and `params` (its bound values), the page's statement is built once per shape."""
    params = dict(params or {})
    fetch = (lambda s: core_execute(s, params).all()) if rows else (lambda s: list(db.session.scalars(s, params)))
    after = _parse(args.get("after") or "", kinds) if args.get("after") else None
    before = _parse(args.get("before") or "", kinds) if args.get("before") and after is None else None
    given = after if after is not None else before
    if given is not None:
        params.update({f"page_key_{i}": value for i, value in enumerate(given)})

    def bound():
        values = [bindparam(f"page_key_{i}", type_=column.type) for i, column in enumerate(columns)]
        return tuple_(*values) if len(values) > 1 else values[0]

    def row_key():
        return tuple_(*columns) if len(columns) > 1 else columns[0]

    forward = [c.desc() if descending else c.asc() for c in columns]
    backward = [c.asc() if descending else c.desc() for c in columns]
    if before is not None:
        found = fetch(_once(shape, ("before", size, descending), lambda: stmt.where(
            row_key() > bound() if descending else row_key() < bound()).order_by(*backward).limit(size + 1)))
        has_prev = len(found) > size
        found = list(reversed(found[:size]))
        has_next = True
    else:
        if after is not None:
            query = _once(shape, ("after", size, descending), lambda: stmt.where(
                row_key() < bound() if descending else row_key() > bound()).order_by(*forward).limit(size + 1))
        else:
            query = _once(shape, ("first", size, descending), lambda: stmt.order_by(*forward).limit(size + 1))
        found = fetch(query)
        has_next = len(found) > size
        found = found[:size]
        has_prev = after is not None
    if not found:
        return Page([], None, None)
    return Page(found, _format(key_of(found[-1])) if has_next else None, _format(key_of(found[0])) if has_prev else None)


def capped_count(stmt: Select, cap: int = 1000, shape=None, params: dict | None = None) -> tuple[int, bool]:
    """How many rows `stmt` has, counting at most `cap` + 1: (count, more_than_cap). A count that stops early costs
    the same with 200,000 rows as with 2,000. `shape`/`params`: as for `by_key`."""
    # The subquery selects a constant, not the statement's columns: nothing of a row is read but what the filter
    # needs (PostgreSQL counted 1,001 whole records, their content included).
    def make() -> Select:
        inner = stmt.order_by(None).with_only_columns(literal_column("1"), maintain_column_froms=True).limit(cap + 1)
        return select(func.count()).select_from(inner.subquery())

    # Its LIMIT stays a parameter: PostgreSQL kept the generic plan of the count with `LIMIT $5` and planned
    # `LIMIT 1001` afresh on every request (the records list, 3,000 documents), though both plans cost the same.
    n = core_execute(_once(shape, ("count", cap), make, inline=False), params).scalar()
    return (min(n, cap), n > cap)

"""Shared page fragments: the part of a page that is the same for everyone with the same permissions, rendered once
and served again until the data it shows changes.

At 07:00 hundreds of agents open the same SOP; each page load ran six statements and rendered the whole paper
(sections, tables, signatures, change log) for the same HTML. A fragment is cached under

- its **area's generation token**, read from the database on each request (`cache_generation`, one row per area).
  Triggers on the area's tables replace the token with a random number on every INSERT, UPDATE or DELETE — made by the
  portal, a bulk statement, a migration or by hand in psql — in the writing transaction itself. A token is never
  reused (a rolled-back change's token is lost with it), so a fragment cached under one can be served only while
  the data is still what it was rendered from. Read the token before the data (`shared` does): if a change commits
  between the two, the fragment lands under the old token, which nobody reads any more;
- what else the HTML depends on: the view's key (the code in the address, the query string), the language, the time
  zone, today's date (overdue marks) and the user's **permissions** (buttons and links are chosen by `can()`).

Anything that belongs to one person is not in the fragment: CSRF tokens are rendered as a placeholder and replaced
on the way out (`finish`), and per-user pieces (the "I have read it" card) are spliced in by the view at a marker.

The store is a bounded LRU in the worker's memory: it holds no state of its own (a miss renders again, two servers
each keep their own copy and both check the same tokens in the shared database), so it need not be shared.
`FRAGMENT_CACHE_BYTES` (default 32 MB per worker; 0 turns it off) bounds it.

Add an area: a row and triggers in a migration (see f1c3a9d2e6b7), its tables in AREAS below.
"""
from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable, TypeVar

from flask import current_app, g, has_app_context, has_request_context, make_response, render_template, request
from flask_login import current_user
from jinja2_fragments.flask import render_block
from markupsafe import Markup
from sqlalchemy import BigInteger, Column, String, event, select
from sqlalchemy.engine import Engine

from portal.core.db import core_execute
from portal.extensions import db

# The tables whose changes make a fragment of the area stale (the triggers of migration f1c3a9d2e6b7).
AREAS = {
    "documents": ("document", "revision", "signature", "document_link", "record_type", "document_service",
                  "document_site", "site", "service"),
    "people": ("staff", "staff_contract"),  # migration b7e2d4f9a1c3
    # A new or deleted record, a change of a column the records list filters on or shows, a person's new name
    # (migration c3e9a7f2b5d1): an autosave (content, row version) leaves the token, and the list, as they were.
    "records": ("record", "user_account"),
}

cache_generation = db.Table(
    "cache_generation",
    Column("name", String(40), primary_key=True),
    Column("token", BigInteger, nullable=False),
)

T = TypeVar("T")

# Stands for the user's CSRF token in a shared fragment; random per process, so no page can contain it by accident.
CSRF_PLACEHOLDER = "csrf-" + secrets.token_hex(16)
FLASH_PLACEHOLDER = "<!--flashes-" + secrets.token_hex(8) + "-->"


@dataclass
class Entry:
    html: str
    meta: dict = field(default_factory=dict)
    size: int = 0


class _Store:
    """A least-recently-used map bounded by the size of the HTML it holds."""

    def __init__(self) -> None:
        self.entries: OrderedDict[tuple, Entry] = OrderedDict()
        self.bytes = 0
        self.lock = threading.Lock()

    def get(self, key: tuple) -> Entry | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: Entry, limit: int) -> None:
        entry.size = len(entry.html) + 200
        if entry.size > limit // 4:
            return
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.bytes -= old.size
            self.entries[key] = entry
            self.bytes += entry.size
            while self.bytes > limit and self.entries:
                _key, dropped = self.entries.popitem(last=False)
                self.bytes -= dropped.size

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.bytes = 0


_store = _Store()


def clear() -> None:
    """Forget every fragment and value of this process (tests; never needed for correctness)."""
    _store.clear()
    _values.clear()


_TOKENS = select(cache_generation.c.name, cache_generation.c.token)


def _forget_tokens_on_write(conn, cursor, statement, parameters, context, executemany) -> None:
    """A request that writes reads the tokens again afterwards (its writes fired the triggers): never a token older
    than the data it then reads (a test, a command or a job writing and reading in one application context)."""
    if statement[:6].upper() in ("INSERT", "UPDATE", "DELETE") and has_app_context():
        g.pop("_fragment_tokens", None)


event.listen(Engine, "after_cursor_execute", _forget_tokens_on_write)


def token_columns() -> list:
    """Every area's token as a labelled scalar subquery, to read with a statement every request runs anyway (the
    session lookup, auth.services.find_session): then `remember_tokens` saves the `tokens()` statement — a round trip
    on PostgreSQL. Read before the data, as `tokens()` is."""
    return [select(cache_generation.c.token).where(cache_generation.c.name == area).scalar_subquery()
            .label(f"cache_token_{area}") for area in AREAS]


def remember_tokens(values) -> None:
    """The tokens read by `token_columns()`, in the order of AREAS (a missing area, None, is read by `tokens()`)."""
    if has_request_context() and None not in values:
        g._fragment_tokens = dict(zip(AREAS, values))


def tokens() -> dict[str, int]:
    """Every area's generation token, read once per request (one statement for all areas) and again after a write."""
    found = g.get("_fragment_tokens")
    if found is None:
        found = g._fragment_tokens = dict(core_execute(_TOKENS).all())
    return found


def _limit() -> int:
    return int(current_app.config.get("FRAGMENT_CACHE_BYTES", 32 * 1024 * 1024))


def _context_key() -> tuple:
    from portal.core.i18n import get_locale, get_timezone_name, local_today

    user = current_user
    permissions = user.permissions if user.is_authenticated else None
    return (str(get_locale()), get_timezone_name(), local_today(), permissions, request.script_root)


def shared(name: str, area: str, key: tuple, build: Callable[[], tuple[str, dict]]) -> Entry:
    """The fragment `name` for `key`: from the cache while the area's data is unchanged, else built (`build()` returns
    the HTML, rendered with `render_shared`, and a dict of facts the view needs on a hit) and kept.

    Only GET (and HEAD) requests use the cache — they do not write the areas' tables, so the token read once per
    request stays the one of the data they read; anything else builds afresh."""
    limit = _limit()
    if limit <= 0 or request.method not in ("GET", "HEAD") or db.session.new or db.session.dirty or db.session.deleted:
        html, meta = build()
        return Entry(html, meta)
    token = tokens().get(area)  # before the data (see the module's note)
    if token is None:
        html, meta = build()
        return Entry(html, meta)
    full_key = (name, area, token, key) + _context_key()
    entry = _store.get(full_key)
    if entry is None:
        html, meta = build()
        entry = Entry(html, meta)
        _store.put(full_key, entry, limit)
        g._fragment_misses = g.get("_fragment_misses", 0) + 1
    else:
        g._fragment_hits = g.get("_fragment_hits", 0) + 1
    return entry


_values: dict[tuple, object] = {}
_VALUES_MAX = 1024


def memo(area: str, key: tuple, compute: Callable[[], T]) -> T:
    """A value computed from the area's data (the forms in force, the list of sites), kept by the worker until the
    area's token changes — the same rule as `shared`. The value must be immutable (tuples, frozensets, named tuples
    of plain values; never ORM objects, which belong to one request's session)."""
    if (not has_request_context() or _limit() <= 0 or request.method not in ("GET", "HEAD") or db.session.new
            or db.session.dirty or db.session.deleted):
        return compute()
    token = tokens().get(area)  # before the data
    if token is None:
        return compute()
    full_key = (area, token, key)
    try:
        return _values[full_key]  # type: ignore[return-value]
    except KeyError:
        pass
    value = compute()
    if len(_values) >= _VALUES_MAX:
        _values.clear()
    _values[full_key] = value
    return value


class _PlaceholderToken:
    """While a shared fragment renders, every CSRF token in it (csrf_token(), a form's hidden field) is the placeholder,
    and the flashed messages (`page_header` shows them) are a marker: they are this reader's, shown once."""

    def __enter__(self):
        self.saved = g.pop("csrf_token", None)
        g.csrf_token = CSRF_PLACEHOLDER
        self.was_shared = g.get("_shared_fragment", False)
        g._shared_fragment = True
        return self

    def __exit__(self, *exc):
        g.pop("csrf_token", None)
        if self.saved is not None:
            g.csrf_token = self.saved
        g._shared_fragment = self.was_shared
        return False


def flash_slot() -> Markup:
    """In a shared fragment, where the reader's flashed messages go (templates/_macros/ui.html: flashes); else ""."""
    return Markup(FLASH_PLACEHOLDER) if g.get("_shared_fragment") else Markup("")


def _flashes_html() -> str:
    template = current_app.extensions.get("portal_flashes_template")
    if template is None:
        template = current_app.extensions["portal_flashes_template"] = current_app.jinja_env.from_string(
            '{% from "_macros/ui.html" import flashes %}{{ flashes() }}')
    return template.render()


def placeholder_tokens() -> _PlaceholderToken:
    """Build a shared fragment's context inside this (forms made here carry the placeholder as their token)."""
    return _PlaceholderToken()


def render_shared(template: str, block: str | None = None, **context) -> str:
    """Render a template (or one of its blocks) for a shared fragment: CSRF tokens as the placeholder."""
    with placeholder_tokens():
        if block is None:
            return render_template(template, **context)
        return render_block(template, block, **context)


def finish(html: str) -> Markup:
    """The fragment as this user gets it: their CSRF token and flashed messages in place of the placeholders."""
    if CSRF_PLACEHOLDER in html:
        from flask_wtf.csrf import generate_csrf

        html = html.replace(CSRF_PLACEHOLDER, generate_csrf())
    if FLASH_PLACEHOLDER in html:
        html = html.replace(FLASH_PLACEHOLDER, _flashes_html(), 1).replace(FLASH_PLACEHOLDER, "")
    return Markup(html)


def init_app(app) -> None:
    app.jinja_env.globals["flash_slot"] = flash_slot


def wants_fragment() -> bool:
    from portal.core.htmx import wants_fragment as wanted

    return wanted()


def respond(body: str, title: str, status: int = 200):
    """The page around a (finished) body: the whole page, or the body alone for an htmx request that swaps part of
    a page — as `core.htmx.render` does."""
    if wants_fragment():
        response = make_response(body, status)
    else:
        response = make_response(render_template("_fragment_page.html", body=Markup(body), title=title), status)
    response.vary.add("HX-Request")
    return response

"""Rendered PDFs, rendered once per content and kept in the documents store.

A page that hands out a PDF computes the PDF's *cache key*: a hash of everything the paper shows (the content hash,
the status that decides the "not in force" mark, the copy, the language). When a PDF with that key was rendered
before, it is served from the store at once. Otherwise `prepare` enqueues one `printing.render` job for that key
(however many people ask at the same time: the job's dedupe key is the cache key) and the page shows its progress;
the same address serves the file once it is ready. Nothing is ever served stale: a change to what the paper shows
is a new key.

A module registers, per printable kind, a renderer: ``render(object_id, ticket, **options) -> (pdf bytes,
register kwargs)``; the kwargs are those of `printing.services.register` (audit action, object, fields), and
optionally ``superseded() -> SELECT of cache keys`` whose PDFs can never be asked for again (a record's draft
saved since it was printed: its key holds the record's row_version).

Pruning (`prune`, the daily `printing.prune_cache` job): a PDF is removed from the store when nobody has used it for
PDF_CACHE_KEEP_DAYS days (rendered or downloaded: the printout's time and its `printout.served` events; a report
kept without printouts, by the time its file was written) and at once when its kind calls it superseded. Its
printouts stay in the register (a printed copy is still verified); their cache_key is cleared. Removing a file is
never wrong, only slower: the next request renders it again.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from datetime import datetime, timedelta

from flask import current_app, has_request_context, request
from flask_babel import force_locale, get_locale
from sqlalchemy import Integer, Select, cast, select, update

from portal.auth.models import User
from portal.core import audit, jobs
from portal.core.db import utcnow
from portal.core.storage import store
from portal.core.unit import begin_writing
from portal.extensions import db
from portal.printing import services as printing
from portal.printing.models import Printout

TASK = "printing.render"
Renderer = Callable[..., tuple[bytes, dict | None]]
_renderers: dict[str, Renderer] = {}
_unregistered: set[str] = set()
_superseded: dict[str, Callable[[], Select]] = {}


def register_renderer(kind: str, render: Renderer, printout: bool = True,
                      superseded: Callable[[], Select] | None = None) -> None:
    """Register how PDFs of `kind` are rendered in the background. printout=False: a report without a QR code and
    no printout row (the renderer returns (pdf, None)); the file in the store is the cache. `superseded`: a SELECT
    of the cache keys of this kind that will never be asked for again (pruned without waiting)."""
    _renderers[kind] = render
    if superseded is not None:
        _superseded[kind] = superseded
    if printout:
        _unregistered.discard(kind)
    else:
        _unregistered.add(kind)


class _Report:
    """What `cached` answers for a kind without printouts: the file is there."""
    token = ""


def cache_key(kind: str, *parts: Any) -> str:
    """The key of a PDF: a SHA-256 of the kind, what the paper shows (`parts`) and the language."""
    payload = json.dumps([kind, str(get_locale() or ""), *parts], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def store_key(key: str) -> str:
    return f"cache/pdf/{key[:2]}/{key}.pdf"


def cached(key: str, kind: str | None = None) -> Printout | _Report | None:
    """The printout whose PDF has this key, if its file is in the store (for a kind without printouts: a marker)."""
    if kind in _unregistered:
        return _Report() if store().exists(store_key(key)) else None
    printout = db.session.scalar(select(Printout).where(Printout.cache_key == key).order_by(Printout.id.desc()).limit(1))
    if printout is None or not store().exists(store_key(key)):
        return None
    return printout


def prepare(kind: str, object_id: int, key: str, user_id: int | None, **options) -> jobs.Job:
    """The render job for this key: the one queued or running, else a new one (dispatched after the commit;
    the inline backend of the tests renders before this returns)."""
    if kind not in _renderers:
        raise ValueError(f"no renderer for printable kind {kind!r}")
    dedupe = f"pdf:{key}"
    existing = db.session.scalar(select(jobs.Job).where(jobs.Job.dedupe_key == dedupe))
    if existing is not None and existing.status in (jobs.QUEUED, jobs.RUNNING):
        return existing  # someone asked for this PDF already: follow that job (nothing written)
    begin_writing()
    existing = db.session.scalar(select(jobs.Job).where(jobs.Job.dedupe_key == dedupe))
    if existing is not None and existing.status in (jobs.QUEUED, jobs.RUNNING):
        return existing
    if existing is not None:  # done (its file has gone since) or failed: a fresh job, the old one kept as history
        db.session.execute(update(jobs.Job).where(jobs.Job.id == existing.id).values(dedupe_key=None),
                           execution_options={"synchronize_session": False})
    base_url = current_app.config.get("PORTAL_BASE_URL") or (request.host_url if has_request_context() else None)
    return jobs.enqueue(TASK, user_id=user_id, dedupe_key=dedupe, kind=kind, object_id=object_id, key=key,
                        locale=str(get_locale() or "id"), base_url=base_url, options=options)


def serve(kind: str, object_id: int, key: str, download_name: str, on_serve: Callable[[], None] | None = None,
          attachment: bool = False, **options):
    """The answer to a PDF address: the cached file (its download audited), or a page that follows its rendering
    and opens the PDF when it is ready. `on_serve` writes the audit event of a kind without printouts."""
    from flask import url_for
    from flask_login import current_user

    from portal.core import audit
    from portal.core.htmx import render as render_page

    printout = cached(key, kind)
    if printout is None:
        job = prepare(kind, object_id, key, current_user.id if current_user.is_authenticated else None, **options)
        printout = cached(key, kind)  # the inline backend (tests) has rendered it already
        if printout is None:
            here = request.full_path.rstrip("?")
            return render_page("printing/preparing.html", job=job, name=download_name, here=here,
                               poll=url_for("printing.pdf_progress", job_id=job.id, next=here), status=202)
    begin_writing()
    if isinstance(printout, Printout):
        audit.record("printout.served", ("printout", printout.id), new={"token": printout.token, "kind": kind})
    elif on_serve is not None:
        on_serve()
    return send(key, printout, download_name, attachment)


def send(key: str, printout, download_name: str, attachment: bool = False):
    """The cached PDF as a response (inline, with the printout's token in a header)."""
    response = store().send(store_key(key), mimetype="application/pdf", download_name=download_name,
                            as_attachment=attachment)
    if printout.token:
        response.headers["X-Printout-Token"] = printout.token
    return response


@jobs.task(TASK)
def render(ctx, kind: str, object_id: int, key: str, locale: str = "id", base_url: str | None = None,
           options: dict | None = None) -> None:
    """Render one PDF, keep it in the store, then register its printout (with the cache key)."""
    ctx.progress(0, 3, "rendering")
    if not ctx.inline:
        # Render inside a read transaction (SQLite: BEGIN DEFERRED) so that no write lock is held while WeasyPrint
        # works; the printout is written afterwards in a short transaction of its own.
        db.session.commit()
        db.session.connection(execution_options={"sqlite_begin": "DEFERRED"})
    ticket = printing.ticket(base=base_url)
    with force_locale(locale):
        pdf, registration = _renderers[kind](object_id, ticket, **(options or {}))
    if not ctx.inline:
        db.session.commit()  # end the read; what follows writes
    ctx.progress(1, 3, "storing")
    store().put(store_key(key), pdf)
    ctx.progress(2, 3, "registering")
    if registration is None:  # a report without printouts: the file is all
        ctx.progress(3, 3, "done")
        return
    if registration.get("printed_by_id") is None:
        registration["printed_by_id"] = ctx.user_id  # who first asked for it
    actor = db.session.get(User, ctx.user_id) if ctx.user_id else None
    printing.register(ticket, kind, cache_key=key, actor=actor, **registration)
    ctx.progress(3, 3, "done")


PRUNE_TASK = "printing.prune_cache"
PRUNE_BATCH = 500


def prune(now: datetime | None = None, keep_days: int | None = None) -> dict[str, int]:
    """Remove from the store the cached PDFs unused for `keep_days` days (PDF_CACHE_KEEP_DAYS) and those of
    superseded versions; clear their printouts' cache_key; one audit event when anything went (the caller commits).
    Answers the counts: {"unused": n, "superseded": n, "reports": n}."""
    now = now or utcnow()
    keep_days = current_app.config.get("PDF_CACHE_KEEP_DAYS", 30) if keep_days is None else keep_days
    cutoff = now - timedelta(days=keep_days)
    begin_writing()
    superseded: set[str] = set()
    for query in _superseded.values():
        superseded.update(k for k in db.session.scalars(query()) if k)
    # Keys still in use: one of its printouts rendered or downloaded since the cutoff.
    served_since = (select(cast(audit.AuditEvent.object_id, Integer))
                    .where(audit.AuditEvent.action == "printout.served", audit.AuditEvent.object_type == "printout",
                           audit.AuditEvent.created_at >= cutoff))
    used = set(db.session.scalars(
        select(Printout.cache_key).where(Printout.cache_key.is_not(None))
        .where((Printout.printed_at >= cutoff) | Printout.id.in_(served_since))).all())
    kept = set(db.session.scalars(select(Printout.cache_key).where(Printout.cache_key.is_not(None)).distinct()))
    unused = (kept - used) - superseded
    superseded &= kept
    # Files with no printout (reports, or a render whose printout is not registered yet): by when they were written.
    reports = []
    for name in store().keys("cache/pdf/"):
        key = name.rsplit("/", 1)[-1].removesuffix(".pdf")
        if key not in kept:
            written = store().modified(name)
            if written is not None and written < cutoff:
                reports.append(name)
    gone = sorted(unused | superseded)
    for start in range(0, len(gone), PRUNE_BATCH):
        batch = gone[start:start + PRUNE_BATCH]
        db.session.execute(update(Printout).where(Printout.cache_key.in_(batch)).values(cache_key=None),
                           execution_options={"synchronize_session": False})
    for key in gone:
        store().delete(store_key(key))
    for name in reports:
        store().delete(name)
    counts = {"unused": len(unused), "superseded": len(superseded), "reports": len(reports)}
    if gone or reports:
        audit.record("printout.cache_pruned", None, new={**counts, "days": keep_days})
    return counts


@jobs.task(PRUNE_TASK)
def prune_task(ctx) -> None:
    counts = prune()
    ctx.progress(1, 1, ", ".join(f"{k}: {v}" for k, v in counts.items()))


jobs.schedule(f"{PRUNE_TASK}@daily", PRUNE_TASK, daily_at="03:30")

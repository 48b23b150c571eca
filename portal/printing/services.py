"""Printouts: tokens, QR codes, the register of what was printed and a registry of printable kinds.

Printing knows no domain. Each module registers its printable kinds (`documents/paper.py`, `records/paper.py`):
a kind answers what one of its printouts is worth today (`verify`). A printout is rendered first, with a token
generated up front, and registered afterwards in a short write (`register`), so no lock is held while
WeasyPrint works."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

import segno
from markupsafe import Markup
from sqlalchemy import select

from portal.core import audit
from portal.core.db import utcnow
from portal.core.unit import begin_writing
from portal.extensions import db
from portal.printing.models import Printout


def new_token() -> str:
    """A short, unguessable token (12 characters, URL-safe) for /verify/<token>."""
    return secrets.token_urlsafe(9)


@dataclass
class Verdict:
    """What a printed copy is worth today, in words for whoever scanned it."""
    printout: Printout
    valid: bool
    message: str
    label: str  # what was printed: "IN.OCC.TELK.P-10 Rev. 02"
    title: str = ""
    current_label: str = ""
    link: str = ""
    integrity_warning: str = ""


@dataclass
class PrintKind:
    """A kind of printout a module produces and can verify."""
    name: str
    verify: Callable[[Printout], Verdict]


_kinds: dict[str, PrintKind] = {}


def register_kind(name: str, verify: Callable[[Printout], Verdict]) -> None:
    """Register (or replace) a printable kind and the function that verifies its printouts."""
    _kinds[name] = PrintKind(name, verify)


def kinds() -> dict[str, PrintKind]:
    """The registered printable kinds."""
    return dict(_kinds)


@dataclass
class Ticket:
    """What a PDF is rendered with before its printout exists: the token of its QR code and the time printed."""
    token: str
    printed_at: datetime
    base: str | None = None  # the portal's address, for a PDF rendered outside a request (a job)

    @property
    def url(self) -> str:
        return verify_url(self.token, self.base)

    @property
    def qr(self) -> Markup:
        return qr_svg(self.url)


def ticket(base: str | None = None) -> Ticket:
    """A fresh token and time for a printout about to be rendered (`base`: the portal's address, outside a request)."""
    return Ticket(new_token(), utcnow(), base)


def register(ticket: Ticket, kind: str, *, audit_action: str, audit_object, audit_new: dict, actor=None,
             **fields) -> Printout:
    """Write the printout row of a rendered PDF and its audit event (call after rendering; the request commits)."""
    if kind not in _kinds:
        raise ValueError(f"unknown printable kind {kind!r}")
    begin_writing()  # on SQLite: from the read of the render to a writing transaction
    printout = Printout(token=ticket.token, kind=kind, printed_at=ticket.printed_at, **fields)
    db.session.add(printout)
    db.session.flush()
    audit.record(audit_action, audit_object, new={**audit_new, "token": printout.token}, actor=actor)
    return printout


def get(token: str) -> Printout | None:
    """The printout with this token, or None."""
    if not token or len(token) > 24:
        return None
    return db.session.scalar(select(Printout).where(Printout.token == token))


def verify(printout: Printout) -> Verdict:
    """What this printout is worth today, answered by its kind."""
    kind = _kinds.get(printout.kind)
    if kind is None:
        from flask_babel import gettext as _

        return Verdict(printout, False, _("This kind of printout is not known to the portal."), printout.document_code)
    return kind.verify(printout)


def verify_url(token: str, base: str | None = None) -> str:
    """The short link printed under the QR code (absolute: a phone scans it from paper).

    PORTAL_BASE_URL when configured (what staff type on the intranet), else the address of the request."""
    from flask import current_app, has_request_context, request

    base = (current_app.config.get("PORTAL_BASE_URL") or base
            or (request.host_url if has_request_context() else "http://127.0.0.1:5000/"))
    return base.rstrip("/") + "/verify/" + token


def qr_svg(url: str) -> Markup:
    """An inline SVG QR code (WeasyPrint draws inline SVG; nothing is fetched)."""
    qr = segno.make(url, error="m")
    return Markup(qr.svg_inline(scale=4, border=1, omitsize=True))

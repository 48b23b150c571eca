"""The warning letter, in the portal's paper frame with the verify QR code; /verify answers whether the paper still
matches the signed warning."""
from __future__ import annotations

import hashlib

from flask_babel import gettext as _

from portal.coaching.models import Warning
from portal.core.pdf import render_pdf
from portal.extensions import db
from portal.printing import cache
from portal.printing import services as printing
from portal.printing.models import Printout
from portal.printing.services import Verdict

WARNING_LETTER = "warning_letter"


def warning_hash(warning: Warning) -> str:
    return hashlib.sha256(f"{warning.id}|{warning.level_id}|{warning.issued_on}|{warning.valid_until}|{warning.reason}".encode()).hexdigest()


def _stamp(user, ticket) -> dict:
    return {"controlled": False, "printed_by": user.full_name if user else "", "printed_at": ticket.printed_at}


def _letter(warning: Warning, user, ticket) -> tuple[bytes, dict]:
    """The warning letter, and what `printing.register` records for it."""
    header = {"kind": _("Warning letter"), "title": warning.level.name, "code_label": _("Letter number"), "code": warning.number,
              "revision": "—", "date_label": _("Issued on"), "date": warning.issued_on}
    pdf = render_pdf("pdf/warning_letter.html", warning=warning, header=header, stamp=_stamp(user, ticket),
                     verify_url=ticket.url, qr_svg=ticket.qr)
    return pdf, dict(audit_action="warning.printed", audit_object=warning,
                     audit_new={"staff": warning.staff.employee_number}, document_code=f"WARN-{warning.id}",
                     content_hash=warning_hash(warning), printed_by_id=user.id if user else None,
                     holder=warning.staff.full_name[:160])


def render_warning(warning: Warning, user) -> tuple[bytes, Printout]:
    """Render and register a letter at once (the page serves it from the cache: `pdf_key`, `_render`)."""
    ticket = printing.ticket()
    pdf, registration = _letter(warning, user, ticket)
    return pdf, printing.register(ticket, WARNING_LETTER, actor=user, **registration)


RENDER_VERSION = 1  # raise when templates/pdf/warning_letter.html changes what a letter looks like


def pdf_key(warning: Warning) -> str:
    """What the letter shows: the signed warning (its hash) and the person's name on it."""
    return cache.cache_key(WARNING_LETTER, RENDER_VERSION, warning.id, warning_hash(warning), warning.staff.full_name)


def _render(object_id: int, ticket) -> tuple[bytes, dict]:
    """The letter rendered by the background job of printing/cache.py (one shared PDF per signed warning)."""
    return _letter(db.session.get(Warning, object_id), None, ticket)


def _id_of(printout: Printout) -> int:
    try:
        return int(printout.document_code.removeprefix("WARN-"))
    except ValueError:
        return 0


def verify_warning(printout: Printout) -> Verdict:
    warning = db.session.get(Warning, _id_of(printout))
    if warning is None:
        return Verdict(printout, False, _("This warning no longer exists."), printout.document_code)
    label = f"{warning.number} · {warning.staff.full_name}"
    if warning_hash(warning) != printout.content_hash:
        return Verdict(printout, False, _("The warning differs from what was printed."), label, warning.level.name)
    return Verdict(printout, True, _("The warning letter matches the signed warning (valid until %(d)s).",
                                     d=warning.valid_until.isoformat()), label, warning.level.name)


def register_kinds() -> None:
    printing.register_kind(WARNING_LETTER, verify_warning)
    cache.register_renderer(WARNING_LETTER, _render)

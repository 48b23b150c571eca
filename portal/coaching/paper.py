"""The warning letter, in the portal's paper frame with the verify QR code; /verify answers whether the paper still
matches the signed warning."""
from __future__ import annotations

import hashlib

from flask_babel import gettext as _

from portal.coaching.models import Warning
from portal.core.pdf import render_pdf
from portal.extensions import db
from portal.printing import services as printing
from portal.printing.models import Printout
from portal.printing.services import Verdict

WARNING_LETTER = "warning_letter"


def warning_hash(warning: Warning) -> str:
    return hashlib.sha256(f"{warning.id}|{warning.level_id}|{warning.issued_on}|{warning.valid_until}|{warning.reason}".encode()).hexdigest()


def _stamp(user, ticket) -> dict:
    return {"controlled": False, "printed_by": user.full_name if user else "—", "printed_at": ticket.printed_at}


def render_warning(warning: Warning, user) -> tuple[bytes, Printout]:
    ticket = printing.ticket()
    header = {"kind": _("Warning letter"), "title": warning.level.name, "code_label": _("Letter number"), "code": warning.number,
              "revision": "—", "date_label": _("Issued on"), "date": warning.issued_on}
    pdf = render_pdf("pdf/warning_letter.html", warning=warning, header=header, stamp=_stamp(user, ticket),
                     verify_url=ticket.url, qr_svg=ticket.qr)
    printout = printing.register(ticket, WARNING_LETTER, audit_action="warning.printed", audit_object=warning,
                                 audit_new={"staff": warning.staff.employee_number}, actor=user,
                                 document_code=f"WARN-{warning.id}", content_hash=warning_hash(warning),
                                 printed_by_id=user.id if user else None, holder=warning.staff.full_name[:160])
    return pdf, printout


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

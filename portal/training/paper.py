"""Printouts of the training module: the certificate of a passed attendee and the warning letter, both in the
portal's paper frame with the verify QR code; /verify answers whether the paper still says what the portal holds."""
from __future__ import annotations

import hashlib

from flask import url_for
from flask_babel import gettext as _

from portal.core.pdf import render_pdf
from portal.extensions import db
from portal.printing import services as printing
from portal.printing.models import Printout
from portal.printing.services import Verdict
from portal.training.models import Attendee, Warning

CERTIFICATE, WARNING_LETTER = "training_cert", "warning_letter"


def certificate_hash(attendee: Attendee) -> str:
    s = attendee.session
    return hashlib.sha256(f"{attendee.id}|{s.version}|{s.signed_at}|{attendee.score}|{attendee.passed}".encode()).hexdigest()


def warning_hash(warning: Warning) -> str:
    return hashlib.sha256(f"{warning.id}|{warning.level_id}|{warning.issued_on}|{warning.valid_until}|{warning.reason}".encode()).hexdigest()


def _stamp(user, ticket) -> dict:
    return {"controlled": False, "printed_by": user.full_name if user else "—", "printed_at": ticket.printed_at}


def render_certificate(attendee: Attendee, user) -> tuple[bytes, Printout]:
    """The certificate of a passed attendee of a signed session (rendered first, then registered)."""
    from portal.training.services import valid_until

    session = attendee.session
    course = session.course
    ticket = printing.ticket()
    header = {"kind": _("Training certificate"), "title": course.name, "code_label": _("Course"), "code": course.code,
              "revision": str(session.version), "date_label": _("Held on"), "date": session.held_on}
    pdf = render_pdf("pdf/training_certificate.html", attendee=attendee, session=session, course=course, header=header,
                     stamp=_stamp(user, ticket), verify_url=ticket.url, qr_svg=ticket.qr,
                     until=valid_until(session.held_on, course.validity_months))
    printout = printing.register(ticket, CERTIFICATE, audit_action="training_certificate.printed", audit_object=session,
                                 audit_new={"attendee": attendee.staff.employee_number, "version": session.version},
                                 actor=user, document_code=f"CERT-{attendee.id}", revision_number=str(session.version),
                                 content_hash=certificate_hash(attendee), printed_by_id=user.id if user else None,
                                 holder=attendee.staff.full_name[:160])
    return pdf, printout


def render_warning(warning: Warning, user) -> tuple[bytes, Printout]:
    ticket = printing.ticket()
    header = {"kind": _("Warning letter"), "title": warning.level.name, "code_label": _("Number"), "code": warning.number,
              "revision": "—", "date_label": _("Issued on"), "date": warning.issued_on}
    pdf = render_pdf("pdf/warning_letter.html", warning=warning, header=header, stamp=_stamp(user, ticket),
                     verify_url=ticket.url, qr_svg=ticket.qr)
    printout = printing.register(ticket, WARNING_LETTER, audit_action="warning.printed", audit_object=warning,
                                 audit_new={"staff": warning.staff.employee_number}, actor=user,
                                 document_code=f"WARN-{warning.id}", content_hash=warning_hash(warning),
                                 printed_by_id=user.id if user else None, holder=warning.staff.full_name[:160])
    return pdf, printout


def _id_of(printout: Printout, prefix: str) -> int:
    try:
        return int(printout.document_code.removeprefix(prefix))
    except ValueError:
        return 0


def verify_certificate(printout: Printout) -> Verdict:
    attendee = db.session.get(Attendee, _id_of(printout, "CERT-"))
    if attendee is None:
        return Verdict(printout, False, _("The training result of this certificate no longer exists."), printout.document_code)
    session = attendee.session
    label = f"{session.course.code} · {attendee.staff.full_name}"
    link = url_for("training.session", session_id=session.id)
    if not session.locked or not attendee.passed or certificate_hash(attendee) != printout.content_hash:
        return Verdict(printout, False, _("The training result was amended since this certificate was printed."),
                       label, session.course.name, "", link)
    return Verdict(printout, True, _("The certificate matches the signed training result."), label, session.course.name, "", link)


def verify_warning(printout: Printout) -> Verdict:
    warning = db.session.get(Warning, _id_of(printout, "WARN-"))
    if warning is None:
        return Verdict(printout, False, _("This warning no longer exists."), printout.document_code)
    label = f"{warning.number} · {warning.staff.full_name}"
    if warning_hash(warning) != printout.content_hash:
        return Verdict(printout, False, _("The warning differs from what was printed."), label, warning.level.name)
    return Verdict(printout, True, _("The warning letter matches the signed warning (valid until %(d)s).",
                                     d=warning.valid_until.isoformat()), label, warning.level.name)


def register_kinds() -> None:
    printing.register_kind(CERTIFICATE, verify_certificate)
    printing.register_kind(WARNING_LETTER, verify_warning)

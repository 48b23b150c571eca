"""The certificate of a passed attendee, in the portal's paper frame with the verify QR code; /verify answers whether
the paper still matches the signed result."""
from __future__ import annotations

import hashlib

from flask import url_for
from flask_babel import gettext as _

from portal.core.pdf import render_pdf
from portal.extensions import db
from portal.printing import cache
from portal.printing import services as printing
from portal.printing.models import Printout
from portal.printing.services import Verdict
from portal.training.models import Attendee

CERTIFICATE = "training_cert"


def certificate_hash(attendee: Attendee) -> str:
    s = attendee.session
    return hashlib.sha256(f"{attendee.id}|{s.version}|{s.signed_at}|{attendee.score}|{attendee.passed}".encode()).hexdigest()


def _stamp(user, ticket) -> dict:
    return {"controlled": False, "printed_by": user.full_name if user else "", "printed_at": ticket.printed_at}


def _certificate(attendee: Attendee, user, ticket) -> tuple[bytes, dict]:
    """The certificate of a passed attendee of a signed session, and what `printing.register` records for it."""
    from portal.training.services import valid_until

    session = attendee.session
    course = session.course
    header = {"kind": _("Training certificate"), "title": course.name, "code_label": _("Course"), "code": course.code,
              "revision": str(session.version), "date_label": _("Held on"), "date": session.held_on}
    pdf = render_pdf("pdf/training_certificate.html", attendee=attendee, session=session, course=course, header=header,
                     stamp=_stamp(user, ticket), verify_url=ticket.url, qr_svg=ticket.qr,
                     until=valid_until(session.held_on, course.validity_months))
    return pdf, dict(audit_action="training_certificate.printed", audit_object=session,
                     audit_new={"attendee": attendee.staff.employee_number, "version": session.version},
                     document_code=f"CERT-{attendee.id}", revision_number=str(session.version),
                     content_hash=certificate_hash(attendee), printed_by_id=user.id if user else None,
                     holder=attendee.staff.full_name[:160])


def render_certificate(attendee: Attendee, user) -> tuple[bytes, Printout]:
    """Render and register a certificate at once (the page serves it from the cache: `pdf_key`, `_render`)."""
    ticket = printing.ticket()
    pdf, registration = _certificate(attendee, user, ticket)
    return pdf, printing.register(ticket, CERTIFICATE, actor=user, **registration)


RENDER_VERSION = 1  # raise when templates/pdf/training_certificate.html changes what a certificate looks like


def pdf_key(attendee: Attendee) -> str:
    """What the certificate shows: the signed result (its hash changes with an amendment)."""
    return cache.cache_key(CERTIFICATE, RENDER_VERSION, attendee.id, certificate_hash(attendee))


def _render(object_id: int, ticket) -> tuple[bytes, dict]:
    """The certificate rendered by the background job of printing/cache.py (one shared PDF per signed result)."""
    return _certificate(db.session.get(Attendee, object_id), None, ticket)


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


def register_kinds() -> None:
    printing.register_kind(CERTIFICATE, verify_certificate)
    cache.register_renderer(CERTIFICATE, _render)

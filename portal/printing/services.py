"""Register printouts and answer what a printed token says today."""
from __future__ import annotations

import secrets
from dataclasses import dataclass

import segno
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from portal.core import audit
from portal.documents import services as documents
from portal.extensions import db
from portal.printing.models import Printout


def new_token() -> str:
    """A short, unguessable token (12 characters, URL-safe) for /verify/<token>."""
    return secrets.token_urlsafe(9)


def register_document_printout(rev, user) -> Printout:
    """Record that `user` printed revision `rev` (an uncontrolled copy); the caller commits."""
    printout = Printout(token=new_token(), kind="document", revision_id=rev.id, revision_number=rev.number,
                        document_code=rev.document.code, content_hash=rev.content_hash or documents.content_hash(rev),
                        copy_status="uncontrolled", printed_by_id=user.id if user else None)
    db.session.add(printout)
    db.session.flush()
    audit.record("document.printed", rev.document, new={"revision": rev.number, "token": printout.token,
                                                        "copy_status": printout.copy_status})
    return printout


def get(token: str) -> Printout | None:
    if not token or len(token) > 24:
        return None
    return db.session.scalar(select(Printout).where(Printout.token == token))


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


def verify(printout: Printout) -> Verdict:
    from flask import url_for

    from portal.core.i18n import fmt_date

    rev = printout.revision
    doc = rev.document
    current = doc.current
    label = f"{printout.document_code} Rev. {printout.revision_number}"
    current_label = f"Rev. {current.number} ({fmt_date(current.effective_date)})" if current else ""
    link = url_for("documents.show", code=doc.code)
    intact = (rev.content_hash or documents.content_hash(rev)) == printout.content_hash
    if doc.withdrawn_at is not None:
        return Verdict(printout, False, _("The document was withdrawn on %(date)s; this copy must not be used.",
                                          date=fmt_date(doc.withdrawn_at)), label, doc.title, "", link)
    if current is not None and current.id == rev.id and intact:
        return Verdict(printout, True, _("This is the revision in force."), label, doc.title, current_label, link)
    if current is not None and current.id == rev.id:
        return Verdict(printout, False, _("The content registered for this revision differs from what was printed."),
                       label, doc.title, current_label, link)
    if current is not None and current.number > rev.number:
        return Verdict(printout, False, _("This revision was superseded; use revision %(n)s.", n=current.number),
                       label, doc.title, current_label, link)
    return Verdict(printout, False, _("This revision is not in force."), label, doc.title, current_label, link)

def verify_url(token: str) -> str:
    """The short link printed under the QR code (absolute: a phone scans it from paper)."""
    from flask import current_app, request, url_for

    base = current_app.config.get("PORTAL_BASE_URL") or (request.host_url if request else "")
    return base.rstrip("/") + url_for("printing.verify", token=token)


def qr_svg(url: str) -> Markup:
    """An inline SVG QR code (WeasyPrint draws inline SVG; nothing is fetched)."""
    qr = segno.make(url, error="m")
    return Markup(qr.svg_inline(scale=4, border=1, omitsize=True))


def render_document_pdf(rev, user) -> tuple[bytes, Printout]:
    """Register an uncontrolled printout of `rev` by `user` and render it as the paper original looks."""
    from portal.core.pdf import render_pdf

    printout = register_document_printout(rev, user)
    url = verify_url(printout.token)
    doc = rev.document
    header = {"kind": doc.type_label, "title": doc.title, "code_label": _("Document code"), "code": doc.code,
              "revision": rev.number, "date_label": _("Effective date"), "date": rev.effective_date}
    stamp = {"controlled": False, "printed_by": user.full_name if user else "—", "printed_at": printout.printed_at}
    pdf = render_pdf("pdf/document.html", doc=doc, rev=rev, header=header, stamp=stamp, verify_url=url,
                     qr_svg=qr_svg(url), title=f"{doc.code} Rev. {rev.number}")
    return pdf, printout

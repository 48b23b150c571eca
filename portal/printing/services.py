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


def register_document_printout(rev, user, copy=None) -> Printout:
    """Record that `user` printed revision `rev` (uncontrolled, or the registered controlled `copy`); the caller commits."""
    printout = Printout(token=new_token(), kind="document", revision_id=rev.id, revision_number=rev.number,
                        document_code=rev.document.code, content_hash=rev.content_hash or documents.content_hash(rev),
                        copy_status="controlled" if copy else "uncontrolled", copy_number=copy.number if copy else None,
                        holder=copy.holder if copy else "", printed_by_id=user.id if user else None)
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

    if printout.kind == "record":
        return _verify_record(printout)
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
    if printout.copy_status == "controlled":
        from portal.printing.models import ControlledCopy

        copy = db.session.scalar(select(ControlledCopy).where(ControlledCopy.revision_id == rev.id,
                                                              ControlledCopy.number == printout.copy_number))
        if copy is not None and copy.status != "issued":
            return Verdict(printout, False, _("This controlled copy has been withdrawn; return it to the document controller."),
                           label, doc.title, current_label, link)
    if current is not None and current.id == rev.id and intact:
        return Verdict(printout, True, _("This is the revision in force."), label, doc.title, current_label, link)
    if current is not None and current.id == rev.id:
        return Verdict(printout, False, _("The content registered for this revision differs from what was printed."),
                       label, doc.title, current_label, link)
    if current is not None and current.number > rev.number:
        return Verdict(printout, False, _("This revision was superseded; use revision %(n)s.", n=current.number),
                       label, doc.title, current_label, link)
    return Verdict(printout, False, _("This revision is not in force."), label, doc.title, current_label, link)

def _verify_record(printout: Printout) -> Verdict:
    from flask import url_for

    from portal.core.i18n import fmt_date

    record = printout.record
    label = f"{record.number} · {printout.document_code} ({_('version %(n)d', n=printout.record_version)})"
    title = record.form_document.title
    link = url_for("records.show", record_id=record.id)
    now = _("version %(n)d, %(status)s", n=record.version, status=record_status_label(record.status))
    if record.status == "disposed":
        return Verdict(printout, False, _("The record was disposed of on %(date)s after its retention period.",
                                          date=fmt_date(record.disposed_at)), label, title, "", "")
    if record.version != printout.record_version:
        return Verdict(printout, False, _("The record was amended since this print; the paper is out of date."),
                       label, title, now, link)
    if record.status != "approved":
        return Verdict(printout, False, _("This print is of a record that was not approved yet."), label, title, now, link)
    if record.content_hash != printout.content_hash:
        return Verdict(printout, False, _("The record differs from what was printed."), label, title, now, link)
    return Verdict(printout, True, _("The record is approved and unchanged since this print."), label, title, now, link)


def record_status_label(status: str) -> str:
    return {"draft": _("draft"), "submitted": _("submitted"), "approved": _("approved (locked)"),
            "disposed": _("disposed of")}.get(status, status)


def verify_url(token: str) -> str:
    """The short link printed under the QR code (absolute: a phone scans it from paper).

    PORTAL_BASE_URL when configured (what staff type on the intranet), else the address of the request."""
    from flask import current_app, has_request_context, request

    base = current_app.config.get("PORTAL_BASE_URL") or (request.host_url if has_request_context() else "http://127.0.0.1:5000/")
    return base.rstrip("/") + "/verify/" + token


def qr_svg(url: str) -> Markup:
    """An inline SVG QR code (WeasyPrint draws inline SVG; nothing is fetched)."""
    qr = segno.make(url, error="m")
    return Markup(qr.svg_inline(scale=4, border=1, omitsize=True))


def render_document_pdf(rev, user, copy=None) -> tuple[bytes, Printout]:
    """Register a printout of `rev` by `user` (uncontrolled, or controlled `copy`) and render it as the paper original."""
    from portal.core.pdf import render_pdf

    printout = register_document_printout(rev, user, copy)
    url = verify_url(printout.token)
    doc = rev.document
    header = {"kind": doc.type_label, "title": doc.title, "code_label": _("Document code"), "code": doc.code,
              "revision": rev.number, "date_label": _("Effective date"), "date": rev.effective_date}
    stamp = {"controlled": copy is not None, "number": copy.number if copy else "", "holder": copy.holder if copy else "",
             "printed_by": user.full_name if user else "—", "printed_at": printout.printed_at}
    pdf = render_pdf("pdf/document.html", doc=doc, rev=rev, header=header, stamp=stamp, verify_url=url,
                     qr_svg=qr_svg(url), title=f"{doc.code} Rev. {rev.number}")
    return pdf, printout


# ---------------------------------------------------------------- records
def register_record_printout(record, user, copy_status: str = "uncontrolled") -> Printout:
    """Record that `user` printed the current version of `record` (or the archive did, when user is None)."""
    printout = Printout(token=new_token(), kind="record", revision_id=record.form_revision_id,
                        revision_number=record.form_revision.number, document_code=record.form_code,
                        content_hash=record.content_hash, copy_status=copy_status,
                        printed_by_id=user.id if user else None, record_id=record.id, record_version=record.version)
    db.session.add(printout)
    db.session.flush()
    audit.record("record.printed", record, new={"version": record.version, "token": printout.token,
                                                "copy_status": copy_status}, actor=user)
    return printout


def _record_context(record, printout: Printout, user) -> dict:
    from portal.records import schema as schemas
    from portal.records import services as records

    rev = record.form_revision
    doc = record.form_document
    url = verify_url(printout.token)
    header = {"kind": doc.type_label, "title": doc.title, "code_label": _("Form code"), "code": doc.code,
              "revision": rev.number, "date_label": _("Effective date"), "date": rev.effective_date}
    if printout.copy_status == "archive":
        stamp = {"controlled": True, "number": "", "archive": True, "holder": "", "printed_at": printout.printed_at}
    else:
        stamp = {"controlled": False, "printed_by": user.full_name if user else "—", "printed_at": printout.printed_at}
    staff = {u.id: u for u in records.staff_choices(record.site_id)}
    return dict(record=record, schema=records.schema_of(rev) or {"sections": []}, data=record.data, staff=staff,
                header=header, stamp=stamp, verify_url=url, qr_svg=qr_svg(url), fields=schemas.fields,
                due=records.disposal_due(record))


def render_record_pdf(record, user) -> tuple[bytes, Printout]:
    """A record as its paper form (uncontrolled print, registered for /verify)."""
    from portal.core.pdf import render_pdf

    printout = register_record_printout(record, user)
    return render_pdf("pdf/record.html", **_record_context(record, printout, user)), printout


def archive_record_version(record, version) -> None:
    """Render the approved version as PDF/A and keep it under DOCUMENTS_FOLDER/records with its SHA-256."""
    import hashlib
    from pathlib import Path

    from flask import current_app

    from portal.core.pdf import render_pdf

    printout = register_record_printout(record, None, copy_status="archive")
    pdf = render_pdf("pdf/record.html", pdf_variant="pdf/a-3b", **_record_context(record, printout, None))
    folder = Path(current_app.config["DOCUMENTS_FOLDER"]) / "records"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.pdf"
    (folder / name).write_bytes(pdf)
    version.pdf_path = f"records/{name}"
    version.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    audit.record("record.archived", record, new={"version": version.version, "sha256": version.pdf_sha256})


def archive_path(version):
    from pathlib import Path

    from flask import current_app

    return Path(current_app.config["DOCUMENTS_FOLDER"]) / version.pdf_path if version.pdf_path else None


def destroy_archive(version) -> None:
    """Delete the archived PDF of a version being disposed of (its hash stays in the stub)."""
    path = archive_path(version)
    if path is not None and path.exists():
        path.unlink()
    version.pdf_path = ""

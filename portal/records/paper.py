"""Records on paper: a record printed as its form, the PDF/A archive of approved versions, and verification."""
from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from flask import current_app, url_for
from flask_babel import gettext as _

from portal.core import audit
from portal.core.i18n import fmt_date
from portal.core.pdf import render_pdf
from portal.extensions import db
from portal.printing import cache
from portal.printing import services as printing
from portal.printing.models import Printout
from portal.printing.services import Ticket, Verdict
from portal.records import schema as schemas
from portal.records.labels import status_label
from portal.records.models import Record

KIND = "record"


def _registration(record, user, copy_status: str) -> dict:
    return dict(
        audit_action="record.printed", audit_object=record, audit_new={"version": record.version, "copy_status": copy_status},
        revision_id=record.form_revision_id, revision_number=record.form_revision.number, document_code=record.form_code,
        content_hash=record.content_hash, copy_status=copy_status, printed_by_id=user.id if user else None,
        record_id=record.id, record_version=record.version)


def _register(record, user, ticket: Ticket, copy_status: str) -> Printout:
    return printing.register(ticket, KIND, actor=user, **_registration(record, user, copy_status))


def _render(object_id: int, ticket: Ticket) -> tuple[bytes, dict]:
    """The uncontrolled print of a record, rendered by the background job of printing/cache.py."""
    record = db.session.get(Record, object_id)
    pdf = render_pdf("pdf/record.html", **record_context(record, ticket, None))
    return pdf, _registration(record, None, "uncontrolled")


RENDER_VERSION = 1  # raise when templates/pdf/record.html changes what a PDF looks like


def pdf_key(record) -> str:
    """What the print of `record` shows: every save changes row_version; the content is recomputed (a change
    behind the portal's back is a new PDF, with its warning); the disposal date follows the contracts."""
    from portal.records import services as records

    return cache.cache_key(KIND, RENDER_VERSION, record.id, record.row_version, record.status, record.version,
                           records.content_hash(record), records.disposal_due(record), record.legal_hold)


def _superseded():
    """Keys of record PDFs printed before the record was saved again: their row_version is gone for good."""
    from sqlalchemy import select

    return (select(Printout.cache_key).join(Record, Record.id == Printout.record_id)
            .where(Printout.kind == KIND, Printout.cache_key.is_not(None), Record.updated_at > Printout.printed_at))


cache.register_renderer(KIND, _render, superseded=_superseded)

DISPOSAL_KIND = "disposal"


def disposal_key(batch, today) -> str:
    """The record of destruction as printed today: every column of the batch (signatures, witness) and its lines."""
    from portal.records import services as records

    columns = {c.name: getattr(batch, c.name) for c in batch.__table__.columns}
    return cache.cache_key(DISPOSAL_KIND, RENDER_VERSION, columns, records.disposal_lines(batch), today)


def _render_disposal(object_id: int, ticket) -> tuple[bytes, None]:
    from portal.core.i18n import local_today
    from portal.records import services as records
    from portal.records.models import Disposal

    batch = db.session.get(Disposal, object_id)
    return render_pdf("pdf/disposal.html", pdf_variant="pdf/a-3b", batch=batch, today=local_today(),
                      lines=records.disposal_lines(batch)), None


cache.register_renderer(DISPOSAL_KIND, _render_disposal, printout=False)


def record_context(record, ticket: Ticket, user, copy_status: str = "uncontrolled") -> dict:
    """What templates/pdf/record.html needs to print `record`."""
    from portal.records import services as records  # the record rules live in services; paper only reads them

    rev = record.form_revision
    doc = record.form_document
    header = {"kind": doc.type_label, "title": doc.title, "code_label": _("Form code"), "code": doc.code,
              "revision": rev.number, "date_label": _("Effective date"), "date": rev.effective_date}
    if copy_status == "archive":
        stamp = {"controlled": True, "number": "", "archive": True, "holder": "", "printed_at": ticket.printed_at}
    else:
        stamp = {"controlled": False, "printed_by": user.full_name if user else "", "printed_at": ticket.printed_at}
    staff = {u.id: u for u in records.staff_choices(record.site_id)}
    return dict(record=record, schema=records.schema_of(rev) or {"sections": []}, data=record.data, staff=staff,
                header=header, stamp=stamp, verify_url=ticket.url, qr_svg=ticket.qr, fields=schemas.fields,
                due=records.disposal_due(record), integrity=records.integrity_warning(record))


def render_record_pdf(record, user) -> tuple[bytes, Printout]:
    """A record as its paper form (uncontrolled print): rendered first, then registered for /verify."""
    ticket = printing.ticket()
    pdf = render_pdf("pdf/record.html", **record_context(record, ticket, user))
    return pdf, _register(record, user, ticket, "uncontrolled")


def archive_folder() -> Path:
    return Path(current_app.config["DOCUMENTS_FOLDER"]) / "records"


def archive_record_version(record, version) -> None:
    """Render the approved version as PDF/A and keep it under DOCUMENTS_FOLDER/records with its SHA-256.

    The file is written under a temporary name and moved into place, so a crash never leaves half a PDF."""
    ticket = printing.ticket()
    pdf = render_pdf("pdf/record.html", pdf_variant="pdf/a-3b", **record_context(record, ticket, None, "archive"))
    folder = archive_folder()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.pdf"
    tmp = folder / f".{name}.tmp"
    tmp.write_bytes(pdf)
    os.replace(tmp, folder / name)
    _register(record, None, ticket, "archive")
    version.pdf_path = f"records/{name}"
    version.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    audit.record("record.archived", record, new={"version": version.version, "sha256": version.pdf_sha256})


def archive_path(version) -> Path | None:
    """Where the archived PDF/A of a version is kept, or None."""
    return Path(current_app.config["DOCUMENTS_FOLDER"]) / version.pdf_path if version.pdf_path else None


def destroy_archive(version) -> None:
    """Delete the archived PDF of a version being disposed of (its hash stays in the stub)."""
    path = archive_path(version)
    if path is not None and path.exists():
        path.unlink()
    version.pdf_path = ""


def verify_record(printout: Printout) -> Verdict:
    """Whether a printed record is still what the portal holds."""
    record = db.session.get(Record, printout.record_id)
    label = f"{record.number} · {printout.document_code} ({_('version %(n)d', n=printout.record_version)})"
    title = record.form_document.title
    link = url_for("records.show", record_id=record.id)
    now = _("version %(n)d, %(status)s", n=record.version, status=status_label(record.status).lower())
    if record.status == "disposed":
        return Verdict(printout, False, _("The record was disposed of on %(date)s after its retention period.",
                                          date=fmt_date(record.disposed_at)), label, title, "", "")
    if record.version != printout.record_version:
        return Verdict(printout, False, _("The record was amended since this print; the paper is out of date."),
                       label, title, now, link)
    if record.status != "approved":
        return Verdict(printout, False, _("This print is of a record that was not approved yet."), label, title, now, link)
    from portal.records import services as records

    warning = records.integrity_warning(record)
    if warning:
        return Verdict(printout, False, warning, label, title, now, link, integrity_warning=warning)
    if records.content_hash(record) != printout.content_hash:  # recomputed, not the stored column
        return Verdict(printout, False, _("The record differs from what was printed."), label, title, now, link)
    return Verdict(printout, True, _("The record is approved and unchanged since this print."), label, title, now, link)

"""Documents on paper: a revision printed as the paper original, and what such a printout is worth today."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from portal.core.i18n import fmt_date
from portal.core.pdf import render_pdf
from portal.documents import services as documents
from portal.documents.models import ControlledCopy, Revision
from portal.extensions import db
from portal.printing import cache
from portal.printing import services as printing
from portal.printing.models import Printout
from portal.printing.services import Verdict

KIND = "document"


def render_document_pdf(rev, user, copy=None, ticket=None) -> tuple[bytes, dict]:
    """Render `rev` as the paper original (uncontrolled, or the controlled `copy`); returns the PDF and what
    `printing.register` records for it. Called by the background render (printing/cache.py)."""
    ticket = ticket or printing.ticket()
    doc = rev.document
    header = {"kind": doc.type_label, "title": doc.title, "code_label": _("Document code"), "code": doc.code,
              "revision": rev.number, "date_label": _("Effective date"), "date": rev.effective_date}
    stamp = {"controlled": copy is not None, "number": copy.number if copy else "", "holder": copy.holder if copy else "",
             "printed_by": user.full_name if user else "", "printed_at": ticket.printed_at}
    content_hash = documents.content_hash(rev)
    pdf = render_pdf("pdf/document.html", doc=doc, rev=rev, header=header, stamp=stamp, verify_url=ticket.url,
                     qr_svg=ticket.qr, title=f"{doc.code} Rev. {rev.number}", integrity=documents.integrity_warning(rev))
    copy_status = "controlled" if copy else "uncontrolled"
    registration = dict(
        audit_action="document.printed", audit_object=doc, audit_new={"revision": rev.number, "copy_status": copy_status},
        revision_id=rev.id, revision_number=rev.number, document_code=doc.code, content_hash=content_hash,
        copy_status=copy_status, copy_number=copy.number if copy else None, holder=copy.holder if copy else "",
        printed_by_id=user.id if user else None)
    return pdf, registration


def _render(object_id: int, ticket, copy_id: int | None = None) -> tuple[bytes, dict]:
    rev = db.session.get(Revision, object_id)
    copy = db.session.get(ControlledCopy, copy_id) if copy_id else None
    return render_document_pdf(rev, None, copy=copy, ticket=ticket)


def pdf_key(rev, copy=None) -> str:
    """What the paper of `rev` shows, as a cache key: its content (recomputed: changed content is a new PDF), its
    status and the document's (the "not in force" mark), the integrity warning and, for a controlled copy, the copy."""
    doc = rev.document
    return cache.cache_key(KIND, RENDER_VERSION, rev.id, documents.content_hash(rev), rev.status, rev.effective_date,
                           doc.title, doc.withdrawn_at, documents.signed_hash(rev),
                           [copy.id, copy.number, copy.holder, copy.status] if copy else None)


def prepare(rev):
    """Queue the rendering of the uncontrolled PDF of `rev` (nothing when it is rendered or on its way)."""
    key = pdf_key(rev)
    if cache.cached(key) is None:
        cache.prepare(KIND, rev.id, key, None)


MASTER_KIND = "master_list"


def master_key(today) -> str:
    """The master list as of `today`: any change to a document or revision writes an audit event on it, so the
    newest such event stands for the register's state (a new one, a new PDF)."""
    from portal.core.audit import AuditEvent

    # The newest event's chain hash, not its id: unique to this database's history (a restored or new database
    # that reaches the same id never finds another register's PDF).
    last = db.session.scalar(select(AuditEvent.hash).where(AuditEvent.object_type.in_(("document", "revision")))
                             .order_by(AuditEvent.id.desc()).limit(1))
    return cache.cache_key(MASTER_KIND, RENDER_VERSION, today, last)


def _render_master(object_id: int, ticket) -> tuple[bytes, None]:
    from portal.core.i18n import local_today
    from portal.documents import queries

    return render_pdf("pdf/master_list.html", rows=queries.master_rows(), today=local_today(),
                      overdue=queries.review_overdue), None


cache.register_renderer(MASTER_KIND, _render_master, printout=False)

RENDER_VERSION = 2  # raise when templates/pdf/document.html changes what a PDF looks like


cache.register_renderer(KIND, _render)


def verify_document(printout: Printout) -> Verdict:
    """Whether a printed revision is still the one in force."""
    rev = db.session.get(Revision, printout.revision_id)
    doc = rev.document
    current = doc.current
    label = f"{printout.document_code} Rev. {printout.revision_number}"
    current_label = f"Rev. {current.number} ({fmt_date(current.effective_date)})" if current else ""
    link = url_for("documents.show", code=doc.code)
    found = documents.content_hash(rev)  # recomputed: a stored hash column proves nothing if the content was changed
    warning = documents.integrity_warning(rev)
    if warning:
        return Verdict(printout, False, warning, label, doc.title, current_label, link, integrity_warning=warning)
    intact = found == printout.content_hash
    if doc.withdrawn_at is not None:
        return Verdict(printout, False, _("The document was withdrawn on %(date)s; this copy must not be used.",
                                          date=fmt_date(doc.withdrawn_at)), label, doc.title, "", link)
    if printout.copy_status == "controlled":
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

"""The NC report on paper (the portal's paper frame with the verify QR code: /verify answers whether the paper still
matches the NC) and the register as a PDF table."""
from __future__ import annotations

import hashlib
import json

from flask import current_app
from flask_babel import gettext as _

from portal.capa.models import Nonconformity
from portal.core.pdf import render_pdf
from portal.extensions import db
from portal.printing import cache
from portal.printing import services as printing
from portal.printing.models import Printout
from portal.printing.services import Verdict
from sqlalchemy import select

NC_REPORT = "capa_nc"


def nc_hash(nc: Nonconformity) -> str:
    """What the paper shows, hashed: a change to the NC, its actions or its checks makes older paper out of date."""
    parts = [nc.number, nc.status, nc.title, nc.description, nc.classification, nc.containment, nc.correction,
             nc.whys_json, nc.fishbone_json, nc.root_cause, str(nc.check_due), nc.check_criterion,
             json.dumps([[a.id, a.status, a.description, str(a.due_on), a.done_note, a.links_json] for a in nc.actions]),
             json.dumps([[c.id, c.result, c.note] for c in nc.checks])]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def nc_context(nc: Nonconformity, ticket, user) -> dict:
    from portal.capa import labels

    header = {"kind": _("Nonconformity report"), "title": nc.title, "code_label": _("NC number"), "code": nc.number,
              "revision": "—", "date_label": _("Found on"), "date": nc.found_on}
    stamp = {"controlled": False, "printed_by": user.full_name if user else "", "printed_at": ticket.printed_at}
    return {"nc": nc, "header": header, "stamp": stamp, "verify_url": ticket.url, "qr_svg": ticket.qr,
            "organisation": current_app.config["PORTAL_ORGANISATION"], "sources": labels.source_labels(),
            "classes": labels.classification_labels(), "statuses": labels.status_labels(),
            "action_labels": labels.action_labels(), "bones": labels.fishbone_labels(), "results": labels.check_labels()}


def _registration(nc: Nonconformity, user) -> dict:
    return dict(audit_action="capa.printed", audit_object=nc, audit_new={"number": nc.number}, document_code=nc.number,
                content_hash=nc_hash(nc), printed_by_id=user.id if user else None,
                holder=(user.full_name if user else "")[:160])


def render_nc(nc: Nonconformity, user, register: bool = True, base: str | None = None) -> tuple[bytes, Printout | None]:
    """The NC report as PDF: rendered first, then registered for /verify (a printout row and its audit event). The
    page serves the shared copy from the PDF cache (`pdf_key`, `_render`); the evidence pack renders its own."""
    ticket = printing.ticket(base)
    pdf = render_pdf("pdf/capa_nc.html", **nc_context(nc, ticket, user))
    printout = printing.register(ticket, NC_REPORT, actor=user, **_registration(nc, user)) if register else None
    return pdf, printout


RENDER_VERSION = 1  # raise when templates/pdf/capa_nc.html changes what a report looks like


def pdf_key(nc: Nonconformity) -> str:
    """What the report shows: the NC as it stands (its hash changes with any change to it, its actions or checks)."""
    return cache.cache_key(NC_REPORT, RENDER_VERSION, nc.id, nc_hash(nc))


def _render(object_id: int, ticket) -> tuple[bytes, dict]:
    """The report rendered by the background job of printing/cache.py (one shared PDF per state of the NC)."""
    nc = db.session.get(Nonconformity, object_id)
    return render_pdf("pdf/capa_nc.html", **nc_context(nc, ticket, None)), _registration(nc, None)


def verify_nc(printout: Printout) -> Verdict:
    nc = db.session.scalar(select(Nonconformity).where(Nonconformity.number == printout.document_code))
    if nc is None:
        return Verdict(printout, False, _("This nonconformity no longer exists."), printout.document_code)
    if nc_hash(nc) != printout.content_hash:
        return Verdict(printout, False, _("The nonconformity has changed since this report was printed."), nc.number, nc.title)
    return Verdict(printout, True, _("The report matches the nonconformity as it stands."), nc.number, nc.title)


def register_kinds() -> None:
    printing.register_kind(NC_REPORT, verify_nc)
    cache.register_renderer(NC_REPORT, _render)

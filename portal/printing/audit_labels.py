"""How the printing module's audit events read (sentences, object codes): see core/modules.py."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.core.modules import AuditAction, AuditObject

ACTIONS = {
    "printout.served": AuditAction(_l("PDF downloaded"), _l("%(actor)s downloaded the PDF %(object)s")),
    "printout.cache_pruned": AuditAction(
        _l("Cached PDFs removed"),
        _l("%(actor)s removed cached PDFs: %(unused)s unused for %(days)s days, %(superseded)s superseded, "
           "%(reports)s reports")),
}


def _printouts(ids):
    from portal.printing.models import Printout

    return select(Printout.id, Printout.token, Printout.document_code).where(Printout.id.in_(ids))


OBJECTS = {
    "printout": AuditObject(
        _l("Printout"), codes=_printouts, code=lambda value: _l("printout %(token)s", token=value),
        url=lambda id, code, key: url_for("printing.verify", token=code)),
}

"""Controlled copies: the register of numbered paper copies, their printing and their withdrawal."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.auth.models import Site
from portal.core.service import ServiceError
from portal.core import audit
from portal.core.db import utcnow
from portal.documents.models import APPROVED, EFFECTIVE, ControlledCopy
from portal.extensions import db

ISSUED, WITHDRAWAL_DUE, RETURNED = "issued", "withdrawal_due", "returned"


def issue(rev, site_id, holder: str, user) -> ControlledCopy:
    """Register the next numbered copy of `rev` for a site and a holder."""
    holder = (holder or "").strip()
    if rev.status not in (EFFECTIVE, APPROVED):
        raise ServiceError(_("Only the revision in force (or approved) can be issued as a controlled copy."))
    site = db.session.get(Site, site_id) if site_id else None
    if site is None:
        raise ServiceError(_("Choose the site."), "site_id")
    if not holder:
        raise ServiceError(_("Name the holder of the copy."), "holder")
    number = (db.session.scalar(select(func.max(ControlledCopy.number)).where(ControlledCopy.revision_id == rev.id)) or 0) + 1
    copy = ControlledCopy(revision_id=rev.id, number=number, site_id=site.id, holder=holder[:160], status=ISSUED,
                          issued_by_id=user.id, issued_at=utcnow())
    db.session.add(copy)
    db.session.flush()
    audit.record("copy.issued", rev.document, new={"revision": rev.number, "number": number, "site": site.code, "holder": holder},
                 actor=user)
    return copy


def issue_current(doc, site_id, holder: str, user) -> ControlledCopy:
    """Register the next numbered copy of the document's revision in force."""
    if doc.current is None:
        raise ServiceError(_("This document has no revision in force."))
    return issue(doc.current, site_id, holder, user)


def withdraw_copies_of(rev, why: str) -> int:
    """Every copy still out of `rev` becomes a withdrawal task (called when the revision stops being in force)."""
    copies = list(db.session.scalars(select(ControlledCopy).where(ControlledCopy.revision_id == rev.id,
                                                                  ControlledCopy.status == ISSUED)))
    for copy in copies:
        copy.status = WITHDRAWAL_DUE
        copy.withdrawal_due_at = utcnow()
        audit.record("copy.withdrawal_due", rev.document, new={"revision": rev.number, "number": copy.number,
                                                               "holder": copy.holder}, reason=why)
    return len(copies)


def confirm_return(copy: ControlledCopy, user, note: str = "") -> ControlledCopy:
    if copy.status != WITHDRAWAL_DUE:
        raise ServiceError(_("Only a copy due for withdrawal can be confirmed as returned."))
    copy.status = RETURNED
    copy.returned_at = utcnow()
    copy.returned_confirmed_by_id = user.id
    copy.return_note = (note or "").strip()[:300]
    audit.record("copy.returned", copy.revision.document, new={"revision": copy.revision.number, "number": copy.number,
                                                               "holder": copy.holder, "note": copy.return_note}, actor=user)
    return copy


def withdrawal_tasks() -> list[ControlledCopy]:
    return list(db.session.scalars(select(ControlledCopy).where(ControlledCopy.status == WITHDRAWAL_DUE)
                                   .order_by(ControlledCopy.withdrawal_due_at, ControlledCopy.id)))


def withdrawal_summary(first: int) -> tuple[int, list[tuple[str, int]]]:
    """How many copies wait for withdrawal, and the code and number of the first few (two statements)."""
    from portal.documents.models import Document, Revision

    n = db.session.scalar(select(func.count(ControlledCopy.id)).where(ControlledCopy.status == WITHDRAWAL_DUE))
    if not n:
        return 0, []
    rows = db.session.execute(select(Document.code, ControlledCopy.number).select_from(ControlledCopy)
                              .join(Revision, Revision.id == ControlledCopy.revision_id)
                              .join(Document, Document.id == Revision.document_id)
                              .where(ControlledCopy.status == WITHDRAWAL_DUE)
                              .order_by(ControlledCopy.withdrawal_due_at, ControlledCopy.id).limit(first)).all()
    return n, [(code, number) for code, number in rows]


def copies_of(doc) -> list[ControlledCopy]:
    ids = [r.id for r in doc.revisions]
    if not ids:
        return []
    return list(db.session.scalars(select(ControlledCopy).where(ControlledCopy.revision_id.in_(ids))
                                   .order_by(ControlledCopy.revision_id.desc(), ControlledCopy.number)))

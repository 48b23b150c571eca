"""Queries of the register that pages share: filters read from the request's arguments."""
from __future__ import annotations

from sqlalchemy import func, or_, select

from portal.auth.models import Service, Site
from portal.documents.models import DOC_TYPES, DRAFT, EFFECTIVE, WITHDRAWN, Document, Revision


def register_query(args):
    """The register's documents filtered by type, unit, service, site, status and code/title text."""
    stmt = select(Document)
    doc_type = args.get("type") or ""
    if doc_type in DOC_TYPES:
        stmt = stmt.where(Document.doc_type == doc_type)
    unit = (args.get("unit") or "").upper()
    if unit:
        stmt = stmt.where(Document.unit == unit)
    service_id = args.get("service", type=int)
    if service_id:
        stmt = stmt.where(or_(~Document.services.any(), Document.services.any(Service.id == service_id)))
    site_id = args.get("site", type=int)
    if site_id:
        stmt = stmt.where(or_(~Document.sites.any(), Document.sites.any(Site.id == site_id)))
    status = args.get("status") or ""
    if status == WITHDRAWN:
        stmt = stmt.where(Document.withdrawn_at.is_not(None))
    elif status == EFFECTIVE:
        stmt = stmt.where(Document.revisions.any(Revision.status == EFFECTIVE))
    elif status == DRAFT:
        stmt = stmt.where(Document.withdrawn_at.is_(None), ~Document.revisions.any(Revision.status == EFFECTIVE))
    q = (args.get("q") or "").strip()
    if q:
        # Code and title are short columns; the bodies are searched through the full-text index only.
        like = f"%{q.upper()}%"
        stmt = stmt.where(or_(Document.code_key.like(like), func.upper(Document.title).like(like)))
    return stmt

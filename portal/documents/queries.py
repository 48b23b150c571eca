"""Queries of the register that pages share: filters read from the request's arguments."""
from __future__ import annotations

from datetime import date
from functools import cache

from sqlalchemy import Date, Integer, bindparam, func, literal, or_, select, union_all
from sqlalchemy.orm import joinedload, lazyload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from portal.core.urls import db_int
from portal.auth.models import Service, Site
from portal.documents.models import DOC_TYPES, DRAFT, EFFECTIVE, WITHDRAWN, Document, DocumentLink, RecordType, Revision
from portal.extensions import db


def register_query(args):
    """The register's documents filtered by type, unit, service, site, status and code/title text."""
    stmt = select(Document)
    doc_type = args.get("type") or ""
    if doc_type in DOC_TYPES:
        stmt = stmt.where(Document.doc_type == doc_type)
    unit = (args.get("unit") or "").upper()
    if unit:
        stmt = stmt.where(Document.unit == unit)
    service_id = args.get("service", type=db_int)
    if service_id:
        stmt = stmt.where(or_(~Document.services.any(), Document.services.any(Service.id == service_id)))
    site_id = args.get("site", type=db_int)
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


# ------------------------------------------------------------------ lists in a fixed number of statements
# A list of documents never loads each document's revisions, services or sites one by one: the mapper loads
# services and sites "selectin" (in chunks of 500 ids, so the statement count would grow with the rows) and
# revisions lazily (one statement per row). These helpers load what a list shows in one statement each.
def bare(stmt):
    """A Document query that leaves services and sites unloaded until used."""
    return stmt.options(*_bare_options())


@cache
def _bare_options() -> tuple:
    """`bare`'s loader options, made once (they are immutable; building them cost more than applying them)."""
    return lazyload(Document.services), lazyload(Document.sites), lazyload(Document.revisions)


def issued_revisions(statuses=(EFFECTIVE, WITHDRAWN), with_records: bool = False) -> dict[int, Revision]:
    """document id -> its revision in force (else its last withdrawn one), in one statement (two with records)."""
    revs = db.session.scalars(select(Revision).options(lazyload(Revision.signatures), lazyload(Revision.records),
                                                       lazyload(Revision.document))
                              .where(Revision.status.in_(statuses)).order_by(Revision.document_id, Revision.number)).all()
    out: dict[int, Revision] = {}
    for rev in revs:
        if rev.status == EFFECTIVE or out.get(rev.document_id) is None or out[rev.document_id].status != EFFECTIVE:
            out[rev.document_id] = rev
    if with_records:
        by_rev: dict[int, list[RecordType]] = {rev.id: [] for rev in out.values()}
        for row in db.session.scalars(select(RecordType).join(Revision).where(Revision.status.in_(statuses))
                                      .order_by(RecordType.revision_id, RecordType.position)):
            if row.revision_id in by_rev:
                by_rev[row.revision_id].append(row)
        for rev in out.values():
            set_committed_value(rev, "records", by_rev[rev.id])
    return out


def with_current(docs, revisions: dict[int, Revision]) -> None:
    """Tell each listed document its revision in force (read-only list pages), so `doc.current` and `doc.status`
    cost no statement per row."""
    for doc in docs:
        rev = revisions.get(doc.id)
        doc.__dict__["_listed_current"] = rev if rev is not None and rev.status == EFFECTIVE else None


def review_due_of(doc: Document, current: Revision | None) -> date | None:
    """When the document's next periodic review is due, from its revision in force (already loaded)."""
    from portal.documents.services import add_months

    base = doc.last_reviewed_on or (current.effective_date if current is not None and current.status == EFFECTIVE else None)
    return add_months(base, doc.review_interval_months) if base else None


# The document hierarchy (ISO 9001 pyramid): manuals, procedures, work instructions, forms, standards, external.
HIERARCHY = ["PM", "MNOP", "P", "W", "F", "S", "EXT"]


def master_rows() -> list[tuple[Document, Revision | None, date | None]]:
    """Every document, in the order of the document hierarchy, with its revision in force (or last withdrawn) and
    its review date: three statements."""
    from sqlalchemy import case

    rank = case({t: i for i, t in enumerate(HIERARCHY)}, value=Document.doc_type, else_=len(HIERARCHY))
    docs = db.session.scalars(bare(select(Document)).order_by(rank, Document.doc_type, Document.code_key)).all()
    revs = issued_revisions(with_records=True)
    with_current(docs, revs)
    return [(d, revs.get(d.id), review_due_of(d, revs.get(d.id))) for d in docs]


def review_overdue(doc: Document, due: date | None, today: date) -> bool:
    """Whether a document still in force is past its periodic review date (as the home page counts it)."""
    return due is not None and due <= today and doc.withdrawn_at is None


def review_dates() -> list[tuple[Document, date]]:
    """Every document in force with its next review date, soonest first: two statements."""
    docs = db.session.scalars(bare(select(Document)).where(Document.withdrawn_at.is_(None)).order_by(Document.code)).all()
    current = issued_revisions((EFFECTIVE,))
    with_current(docs, current)
    dated = [(doc, review_due_of(doc, current.get(doc.id))) for doc in docs]
    return sorted([(doc, due) for doc, due in dated if due], key=lambda pair: pair[1])


def units() -> list[str]:
    """The organisational units of the register, for the filter: a loose index scan (one probe of the unit index
    per distinct unit) instead of DISTINCT, which reads every entry of the index (5 ms at 100,000 documents)."""
    return list(db.session.scalars(_units_statement()))


@cache
def _units_statement():
    from sqlalchemy import text

    return text(
        "WITH RECURSIVE u(unit) AS ("
        " SELECT (SELECT min(unit) FROM document WHERE unit > '')"
        " UNION ALL SELECT (SELECT min(unit) FROM document WHERE unit > u.unit) FROM u WHERE u.unit IS NOT NULL)"
        " SELECT unit FROM u WHERE unit IS NOT NULL")


def count_overdue_reviews(today: date) -> int:
    """How many documents in force are past their review date: one narrow statement (no objects), and none while the
    register is unchanged since a page asked last (the number depends on the register and the day only: a value of
    the documents area, core/fragments.py `memo`)."""
    from portal.core import fragments

    return fragments.memo("documents", ("documents.overdue_reviews", today), lambda: _count_overdue_reviews(today))


def _count_overdue_reviews(today: date) -> int:
    from portal.documents.services import add_months

    # The documents whose due date is kept (every one reviewed or made effective through the portal) are a range of
    # the review_due_on index. The rest (written in bulk, or never reviewed with a revision in force) are grouped by
    # (date reviewed or in force, interval): the rule runs once per group, the database counts each. One statement.
    kept = (select(literal(1).label("kept"), literal(None, Date).label("since"), literal(None, Integer).label("months"),
                   func.count().label("n"))
            .select_from(Document)
            .where(Document.withdrawn_at.is_(None), Document.review_due_on <= today))
    since = func.coalesce(Document.last_reviewed_on, Revision.effective_date)
    rest = (select(literal(0), since, Document.review_interval_months, func.count())
            .select_from(Document)
            .outerjoin(Revision, (Revision.document_id == Document.id) & (Revision.status == EFFECTIVE))
            .where(Document.withdrawn_at.is_(None), Document.review_due_on.is_(None))
            .group_by(since, Document.review_interval_months))
    total = 0
    for is_kept, start, months, n in db.session.execute(union_all(kept, rest)).all():
        if is_kept:
            total += n
        elif start is not None and add_months(_as_date(start), months) <= today:
            total += n
    return total


def _as_date(value) -> date:
    """A date from a coalesce() (SQLite answers text there, without the column's type)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def overdue_reviews(today: date) -> list[tuple[Document, date]]:
    """Documents in force whose review date has passed, oldest first: two statements."""
    return [(doc, due) for doc, due in review_dates() if due <= today]


# ------------------------------------------------------------------ one document's page
def document_for_page(code: str) -> Document | None:
    """A document with everything its page shows: revisions with their signatures and records, links, services and
    sites — four statements."""
    from portal.documents.services import normalise_code

    return db.session.scalars(_page_statement(), {"code_key": normalise_code(code).upper()}).unique().first()


@cache
def _page_statement():
    """`document_for_page`'s statement, built once: its loader options cost more to build than to run."""
    return (select(Document).options(joinedload(Document.revisions).options(joinedload(Revision.signatures),
                                                                            selectinload(Revision.records)),
                                     joinedload(Document.links), selectinload(Document.services),
                                     selectinload(Document.sites))
            .where(Document.code_key == bindparam("code_key")))


def related_and_citing(doc: Document) -> tuple[dict[str, Document], list[Document]]:
    """The registered documents this one links to (by code) and those whose links cite it, in one statement."""
    targets = {l.target_code.upper(): l.target_code for l in doc.links if l.target_code}
    citing = select(DocumentLink.document_id).where(DocumentLink.target_code == doc.code)
    cites = Document.id.in_(citing).label("cites")
    # The ids as a UNION, not "code IN (…) OR id IN (…)": PostgreSQL cannot answer an OR with a subquery from two
    # indexes and reads the whole register instead (SQLite can; both plan the union as index lookups).
    wanted = select(Document.id).where(Document.code_key.in_(list(targets) or [""])).union(citing)
    rows = db.session.execute(bare(select(Document, cites)).where(Document.id.in_(wanted))
                              .order_by(Document.code)).all()
    related = {targets[d.code_key]: d for d, _cites in rows if d.code_key in targets}
    return related, [d for d, cites_it in rows if cites_it]

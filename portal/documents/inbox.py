"""What the document register puts on each user's home page."""
from __future__ import annotations

from functools import cache

from flask import g, url_for
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from portal.core.inbox import Counts, InboxItem, provider
from portal.core.i18n import local_today
from portal.documents import copies, queries, services
from portal.documents.models import CHECKED, DRAFT, SUBMITTED, ChangeRequest, Document, Revision
from portal.extensions import db


def _summary(user) -> dict[str, int]:
    """The register's numbers for this user's home page in one statement, computed once per request: revisions to
    read, revisions by signing status, open change requests."""
    cached = g.get("_documents_summary")
    if cached is not None:
        return cached
    row = db.session.execute(_summary_statement(bool(user.services)), services.unread_parameters(user)).one()
    g._documents_summary = summary = dict(zip(("unread", "open_requests", DRAFT, SUBMITTED, CHECKED), row))
    return summary


@cache
def _summary_statement(with_services: bool):
    """`_summary`'s statement with the user as bound parameters, built once per shape (not on every home page)."""
    by_status = [select(func.count(Revision.id)).where(Revision.status == status).scalar_subquery()
                 for status in (DRAFT, SUBMITTED, CHECKED)]
    unread = services.unread_count_expression(with_services)  # from the small sides, not a test of every revision
    open_requests = select(func.count(ChangeRequest.id)).where(ChangeRequest.status == "open").scalar_subquery()
    return select(unread, open_requests, *by_status)


@provider
def to_read(user) -> list[InboxItem]:
    """How many revisions in force the user must still read and confirm: one line, with its own page."""
    if not user.can("documents.read"):
        return []
    n = _summary(user)["unread"]
    if not n:
        return []
    return [InboxItem(title=_("%(n)d document(s) to read and confirm", n=n), url=url_for("documents.to_read"),
                      kind="read")]


@provider
def to_sign(user) -> list[InboxItem]:
    """Revisions waiting for this user's signature, counted by what their roles allow (one statement)."""
    wanted = {status: label for permission, status, label in (
        ("documents.draft", DRAFT, _("%(n)d draft revision(s) to finish and submit")),
        ("documents.check", SUBMITTED, _("%(n)d revision(s) to check")),
        ("documents.approve", CHECKED, _("%(n)d revision(s) to approve"))) if user.can(permission)}
    if not wanted:
        return []
    counts = _summary(user)
    return [InboxItem(title=label % {"n": counts[status]}, url=url_for("documents.work"), kind="sign")
            for status, label in wanted.items() if counts.get(status)]


@provider
def returned_drafts(user) -> list[InboxItem]:
    """Drafts sent back by a checker or approver: who, when and why, for the document controller (one statement)."""
    if not user.can("documents.draft"):
        return []
    rows = db.session.execute(select(Document.code, Revision.number, Revision.returned_by, Revision.returned_reason)
                              .join(Document, Document.id == Revision.document_id)
                              .where(Revision.status == DRAFT, Revision.returned_at.is_not(None))
                              .order_by(Revision.returned_at.desc()).limit(10)).all()
    return [InboxItem(title=_("Returned: %(code)s rev %(n)s by %(name)s", code=code, n=number, name=by),
                      url=url_for("documents.edit_revision", code=code, number=number), detail=reason, kind="returned")
            for code, number, by, reason in rows]


@provider
def change_requests(user) -> list[InboxItem]:
    """Open requests for the document controller; decisions the proposer has not yet seen."""
    items = []
    if user.can("documents.manage"):
        count = _summary(user)["open_requests"]
        if count:
            items.append(InboxItem(title=_("%(n)d change request(s) to decide", n=count),
                                   url=url_for("documents.change_requests"), kind="decide"))
    for cr in db.session.scalars(_decided_requests_statement(), {"proposer_id": user.id}):
        outcome = _("accepted") if cr.status == "accepted" else _("rejected")
        items.append(InboxItem(title=_("Your change request for %(code)s was %(outcome)s", code=cr.document.code, outcome=outcome),
                               url=url_for("documents.my_requests"), detail=cr.decision_reason, kind="outcome"))
    return items


@cache
def _decided_requests_statement():
    """The user's change requests decided and not yet seen, built once (its options are costly to build)."""
    return (select(ChangeRequest).options(joinedload(ChangeRequest.document).lazyload("*"))
            .where(ChangeRequest.proposer_id == bindparam("proposer_id"), ChangeRequest.status != "open",
                   ChangeRequest.seen_by_proposer.is_(False)).limit(20))


@provider
def overdue_reviews(user) -> list[InboxItem]:
    if not user.can("documents.review"):
        return []
    n = queries.count_overdue_reviews(local_today())
    if not n:
        return []
    return [InboxItem(title=_("%(n)d document(s) overdue for periodic review", n=n), url=url_for("documents.reviews"),
                      kind="review")]


@provider
def copies_to_withdraw(user) -> list[InboxItem] | Counts:
    """The count joins the other providers' numbers in one statement (core.inbox.Counts); the first few copies are
    read only when there are some."""
    if not user.can("documents.copies"):
        return []
    def items(values) -> list[InboxItem]:
        n = int(values[0] or 0)
        if not n:
            return []
        _n, first = copies.withdrawal_summary(5)
        return [InboxItem(title=_("%(n)d controlled copy(ies) to withdraw", n=n), url=url_for("documents.withdrawals"),
                          detail=", ".join(f"{code} No. {number}" for code, number in first), kind="decide")]

    return Counts(_copies_columns(), items, key="documents.copies")


@cache
def _copies_columns() -> list:
    from portal.documents.models import ControlledCopy

    return [select(func.count(ControlledCopy.id)).where(ControlledCopy.status == copies.WITHDRAWAL_DUE)]

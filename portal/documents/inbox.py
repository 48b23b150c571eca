"""What the document register puts on each user's home page."""
from __future__ import annotations

from functools import cache

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from portal.core import fragments
from portal.core.inbox import Counts, InboxItem, kept_counts, provider
from portal.core.i18n import local_today
from portal.documents import copies, queries, services
from portal.documents.models import CHECKED, DRAFT, SUBMITTED, ChangeRequest, Document, Revision
from portal.extensions import db


# The register's numbers (revisions to read, revisions by signing status, open change requests, the proposer's
# decided requests) join the other modules' numbers in the home page's one statement (core.inbox.Counts); their
# columns are built once per shape, the user's values bound at execution.

@cache
def _unread_columns(with_services: bool) -> list:
    # from the small sides, not a test of every revision (services.unread_count_expression)
    return [select(services.unread_count_expression(with_services))]


@provider
def to_read(user) -> list[InboxItem] | Counts:
    """How many revisions in force the user must still read and confirm: one line, with its own page."""
    if not user.can("documents.read"):
        return []
    with_services = bool(user.service_ids)

    def items(values) -> list[InboxItem]:
        n = int(values[0] or 0)
        if not n:
            return []
        return [InboxItem(title=_("%(n)d document(s) to read and confirm", n=n), url=url_for("documents.to_read"),
                          kind="read")]

    return Counts(_unread_columns(with_services), items, services.unread_parameters(user),
                  key=("documents.unread", with_services))


@cache
def _status_columns(statuses: tuple[str, ...]) -> list:
    return [select(func.count(Revision.id)).where(Revision.status == status) for status in statuses]


@provider
def to_sign(user) -> list[InboxItem]:
    """Revisions waiting for this user's signature, counted by what their roles allow."""
    wanted = [(status, label) for permission, status, label in (
        ("documents.draft", DRAFT, _("%(n)d draft revision(s) to finish and submit")),
        ("documents.check", SUBMITTED, _("%(n)d revision(s) to check")),
        ("documents.approve", CHECKED, _("%(n)d revision(s) to approve"))) if user.can(permission)]
    if not wanted:
        return []
    statuses = tuple(status for status, _label in wanted)
    # The register's own numbers: kept while it is unchanged (core/fragments.py memo), counted when it changed.
    values = kept_counts("documents", ("documents.to_sign", statuses), _status_columns(statuses))
    return [InboxItem(title=label % {"n": int(n)}, url=url_for("documents.work"), kind="sign")
            for (_status, label), n in zip(wanted, values) if n]


@provider
def returned_drafts(user) -> list[InboxItem]:
    """Drafts sent back by a checker or approver: who, when and why, for the document controller (one statement)."""
    if not user.can("documents.draft"):
        return []
    # The register's own data: kept while it is unchanged (core/fragments.py memo), not read on every visit.
    rows = fragments.memo("documents", ("documents.returned_drafts",), lambda: tuple(
        tuple(row) for row in db.session.execute(
            select(Document.code, Revision.number, Revision.returned_by, Revision.returned_reason)
            .join(Document, Document.id == Revision.document_id)
            .where(Revision.status == DRAFT, Revision.returned_at.is_not(None))
            .order_by(Revision.returned_at.desc()).limit(10))))
    return [InboxItem(title=_("Returned: %(code)s rev %(n)s by %(name)s", code=code, n=number, name=by),
                      url=url_for("documents.edit_revision", code=code, number=number), detail=reason, kind="returned")
            for code, number, by, reason in rows]


@provider
def change_requests(user) -> list[InboxItem] | Counts:
    """Open requests for the document controller; decisions the proposer has not yet seen (read, with their
    documents, only when there are some)."""
    manages = user.can("documents.manage")
    proposer_id = user.id

    def items(values) -> list[InboxItem]:
        out = []
        if manages and values[0]:
            out.append(InboxItem(title=_("%(n)d change request(s) to decide", n=int(values[0])),
                                 url=url_for("documents.change_requests"), kind="decide"))
        if not values[-1]:
            return out
        for cr in db.session.scalars(_decided_requests_statement(), {"proposer_id": proposer_id}):
            outcome = _("accepted") if cr.status == "accepted" else _("rejected")
            out.append(InboxItem(title=_("Your change request for %(code)s was %(outcome)s", code=cr.document.code,
                                         outcome=outcome),
                                 url=url_for("documents.my_requests"), detail=cr.decision_reason, kind="outcome"))
        return out

    return Counts(_request_columns(manages), items, {"documents_proposer_id": user.id}, key=("documents.requests", manages))


@cache
def _request_columns(manages: bool) -> list:
    decided = (select(func.count(ChangeRequest.id))
               .where(ChangeRequest.proposer_id == bindparam("documents_proposer_id"), ChangeRequest.status != "open",
                      ChangeRequest.seen_by_proposer.is_(False)))
    if not manages:
        return [decided]
    return [select(func.count(ChangeRequest.id)).where(ChangeRequest.status == "open"), decided]


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

"""What the document register puts on each user's home page."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.core.i18n import fmt_date
from portal.core.inbox import InboxItem, provider
from portal.documents import copies, services
from portal.documents.models import CHECKED, DRAFT, SUBMITTED, ChangeRequest, Revision
from portal.extensions import db


@provider
def to_read(user) -> list[InboxItem]:
    """Effective revisions of the user's services and site not yet acknowledged."""
    if not user.can("documents.read"):
        return []
    return [InboxItem(title=_("Read and confirm %(code)s rev %(n)s", code=r.document.code, n=r.number),
                      url=url_for("documents.show", code=r.document.code), detail=r.document.title,
                      due=_("effective %(date)s", date=fmt_date(r.effective_date)), kind="read")
            for r in services.unread_for(user)]


@provider
def to_sign(user) -> list[InboxItem]:
    """Revisions waiting for this user's signature, by what their roles allow."""
    waiting = []
    for permission, status, label in (("documents.draft", DRAFT, _("Draft to finish and submit")),
                                      ("documents.check", SUBMITTED, _("Revision to check")),
                                      ("documents.approve", CHECKED, _("Revision to approve"))):
        if user.can(permission):
            for rev in db.session.scalars(select(Revision).where(Revision.status == status).order_by(Revision.created_at)):
                waiting.append(InboxItem(title=f"{label}: {rev.document.code} rev {rev.number}",
                                         url=url_for("documents.revision", code=rev.document.code, number=rev.number),
                                         detail=rev.document.title, kind="sign"))
    return waiting


@provider
def change_requests(user) -> list[InboxItem]:
    """Open requests for the document controller; decisions the proposer has not yet seen."""
    items = []
    if user.can("documents.manage"):
        count = db.session.scalar(select(func.count(ChangeRequest.id)).where(ChangeRequest.status == "open"))
        if count:
            items.append(InboxItem(title=_("%(n)d change request(s) to decide", n=count),
                                   url=url_for("documents.change_requests"), kind="decide"))
    for cr in db.session.scalars(select(ChangeRequest).where(ChangeRequest.proposer_id == user.id, ChangeRequest.status != "open",
                                                             ChangeRequest.seen_by_proposer.is_(False))):
        outcome = _("accepted") if cr.status == "accepted" else _("rejected")
        items.append(InboxItem(title=_("Your change request for %(code)s was %(outcome)s", code=cr.document.code, outcome=outcome),
                               url=url_for("documents.my_requests"), detail=cr.decision_reason, kind="outcome"))
    return items


@provider
def overdue_reviews(user) -> list[InboxItem]:
    if not user.can("documents.review"):
        return []
    overdue = services.overdue_reviews()
    if not overdue:
        return []
    return [InboxItem(title=_("%(n)d document(s) overdue for periodic review", n=len(overdue)), url=url_for("documents.reviews"),
                      kind="review")]


@provider
def copies_to_withdraw(user) -> list[InboxItem]:
    if not user.can("documents.copies"):
        return []
    tasks = copies.withdrawal_tasks()
    if not tasks:
        return []
    return [InboxItem(title=_("%(n)d controlled copy(ies) to withdraw", n=len(tasks)), url=url_for("documents.withdrawals"),
                      detail=", ".join(f"{c.revision.document.code} No. {c.number}" for c in tasks[:5]), kind="decide")]

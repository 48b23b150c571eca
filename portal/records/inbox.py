"""What the records module puts on each user's home page: drafts to finish, records to approve."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from portal.core.i18n import fmt_date
from portal.core.inbox import InboxItem, provider
from portal.extensions import db
from portal.records import services
from portal.records.models import DRAFT, SUBMITTED, Record
from portal.records.queries import visible_records


@provider
def drafts(user) -> list[InboxItem]:
    """The user's own drafts (and records returned to them)."""
    if not user.can("records.fill"):
        return []
    stmt = select(Record).where(Record.created_by_id == user.id, Record.status == DRAFT).order_by(Record.period_start)
    return [InboxItem(title=(_("Returned record to correct: %(n)s %(code)s", n=r.number, code=r.form_code) if r.return_reason
                             else _("Draft record to finish: %(n)s %(code)s", n=r.number, code=r.form_code)),
                      url=url_for("records.show", record_id=r.id), detail=r.return_reason or r.form_document.title,
                      due=fmt_date(r.period_start), kind="draft")
            for r in db.session.scalars(stmt.limit(50))]


@provider
def to_approve(user) -> list[InboxItem]:
    """Submitted records of the user's scope waiting for an approver (not their own)."""
    if not user.can("records.approve"):
        return []
    stmt = visible_records(user).where(Record.status == SUBMITTED, Record.created_by_id != user.id).order_by(Record.submitted_at)
    return [InboxItem(title=_("Record to approve: %(n)s %(code)s", n=r.number, code=r.form_code),
                      url=url_for("records.show", record_id=r.id),
                      detail=f"{r.form_document.title} — {r.created_by.full_name}", due=fmt_date(r.period_start), kind="sign")
            for r in db.session.scalars(stmt.limit(50))]


@provider
def disposal_due(user) -> list[InboxItem]:
    if not user.can("records.dispose"):
        return []
    queue = [r for r, _due in services.disposal_queue() if not r.legal_hold]
    if not queue:
        return []
    return [InboxItem(title=_("%(n)d record(s) past retention to dispose of", n=len(queue)),
                      url=url_for("records.disposal"), kind="decide")]


@provider
def copies_to_withdraw(user) -> list[InboxItem]:
    if not user.can("documents.copies"):
        return []
    from portal.printing import copies

    tasks = copies.withdrawal_tasks()
    if not tasks:
        return []
    return [InboxItem(title=_("%(n)d controlled copy(ies) to withdraw", n=len(tasks)), url=url_for("printing.withdrawals"),
                      detail=", ".join(f"{c.revision.document.code} No. {c.number}" for c in tasks[:5]), kind="decide")]

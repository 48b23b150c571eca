"""What the records module puts on each user's home page: drafts to finish, records to approve."""
from __future__ import annotations

from datetime import date
from functools import cache

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.orm import lazyload

from portal.core.i18n import fmt_date
from portal.core.inbox import Counts, InboxItem, json_rows, provider, rows_column
from portal.documents.models import Document
from portal.extensions import db
from portal.records import services
from portal.records.models import DRAFT, SUBMITTED, Record, record_number
from portal.records.queries import visible_records

# A home-page item shows the record's number, form and author: nothing else is loaded with it.
LIGHT = (lazyload(Record.form_revision), lazyload(Record.site), lazyload(Record.service), lazyload(Record.signatures))


@provider
def drafts(user) -> list[InboxItem] | Counts:
    """The user's own drafts (and records returned to them): their rows come with the other providers' numbers in
    the one combined statement (core.inbox.rows_column)."""
    if not user.can("records.fill"):
        return []

    def items(values) -> list[InboxItem]:
        rows = sorted(json_rows(values[0]), key=lambda row: (row[3], row[0]))
        return [InboxItem(title=(_("Returned record to correct: %(n)s %(code)s", n=record_number(record_id), code=code)
                                 if reason else _("Draft record to finish: %(n)s %(code)s", n=record_number(record_id), code=code)),
                          url=url_for("records.show", record_id=record_id), detail=reason or title,
                          due=fmt_date(date.fromisoformat(period_start)), kind="draft")
                for record_id, code, reason, period_start, title in rows]

    sqlite = db.session.get_bind().dialect.name == "sqlite"
    return Counts(_drafts_columns(sqlite), items, {"drafts_user_id": user.id}, key=("records.drafts", sqlite))


@cache
def _drafts_columns(sqlite: bool) -> list:
    """The columns a draft's home-page line shows (no Record objects, whose joined relations cost more to set up
    than the line itself), as one JSON value, built once."""
    # SQLite has no statistics: it would walk every record the user ever filled (ix_record_created_by_id) to find
    # the few drafts (1.7 ms for 5,000 records). `+ 0` takes that index away, so it reads the drafts by the status
    # index (0.01 ms). PostgreSQL weighs both itself.
    author = (Record.created_by_id + 0) if sqlite else Record.created_by_id
    return [rows_column(select(Record.id, Record.form_code, Record.return_reason, Record.period_start, Document.title)
                        .join(Document, Document.id == Record.form_document_id)
                        .where(author == bindparam("drafts_user_id"), Record.status == DRAFT)
                        .order_by(Record.period_start).limit(50))]


LISTED = 5  # up to this many records to approve are listed one by one; more make one line to the filtered list


@provider
def to_approve(user) -> list[InboxItem] | Counts:
    """Submitted records of the user's scope waiting for an approver (not their own): counted with the other modules'
    numbers; listed one by one (one more statement) when there are a few, else one line to the list of them."""
    if not user.can("records.approve"):
        return []
    shape = ("all" if user.can("scope.all_sites") else "site" if user.can("records.read") else "none",
             bool(user.service_ids))

    def items(values) -> list[InboxItem]:
        n = int(values[0] or 0)
        if not n:
            return []
        if n > LISTED:
            return [InboxItem(title=_("%(n)d record(s) wait for your approval", n=n),
                              url=url_for("records.index", status=SUBMITTED), kind="sign")]
        stmt = (visible_records(user).options(*LIGHT).where(Record.status == SUBMITTED, Record.created_by_id != user.id)
                .order_by(Record.submitted_at))
        return [InboxItem(title=_("Record to approve: %(n)s %(code)s", n=r.number, code=r.form_code),
                          url=url_for("records.show", record_id=r.id),
                          detail=f"{r.form_document.title} — {r.created_by.full_name}", due=fmt_date(r.period_start),
                          kind="sign")
                for r in db.session.scalars(stmt.limit(LISTED))]

    return Counts(_approve_columns(*shape, db.session.get_bind().dialect.name == "sqlite"), items,
                  {"records_user_id": user.id, "records_site_id": user.site_id,
                   "records_service_ids": list(user.service_ids or [])}, key=("records.to_approve", *shape))


@cache
def _approve_columns(scope: str, with_services: bool, sqlite: bool) -> list:
    """The count of `to_approve`, built once per shape: the same rule as queries.visible_records (less the user's
    own records, which they may not approve), the user's id, site and services as bound parameters."""
    from sqlalchemy import false, func

    from portal.records.queries import site_scope

    stmt = select(func.count(Record.id)).where(Record.status == SUBMITTED,
                                               Record.created_by_id != bindparam("records_user_id"))
    if scope == "site":
        # SQLite has no statistics: by the site index it would read every record of the site (2 ms at 5,000) to
        # find the few submitted ones; `+ 0` takes that index away, so it reads them by the status index.
        stmt = stmt.where(site_scope(bindparam("records_site_id"),
                                     bindparam("records_service_ids", expanding=True) if with_services else None,
                                     (Record.site_id + 0) if sqlite else Record.site_id))
    elif scope == "none":  # sees only their own records, and may not approve those
        stmt = stmt.where(false())
    return [stmt]


@provider
def disposal_due(user) -> list[InboxItem]:
    if not user.can("records.dispose"):
        return []
    n = services.count_disposable()
    if not n:
        return []
    return [InboxItem(title=_("%(n)d record(s) past retention to dispose of", n=n),
                      url=url_for("records.disposal"), kind="decide")]



def period_bounds(due: str, today):
    """The current period of a form due daily, weekly (Monday to Sunday) or monthly."""
    from datetime import timedelta

    if due == "weekly":
        start = today - timedelta(days=today.weekday())
        return start, start + timedelta(days=6)
    if due == "monthly":
        start = today.replace(day=1)
        nxt = (start + timedelta(days=32)).replace(day=1)
        return start, nxt - timedelta(days=1)
    return today, today


@provider
def forms_due(user) -> list[InboxItem] | Counts:
    """Forms the user's role is expected to fill this day / week / month, with no record yet at their site."""
    if not user.can("records.fill"):
        return []
    from portal.core.i18n import local_today

    today = local_today()
    labels = {"daily": _("today"), "weekly": _("this week"), "monthly": _("this month")}
    wanted = []
    roles, service_ids = set(user.roles), user.service_ids
    for form in services.forms_in_force():
        due, by = form.schema.get("due"), form.schema.get("by") or []
        if not due or not (set(by) & roles):
            continue
        if form.service_ids and not (form.service_ids & service_ids):
            continue
        wanted.append((form, due, *period_bounds(due, today)))
    if not wanted:
        return []

    def items(values) -> list[InboxItem]:
        filled = [(code, date.fromisoformat(day)) for code, day in json_rows(values[0])]
        out = []
        for form, due, start, end in wanted:
            if not any(code == form.code and start <= day <= end for code, day in filled):
                out.append(InboxItem(title=_("%(code)s due %(when)s: %(title)s", code=form.code, when=labels[due], title=form.title),
                                     url=url_for("records.new", code=form.code), detail=_("No record yet for %(site)s.", site=user.site.name),
                                     due=fmt_date(end), kind="due"))
        return out

    # The records of the wanted forms in their periods come with the other providers' numbers (one statement).
    return Counts(_filled_columns(), items, {
        "due_codes": [form.code for form, *_rest in wanted], "due_site_id": user.site_id,
        "due_earliest": min(start for _form, _due, start, _end in wanted),
        "due_latest": max(end for *_rest, end in wanted)}, key=("records.forms_due",))


@cache
def _filled_columns() -> list:
    return [rows_column(select(Record.form_code, Record.period_start).where(
        Record.form_code.in_(bindparam("due_codes", expanding=True)), Record.site_id == bindparam("due_site_id"),
        Record.period_start >= bindparam("due_earliest"), Record.period_start <= bindparam("due_latest")))]

"""Filterable audit trail page and its Excel export."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, Response, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from portal.audit import trail
from portal.auth.models import User
from portal.core.urls import db_int
from portal.core import audit
from portal.core.audit import AuditEvent
from portal.core.db import utcnow
from portal.core.htmx import render
from portal.core.i18n import fmt_datetime, get_timezone_name, to_local
from portal.core.permissions import require
from portal.core.xlsx import XLSX_MIMETYPE, build_workbook
from portal.extensions import db

bp = Blueprint("audit", __name__)
PAGE_SIZE = 50


def _parse_day(value: str | None):
    """A filter date; None when unreadable or outside the years a record can be about (9999-12-31 is refused)."""
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date() if value else None
    except ValueError:
        return None
    return day if day is None or 1900 <= day.year <= 2999 else None


def _filters() -> tuple[dict, list]:
    args = request.args
    f = {
        "actor": (args.get("actor") or "").strip().lower(),
        "action": (args.get("action") or "").strip(),
        "object_type": (args.get("object_type") or "").strip(),
        "object_id": (args.get("object_id") or "").strip(),
        "object": (args.get("object") or "").strip(),
        "start": _parse_day(args.get("start")),
        "end": _parse_day(args.get("end")),
    }
    errors = []
    if args.get("start") and f["start"] is None:
        errors.append(_("The start date is not a valid date."))
    if args.get("end") and f["end"] is None:
        errors.append(_("The end date is not a valid date."))
    return f, errors


def _local_day_start_utc(day) -> datetime:
    from zoneinfo import ZoneInfo
    from datetime import timezone

    local = datetime.combine(day, time.min).replace(tzinfo=ZoneInfo(get_timezone_name()))
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def _query(f: dict):
    """The events matching the filters, newest first, each with its actor's full name (one statement)."""
    stmt = (select(AuditEvent, User.full_name).outerjoin(User, User.id == AuditEvent.actor_id)
            .order_by(AuditEvent.id.desc()))
    if f["actor"]:
        # A person by user name or by (part of) their full name.
        named = select(User.id).where(func.lower(User.full_name).contains(f["actor"], autoescape=True))
        stmt = stmt.where(or_(AuditEvent.actor_name == f["actor"], AuditEvent.actor_id.in_(named)))
    if f["action"]:
        # "user" matches user.created, user.updated, ...; "user.created" matches exactly.
        if "." in f["action"]:
            stmt = stmt.where(AuditEvent.action == f["action"])
        else:
            stmt = stmt.where(AuditEvent.action.startswith(f["action"] + "."))
    if f["object_type"]:
        stmt = stmt.where(AuditEvent.object_type == f["object_type"])
    if f["object_id"]:
        stmt = stmt.where(AuditEvent.object_id == f["object_id"])
    if f["object"]:
        stmt = stmt.where(trail.find(f["object"]))
    if f["start"]:
        stmt = stmt.where(AuditEvent.created_at >= _local_day_start_utc(f["start"]))
    if f["end"]:
        stmt = stmt.where(AuditEvent.created_at < _local_day_start_utc(f["end"] + timedelta(days=1)))
    return stmt


@bp.route("/")
@require("audit.view")
def events():
    f, errors = _filters()
    stmt = _query(f)
    before = request.args.get("before", type=db_int)
    if before:
        stmt = stmt.where(AuditEvent.id < before)
    rows = db.session.execute(stmt.limit(PAGE_SIZE + 1)).all()
    more = len(rows) > PAGE_SIZE
    lines = trail.describe(rows[:PAGE_SIZE], current_user)
    block = "results" if request.headers.get("HX-Target") == "audit-results" else "content"
    return render("audit/events.html", block=block, rows=lines, more=more, f=f, errors=errors,
                  actions=trail.action_choices(), object_types=trail.type_choices(),
                  next_before=lines[-1].event.id if more else None, status=422 if errors else 200)


@bp.route("/export.xlsx")
@require("audit.export")
def export():
    f, errors = _filters()
    if errors:
        return render("audit/events.html", rows=[], more=False, f=f, errors=errors, actions=trail.action_choices(),
                      object_types=trail.type_choices(), next_before=None, status=422)
    tz = get_timezone_name()
    headers = [_("No."), _("Time (UTC)"), _("Local time"), _("What happened"), _("User"), _("Action"), _("Object type"),
               _("Object id"), _("Object"), _("Old values"), _("New values"), _("Reason"), _("Address"), _("Hash")]

    def rows():
        # The sentence beside the raw codes; objects named a thousand events at a time (one statement each).
        batch = []
        for row in db.session.execute(_query(f).execution_options(yield_per=1000)):
            batch.append(tuple(row))
            if len(batch) == 1000:
                yield from _export_rows(batch, tz)
                batch = []
        yield from _export_rows(batch, tz)

    data = build_workbook(_("Audit trail"), headers, rows(),
                          widths=[8, 20, 26, 60, 14, 24, 14, 10, 24, 40, 40, 30, 16, 66])
    audit.exported({k: v for k, v in f.items() if v})
    stamp = to_local(utcnow(), tz).strftime("%Y%m%d-%H%M")
    return Response(data, mimetype=XLSX_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="audit-trail-{stamp}.xlsx"'})



def _export_rows(batch: list, tz: str):
    for line in trail.describe(batch, current_user):
        e = line.event
        yield [e.id, e.created_at, fmt_datetime(e.created_at, tz, seconds=True), line.text, e.actor_name, e.action,
               e.object_type, e.object_id, line.object_code, e.old_values, e.new_values, e.reason, e.client_address,
               e.hash]

"""Reading the register: the filtered list (paged by key), the trends over months (one GROUP BY statement) and the
rows of the Excel / PDF register."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, func, select

from portal.auth.models import Service, Site
from portal.capa.models import ACTION_DONE, CLOSED, STATUSES, Action, Nonconformity
from portal.core.urls import db_int
from portal.extensions import db


def filtered(args, user, today: date):
    """The register's SELECT for the list filters: source, classification, status, site, service, overdue, owner=me."""
    stmt = select(Nonconformity)
    if args.get("source"):
        stmt = stmt.where(Nonconformity.source == args.get("source"))
    if args.get("classification"):
        stmt = stmt.where(Nonconformity.classification == args.get("classification"))
    status = args.get("status")
    if status in STATUSES:
        stmt = stmt.where(Nonconformity.status == status)
    elif status == "active":
        stmt = stmt.where(Nonconformity.status != CLOSED)
    site = args.get("site", type=db_int) if hasattr(args, "getlist") else None
    if site:
        stmt = stmt.where(Nonconformity.site_id == site)
    service = args.get("service", type=db_int) if hasattr(args, "getlist") else None
    if service:
        stmt = stmt.where(Nonconformity.service_id == service)
    if args.get("overdue"):
        stmt = stmt.where(exists().where(Action.nc_id == Nonconformity.id, Action.status != ACTION_DONE, Action.due_on < today))
    if args.get("owner") == "me":
        stmt = stmt.where(exists().where(Action.nc_id == Nonconformity.id, Action.owner_id == user.id))
    return stmt


def action_figures(nc_ids: list[int], today: date) -> dict[int, tuple[int, int, int]]:
    """Per NC: (actions, open, overdue) in one statement."""
    if not nc_ids:
        return {}
    from sqlalchemy import case

    rows = db.session.execute(select(Action.nc_id, func.count(Action.id),
                                     func.sum(case((Action.status != ACTION_DONE, 1), else_=0)),
                                     func.sum(case(((Action.status != ACTION_DONE) & (Action.due_on < today), 1), else_=0)))
                              .where(Action.nc_id.in_(nc_ids)).group_by(Action.nc_id)).all()
    return {nc_id: (n or 0, int(o or 0), int(late or 0)) for nc_id, n, o, late in rows}


def months_back(month: date, n: int = 12) -> list[date]:
    out = [month]
    while len(out) < n:
        first = out[-1]
        out.append(date(first.year - 1, 12, 1) if first.month == 1 else date(first.year, first.month - 1, 1))
    return list(reversed(out))


@dataclass
class Trends:
    months: list[date]
    totals: dict[date, int] = field(default_factory=dict)
    # dimension -> {label: {month: count}}
    by: dict[str, dict[str, dict[date, int]]] = field(default_factory=dict)


def trends(until: date, n: int = 12) -> Trends:
    """NCs found per month by source, classification, SOP (document code), site and service: one statement."""
    months = months_back(until.replace(day=1), n)
    rows = db.session.execute(
        select(Nonconformity.month, Nonconformity.source, Nonconformity.classification, Nonconformity.document_code,
               func.coalesce(Site.name, ""), func.coalesce(Service.name, ""), func.count(Nonconformity.id))
        .outerjoin(Site, Site.id == Nonconformity.site_id).outerjoin(Service, Service.id == Nonconformity.service_id)
        .where(Nonconformity.month >= months[0], Nonconformity.month <= months[-1])
        .group_by(Nonconformity.month, Nonconformity.source, Nonconformity.classification, Nonconformity.document_code,
                  Site.name, Service.name)).all()
    result = Trends(months=months, totals={m: 0 for m in months},
                    by={"source": {}, "classification": {}, "clause": {}, "site": {}, "service": {}})
    for month, source, classification, code, site, service, count in rows:
        result.totals[month] = result.totals.get(month, 0) + count
        for dim, key in (("source", source), ("classification", classification), ("clause", code or "—"),
                         ("site", site or "—"), ("service", service or "—")):
            cell = result.by[dim].setdefault(key, {})
            cell[month] = cell.get(month, 0) + count
    return result


def register_rows(stmt, limit: int = 5000) -> list[Nonconformity]:
    from sqlalchemy.orm import joinedload, selectinload

    return list(db.session.scalars(stmt.options(joinedload(Nonconformity.site), joinedload(Nonconformity.service),
                                                selectinload(Nonconformity.actions).joinedload(Action.owner))
                                   .order_by(Nonconformity.year, Nonconformity.seq).limit(limit)))

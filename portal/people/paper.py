"""The staffing report on paper: rendered in the background by printing/cache.py, keyed by what it shows."""
from __future__ import annotations

import dataclasses
from datetime import date

from sqlalchemy import select

from portal.core.pdf import render_pdf
from portal.extensions import db
from portal.printing import cache

STAFFING_KIND = "staffing"
RENDER_VERSION = 1


def staffing_key(first: date, last: date, site_id: int | None, rows, today: date) -> str:
    """The report's rows themselves (every figure and name) are the key: a changed figure is a new PDF."""
    return cache.cache_key(STAFFING_KIND, RENDER_VERSION, first, last, site_id, today,
                           [dataclasses.asdict(r) for r in rows])


def _render(object_id: int, ticket, first: str, last: str, site_id: int | None = None) -> tuple[bytes, None]:
    from portal.auth.models import Site
    from portal.core.i18n import local_today
    from portal.people import staffing

    first_d, last_d = date.fromisoformat(first), date.fromisoformat(last)
    rows = staffing.staffing(first_d, last_d, site_id)
    site_name = db.session.scalar(select(Site.name).where(Site.id == site_id)) if site_id else ""
    return render_pdf("pdf/staffing.html", rows=rows, first=first_d, last_day=staffing.month_end(last_d),
                      site_name=site_name, today=local_today()), None


cache.register_renderer(STAFFING_KIND, _render, printout=False)

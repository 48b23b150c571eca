"""The QVS report on paper: rendered in the background by printing/cache.py, keyed by every figure it shows (a
changed figure is a new PDF) and by the viewer's scope (the renderer computes the same scope for the same person)."""
from __future__ import annotations

import dataclasses
from datetime import date

from portal.core.pdf import render_pdf
from portal.extensions import db
from portal.printing import cache

QVS_KIND = "tapping_qvs"
SCORES_KIND = "tapping_scores"
RENDER_VERSION = 1


def qvs_key(month: date, m, points, reasons, today: date) -> str:
    figures = [dataclasses.asdict(f) for f in [m.totals, *m.agents, *m.teams, *m.sites, *m.services]]
    trend = [(p[0], dataclasses.asdict(p[1]), p[2]) for p in points]
    return cache.cache_key(QVS_KIND, RENDER_VERSION, month, today, m.target, figures, trend, reasons)


def _render(object_id: int, ticket, month: str, viewer: int) -> tuple[bytes, None]:
    from flask import current_app

    from portal.auth.models import User
    from portal.core.i18n import local_today
    from portal.tapping import qvs
    from portal.tapping.permissions import call_scope

    first = date.fromisoformat(month)
    scope = call_scope(db.session.get(User, viewer))
    points = qvs.trend(first, scope)
    m = qvs.month_figures(first, scope, points[-1][2])
    return render_pdf("pdf/tapping_qvs.html", month=first, m=m, chart=qvs.chart(points), reasons=qvs.return_reasons(first, scope),
                      today=local_today(), organisation=current_app.config["PORTAL_ORGANISATION"]), None


def scores_key(month: date, m, trend, today: date) -> str:
    figures = [dataclasses.asdict(f) for f in [m.totals, *m.agents, *m.services]]
    return cache.cache_key(SCORES_KIND, RENDER_VERSION, month, today, figures, [(p[0], dataclasses.asdict(p[1])) for p in trend])


def _render_scores(object_id: int, ticket, month: str, viewer: int) -> tuple[bytes, None]:
    """The month's inbound scores on paper (averages per agent and service, the last six months); no customer number."""
    from flask import current_app

    from portal.auth.models import User
    from portal.core.i18n import local_today
    from portal.tapping import scores
    from portal.tapping.models import InboundCall
    from portal.tapping.permissions import call_scope

    first = date.fromisoformat(month)
    scope = call_scope(db.session.get(User, viewer), InboundCall)
    return render_pdf("pdf/tapping_scores.html", month=first, m=scores.month_figures(first, scope),
                      trend=scores.months(first, scope), calls=scores.month_calls(first, scope, limit=1000),
                      today=local_today(), organisation=current_app.config["PORTAL_ORGANISATION"]), None


def register_kinds() -> None:
    cache.register_renderer(QVS_KIND, _render, printout=False)
    cache.register_renderer(SCORES_KIND, _render_scores, printout=False)

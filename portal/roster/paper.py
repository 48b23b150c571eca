"""The month roster on paper: its PDF rendered by the background job of printing/cache.py, once per content."""
from __future__ import annotations

import hashlib
from datetime import date

from flask import render_template
from flask_babel import gettext as _

from portal.core.i18n import local_today
from portal.core.pdf import html_to_pdf
from portal.extensions import db
from portal.people.models import Team
from portal.printing import cache
from portal.roster import services as roster

ROSTER_PDF = "roster_month"
RENDER_VERSION = 1  # raise when templates/pdf/roster.html changes in a way its HTML does not show


def html(team: Team, month: date, size: str) -> str:
    """The roster's paper as HTML (cheap: the grid in five statements and a template, no WeasyPrint)."""
    return render_template("pdf/roster.html", g=roster.grid(team, month, local_today()), size=size, today=local_today(),
                           weekdays=[_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")])


def pdf_key(page: str) -> str:
    """The key of the PDF of this HTML: every cell, name, shift and day off it shows (a change is a new PDF)."""
    return cache.cache_key(ROSTER_PDF, RENDER_VERSION, hashlib.sha256(page.encode()).hexdigest())


def _render(object_id: int, ticket, month: str, size: str) -> tuple[bytes, None]:
    return html_to_pdf(html(db.session.get(Team, object_id), date.fromisoformat(month), size)), None


cache.register_renderer(ROSTER_PDF, _render, printout=False)

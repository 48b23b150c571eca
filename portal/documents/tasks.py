"""Background work of the documents module: approved revisions become effective on their date, by schedule.

Nobody has to open a page: the scheduler enqueues `documents.activate` at 00:00 in the portal's time zone and every
15 minutes after (a catch-up that costs one query when nothing is due), so the page, the API and the PDFs agree."""
from __future__ import annotations

from datetime import timedelta

from portal.core import jobs


@jobs.task("documents.activate")
def activate(ctx) -> None:
    """Make effective every approved revision whose effective date has come."""
    from portal.documents.services import activate_due

    due = activate_due()
    ctx.progress(len(due), len(due), f"{len(due)} revision(s) became effective")


jobs.schedule("documents.activate@midnight", "documents.activate", daily_at="00:00")
jobs.schedule("documents.activate@15min", "documents.activate", every=timedelta(minutes=15))

"""Background work of the people module: a contract that ended without extension ends the person's active status on
its last day, and their login stops the day after (run at 00:05 portal time, nobody has to open a page)."""
from __future__ import annotations

from portal.core import jobs


@jobs.task("people.end_expired")
def end_expired(ctx) -> None:
    """End the staff records whose last contract ended before today with no extension."""
    from portal.people.services import end_expired as run

    ended = run()
    ctx.progress(len(ended), len(ended), f"{len(ended)} staff record(s) ended")


jobs.schedule("people.end_expired@daily", "people.end_expired", daily_at="00:05")

"""One commit per request: the request ends with one commit, or with a rollback.

Services flush and never commit; views never commit. After the view returns, a response under 400 commits the
session; an error response or an exception rolls it back. A view that must keep changes although it answers with an
error (a failed sign-in is counted, an ended session is closed) calls `keep_changes()`. Commands and jobs commit
themselves, once, at the end of their unit of work."""
from __future__ import annotations

from flask import g

from portal.extensions import db


def keep_changes() -> None:
    """Commit this request's changes even if it answers with an error status."""
    g._uow_keep = True


def finish(response):
    """after_request: commit what the request changed (status < 400 or kept), else roll back."""
    if g.get("_uow_done"):
        return response
    g._uow_done = True
    if response.status_code < 400 or g.get("_uow_keep"):
        db.session.commit()
    else:
        db.session.rollback()
    return response


def init_app(app) -> None:
    # Registered first, so it runs last among after_request functions: after every hook that may still write.
    app.after_request_funcs.setdefault(None, []).insert(0, finish)

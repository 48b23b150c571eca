"""Friendly error pages in the user's language; fragments for htmx requests."""
from __future__ import annotations

from flask import request
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from flask_babel import lazy_gettext as _l

from portal.core.htmx import render
from portal.extensions import db

MESSAGES = {
    403: (_l("You do not have access to this page"),
          _l("Your roles do not allow this. If you need it for your work, ask the administrator or the QMR.")),
    404: (_l("Page not found"), _l("The address may be mistyped, or what it pointed to no longer exists.")),
    405: (_l("This action is not possible here"), _l("The page does not accept this kind of request. Use the buttons on the page.")),
    409: (_l("Someone else changed this at the same time"),
          _l("Nothing was saved by this request. Reload the page to see the latest version, then make your change again.")),
    413: (_l("The upload is too large"), _l("Send a smaller file.")),
    500: (_l("Something went wrong on our side"),
          _l("Nothing was saved by the failed request. Try again in a moment; if it happens again, tell the administrator the time it happened.")),
}
GENERIC = (_l("The request could not be handled"), _l("Check what you sent and try again."))


def render_error(code: int, error=None):
    """The error page (or its fragment, for htmx) in the user's language; JSON for the API."""
    if request.blueprint == "api":
        from flask import jsonify

        return jsonify({"error": code, "message": str(MESSAGES.get(code, GENERIC)[0])}), code
    heading, explanation = MESSAGES.get(code, GENERIC)
    return render("errors/error.html", status=code, code=code, heading=heading, explanation=explanation, error=error)

# Form fields never echoed back on the resend page.
SECRET_FIELDS = ("password", "csrf_token")


def _form_page() -> str:
    """Where the refused form can be opened again: the page it was sent from when that is on this site, else the
    address it was sent to when that page can be opened, else the home page."""
    from urllib.parse import urlsplit

    from flask import url_for
    from werkzeug.exceptions import HTTPException as RoutingError

    from portal.core.urls import safe_next

    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.scheme in ("http", "https"):
        target = referrer.path + (f"?{referrer.query}" if referrer.query else "")
        if safe_next(target, "") and target.split("?", 1)[0] != request.path:
            return target
    try:
        request.url_rule.map.bind(request.host).match(request.path, method="GET")
        return request.path
    except (RoutingError, AttributeError):
        return url_for("main.home")


def register(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        # What was posted may have been forged by another site: it is shown read-only, to be copied, and never
        # offered again with a fresh token (one click would send the forgery). Sending again is the user's own act,
        # from the form on the portal's own page.
        fields = []
        for name, values in request.form.lists():
            if any(secret in name.lower() for secret in SECRET_FIELDS):
                continue
            for value in values:
                if value.strip():
                    fields.append((name, value))
        had_secret = any(any(s in n.lower() for s in ("password",)) for n in request.form.keys())
        return render("errors/csrf.html", block="content", status=400, fields=fields, back=_form_page(),
                      had_secret=had_secret, reason=exc.description)

    @app.errorhandler(StaleDataError)
    def stale(exc):
        # Two saves of the same object at once: the second one is refused, never silently merged.
        db.session.rollback()
        return render_error(409, exc)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400:
            return exc
        return render_error(exc.code, exc)

    @app.errorhandler(Exception)
    def server_error(exc: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        try:
            db.session.rollback()
        except Exception:  # the database may be what failed
            app.logger.exception("rollback after error failed")
        try:
            return render_error(500, exc)
        except Exception:  # the error page itself failed: answer in plain text rather than not at all
            app.logger.exception("error page failed")
            return "500 - Terjadi kesalahan pada server. / Internal server error.", 500, {"Content-Type": "text/plain; charset=utf-8"}

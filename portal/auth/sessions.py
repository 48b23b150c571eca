"""Server-side sessions behind Flask-Login: a cookie token that the database can revoke at once."""
from __future__ import annotations

from flask import flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from portal.auth import services
from portal.auth.models import User
from portal.core.unit import begin_writing, keep_changes

SESSION_KEY = "sid"
# Endpoints a user who must change their password may still reach.
PASSWORD_CHANGE_ALLOWED = {"auth.account_password", "auth.logout", "static", "main.healthz", "main.set_language"}


def init_login(app, login_manager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = None  # our own server-side session does this job

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        row = services.find_session(session.get(SESSION_KEY))
        if row is None or row.ended_at is not None or str(row.user_id) != str(user_id):
            return None
        if not row.user.active:
            return None
        ended = "idle" if services.session_is_idle(row) else "expired" if services.session_is_too_old(row) else None
        if ended:
            begin_writing()
            row = services.find_session(session.get(SESSION_KEY))
            services.end_session(row, ended)
            keep_changes()  # the session is closed even though the answer is a redirect or a 401
            g.session_expired = True
            return None
        if services.touch_due(row):
            begin_writing()
            row = services.find_session(session.get(SESSION_KEY))
            services.touch_session(row)
            keep_changes()
        g.user_session = row
        return row.user

    @login_manager.request_loader
    def load_from_token(req) -> User | None:
        """API requests may carry a personal token instead of the session cookie."""
        if req.blueprint != "api":
            return None
        header = req.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return None
        user = services.user_for_token(header[7:].strip())
        if user is not None:
            keep_changes()  # last_used_at
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        if request.blueprint == "api":
            from flask import jsonify

            if g.get("api_token_expired"):
                return jsonify({"error": "unauthorized", "message": "this API token has expired; create a new one "
                                "under My account > API tokens"}), 401
            return jsonify({"error": "unauthorized", "message": "sign in or send Authorization: Bearer <token>"}), 401
        if g.get("session_expired"):
            message = _("Your session ended after %(n)d minutes without activity. Please sign in again.",
                        n=app.config["SESSION_IDLE_MINUTES"])
        else:
            message = _("Please sign in to open this page.")
        session.pop(SESSION_KEY, None)
        session.pop("_user_id", None)
        target = url_for("auth.login", next=request.full_path if request.method == "GET" else None)
        if request.headers.get("HX-Request"):
            flash(message, "warning")
            response = app.response_class("", 401)
            response.headers["HX-Redirect"] = target
            return response
        flash(message, "warning")
        return redirect(target)

    @app.before_request
    def force_password_change():
        from flask_login import current_user

        if (
            request.endpoint
            and request.endpoint not in PASSWORD_CHANGE_ALLOWED
            and current_user.is_authenticated
            and current_user.must_change_password
        ):
            flash(_("Choose a new password before you continue."), "warning")
            return redirect(url_for("auth.account_password"))
        return None


def sign_in(user: User) -> None:
    """Start a fresh session for the user (the old cookie's content is discarded)."""
    lang = session.get("lang")
    session.clear()
    token, _row = services.start_session(user, request.remote_addr or "", request.user_agent.string or "")
    session[SESSION_KEY] = token
    if lang:
        session["lang"] = lang
    session.permanent = True
    login_user(user, remember=False)


def sign_out() -> None:
    """End the current session in the database and clear the cookie."""
    row = services.find_session(session.get(SESSION_KEY))
    if row is not None and row.ended_at is None:
        services.end_session(row, "logout")
    logout_user()
    session.clear()

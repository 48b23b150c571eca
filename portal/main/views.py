"""Home page, health check, language switch."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, request, send_from_directory, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text

from portal.auth import services
from portal.core import inbox
from portal.core.htmx import render
from portal.core.permissions import login_required, public
from portal.core.urls import safe_next
from portal.extensions import db

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def home():
    items = inbox.items_for(current_user)
    return render("main/home.html", items=items, service_names=services.service_names(current_user))


@bp.route("/favicon.ico")
@public
def favicon():
    """Browsers ask for /favicon.ico on pages that name no icon (a JSON answer, a PDF): the portal's icon, not a 404."""
    return send_from_directory(current_app.static_folder, "img/favicon.svg", mimetype="image/svg+xml", max_age=86400)


@bp.route("/healthz")
@public
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        return jsonify(status="ok", database="ok")
    except Exception as exc:  # the point of a health check is to report, not to crash
        current_app.logger.error("health check failed: %s", exc)
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503


@bp.route("/language", methods=["POST"])
@public
def set_language():
    locale = request.form.get("locale", "")
    if locale not in current_app.config["LANGUAGES"]:
        flash(_("Unknown language."), "error")
    elif current_user.is_authenticated:
        services.set_locale(current_user, locale)
    else:
        session["lang"] = locale
    return redirect(safe_next(request.form.get("next"), url_for("main.home")), 303)

"""Sign in, sign out, own account."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth import services, sessions
from portal.auth.forms import LanguageForm, LoginForm, PasswordForm
from portal.core.forms import form_status, refusals
from portal.core.unit import keep_changes, reads_first
from portal.core.urls import safe_next
from portal.core.htmx import render
from portal.core.permissions import login_required, public, require
from portal.extensions import db

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    return safe_next(target, url_for("main.home"))


@bp.route("/login", methods=["GET", "POST"])
@public
@reads_first
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        result = services.authenticate(form.username.data, form.password.data, request.remote_addr or "")
        if result.user is not None:
            sessions.sign_in(result.user)
            return redirect(_safe_next(request.args.get("next")), 303)
        keep_changes()  # the failed attempt and its audit event are kept although the answer is 422
        form.password.errors.append(result.error)
        form.password.data = ""
        status = 429 if result.locked_minutes else 422
    elif form.is_submitted():
        status = 422
    return render("auth/login.html", form=form, status=status, next=request.args.get("next"))


@bp.route("/logout", methods=["POST"])
@public
def logout():
    was_signed_in = current_user.is_authenticated
    sessions.sign_out()
    if was_signed_in:
        flash(_("You have signed out."), "success")
    return redirect(url_for("auth.login"), 303)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = LanguageForm(locale=current_user.locale)
    if form.validate_on_submit():
        services.set_locale(current_user, form.locale.data)
        flash(_("Your language has been saved."), "success")
        return redirect(url_for("auth.account"), 303)
    return render("auth/account.html", form=form, status=form_status(form), service_names=services.service_names(current_user))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def account_password():
    form = PasswordForm()
    if form.validate_on_submit():
        row = g.get("user_session")
        with refusals(form):
            services.change_own_password(current_user, form.current_password.data, form.new_password.data,
                                         keep_session_id=row.id if row else None)
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("main.home"), 303)
    return render("auth/password.html", form=form, status=form_status(form))


@bp.route("/account/tokens", methods=["GET", "POST"])
@require("auth.api_tokens")
def tokens():
    from portal.auth.models import ApiToken
    from portal.auth.forms import TokenForm
    from sqlalchemy import select

    from datetime import timedelta

    from portal.core.i18n import local_today

    form = TokenForm()
    raw = None
    if form.validate_on_submit():
        with refusals(form):
            raw = services.create_api_token(current_user, form.name.data, form.expires_on.data)
            form = TokenForm(formdata=None)
    today, config = local_today(), current_app.config
    if not form.is_submitted() or raw:
        form.expires_on.data = today + timedelta(days=config["API_TOKEN_DAYS"])
    rows = db.session.scalars(select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.created_at.desc())).all()
    return render("auth/tokens.html", form=form, rows=rows, raw=raw, status=form_status(form),
                  first_day=today + timedelta(days=1), last_day=today + timedelta(days=config["API_TOKEN_MAX_DAYS"]),
                  max_days=config["API_TOKEN_MAX_DAYS"])


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@require("auth.api_tokens")
def revoke_token(token_id: int):
    from flask import abort

    from portal.auth.models import ApiToken

    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    services.revoke_api_token(token)
    flash(_("The token has been revoked."), "success")
    return redirect(url_for("auth.tokens"), 303)

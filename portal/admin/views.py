"""Administration of users, sites and services."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from portal.core.urls import db_int
from portal.admin.forms import ReasonForm, ResetPasswordForm, ServiceForm, SiteForm, UserForm
from portal.auth import services
from portal.auth.models import Service, Site, User, UserRole
from portal.core.forms import form_status, refusals
from portal.core.htmx import render
from portal.core.permissions import ROLES, require
from portal.extensions import db

bp = Blueprint("admin", __name__)

PAGE_SIZE = 50


def _get_or_404(model, ident: int):
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


def _fill_user_choices(form: UserForm) -> None:
    sites = db.session.scalars(select(Site).order_by(Site.is_head_office.desc(), Site.name)).all()
    form.site_id.choices = [(s.id, f"{s.name}{'' if s.active else ' (' + _('inactive') + ')'}") for s in sites]
    form.service_ids.choices = [(s.id, s.name) for s in db.session.scalars(select(Service).order_by(Service.name))]


# ---------------------------------------------------------------- users
@bp.route("/users")
@require("users.manage")
def users():
    q = (request.args.get("q") or "").strip()
    role = request.args.get("role") or ""
    site_id = request.args.get("site", type=db_int)
    status = request.args.get("status") or "active"
    stmt = select(User).options(selectinload(User.role_rows)).order_by(User.username)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(User.username).like(like), func.lower(User.full_name).like(like)))
    if role in ROLES:
        stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    if site_id:
        stmt = stmt.where(User.site_id == site_id)
    if status == "active":
        stmt = stmt.where(User.active.is_(True))
    elif status == "inactive":
        stmt = stmt.where(User.active.is_(False))
    after = request.args.get("after") or ""
    if after:
        stmt = stmt.where(User.username > after)
    rows = db.session.scalars(stmt.limit(PAGE_SIZE + 1)).all()
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    sites = db.session.scalars(select(Site).order_by(Site.name)).all()
    block = "results" if request.headers.get("HX-Target") == "user-results" else "content"
    return render("admin/users.html", block=block, users=rows, more=more, q=q, role=role, site_id=site_id,
                  status_filter=status, sites=sites, next_after=rows[-1].username if more else None)


def _user_data(form: UserForm) -> dict:
    return {
        "username": form.username.data,
        "full_name": form.full_name.data,
        "email": form.email.data or "",
        "position": form.position.data or "",
        "site_id": form.site_id.data,
        "roles": form.roles.data,
        "service_ids": form.service_ids.data,
        "locale": form.locale.data,
    }


@bp.route("/users/new", methods=["GET", "POST"])
@require("users.manage")
def user_new():
    form = UserForm()
    _fill_user_choices(form)
    valid = form.validate_on_submit()
    if form.is_submitted():
        # Check the user name and the password with the other fields, so every problem shows at once.
        problem = services.password_problem(form.password.data or "")
        if problem:
            form.password.errors = list(form.password.errors) + [problem]
            valid = False
        if form.username.data and not form.username.errors:
            problem = services.username_problem(form.username.data)
            if problem:
                form.username.errors = list(form.username.errors) + [problem]
                valid = False
    if valid:
        with refusals(form):
            user = services.create_user(_user_data(form), form.password.data or "")
            flash(_("User %(name)s has been created. They must change the initial password at first sign-in.",
                    name=user.username), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id), 303)
    return render("admin/user_form.html", form=form, user=None, status=form_status(form))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@require("users.manage")
def user_edit(user_id: int):
    user = _get_or_404(User, user_id)
    form = UserForm(obj=user) if request.method == "GET" else UserForm()
    _fill_user_choices(form)
    if request.method == "GET":
        form.roles.data = user.roles
        form.service_ids.data = sorted(user.service_ids)
    form.username.data = user.username  # the user name is an identity, never edited
    if form.validate_on_submit():
        data = _user_data(form)
        data.pop("username")
        with refusals(form):
            services.update_user(user, data, reason=form.reason.data or "")
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id), 303)
    return render("admin/user_form.html", form=form, user=user, reason_form=ReasonForm(formdata=None, prefix="status"),
                  reset_form=ResetPasswordForm(formdata=None, prefix="reset"), status=form_status(form))


def _user_action(user_id: int, action):
    user = _get_or_404(User, user_id)
    form = ReasonForm(prefix="status")
    if form.validate_on_submit():
        with refusals(form):
            action(user, form.reason.data)
            return None, user
    edit = UserForm(obj=user, formdata=None)
    _fill_user_choices(edit)
    edit.roles.data, edit.service_ids.data = user.roles, sorted(user.service_ids)
    return render("admin/user_form.html", form=edit, user=user, reason_form=form,
                  reset_form=ResetPasswordForm(formdata=None, prefix="reset"), status=422), user


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@require("users.manage")
def user_deactivate(user_id: int):
    response, user = _user_action(user_id, lambda u, r: services.deactivate_user(u, r, by=current_user))
    if response is not None:
        return response
    flash(_("%(name)s has been deactivated and signed out everywhere.", name=user.username), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id), 303)


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@require("users.manage")
def user_reactivate(user_id: int):
    response, user = _user_action(user_id, services.reactivate_user)
    if response is not None:
        return response
    flash(_("%(name)s can sign in again.", name=user.username), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id), 303)


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@require("users.manage")
def user_reset_password(user_id: int):
    user = _get_or_404(User, user_id)
    form = ResetPasswordForm(prefix="reset")
    if form.validate_on_submit():
        with refusals(form):
            services.reset_password(user, form.password.data, reason=form.reason.data or "")
            flash(_("The password of %(name)s has been reset. They must choose a new one at next sign-in.",
                    name=user.username), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id), 303)
    edit = UserForm(obj=user, formdata=None)
    _fill_user_choices(edit)
    edit.roles.data, edit.service_ids.data = user.roles, sorted(user.service_ids)
    return render("admin/user_form.html", form=edit, user=user, reason_form=ReasonForm(formdata=None, prefix="status"),
                  reset_form=form, status=422)


# ---------------------------------------------------------------- sites and services
def _org_list(model, template: str):
    rows = db.session.scalars(select(model).order_by(model.active.desc(), model.code)).all()
    return render(template, rows=rows)


def _org_form(model, form_cls, save, obj_id: int | None, template: str, list_endpoint: str):
    obj = _get_or_404(model, obj_id) if obj_id else None
    form = form_cls(obj=obj)
    if form.validate_on_submit():
        with refusals(form):
            save(obj, form.data)
            flash(_("The changes have been saved."), "success")
            return redirect(url_for(list_endpoint), 303)
    return render(template, form=form, obj=obj, status=form_status(form))


@bp.route("/sites")
@require("org.manage")
def sites():
    return _org_list(Site, "admin/sites.html")


@bp.route("/sites/new", methods=["GET", "POST"])
@require("org.manage")
def site_new():
    return _org_form(Site, SiteForm, services.save_site, None, "admin/site_form.html", "admin.sites")


@bp.route("/sites/<int:site_id>", methods=["GET", "POST"])
@require("org.manage")
def site_edit(site_id: int):
    return _org_form(Site, SiteForm, services.save_site, site_id, "admin/site_form.html", "admin.sites")


@bp.route("/services", endpoint="services")
@require("org.manage")
def services_list():
    return _org_list(Service, "admin/services.html")


@bp.route("/services/new", methods=["GET", "POST"])
@require("org.manage")
def service_new():
    return _org_form(Service, ServiceForm, services.save_service, None, "admin/service_form.html", "admin.services")


@bp.route("/services/<int:service_id>", methods=["GET", "POST"])
@require("org.manage")
def service_edit(service_id: int):
    return _org_form(Service, ServiceForm, services.save_service, service_id, "admin/service_form.html", "admin.services")

"""Coaching pages (/coaching): findings, coaching sessions (acknowledged by the person), warnings with their
signed letter, and escalation proposals. A person sees their own and nothing of anyone else's."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.core.forms import form_status, refusals
from portal.core.htmx import render
from portal.core.i18n import local_today
from portal.core.permissions import require
from portal.extensions import db
from portal.people.models import ENDED, Staff
from portal.coaching import paper, permissions
from portal.coaching import services as coaching
from portal.coaching.forms import CoachingForm, FindingForm, ResponseForm, WarningForm
from portal.coaching.labels import finding_kind_labels
from portal.coaching.models import CoachingSession, Finding, Warning, WarningLevel
from portal.printing import cache as pdf_cache

bp = Blueprint("coaching", __name__)
LIST = 50


def _scoped(stmt, model):
    scope = permissions.coaching_scope(current_user)
    if scope is None:
        return stmt
    return stmt.where(model.staff_id.in_(select(Staff.id).where(scope)))


def _people_choices() -> list[tuple]:
    """The people this user may raise a finding against (their coaching scope, not themselves)."""
    stmt = select(Staff.id, Staff.full_name, Staff.employee_number).where(Staff.status != ENDED).order_by(Staff.full_name).limit(500)
    scope = permissions.coaching_scope(current_user)
    if scope is not None:
        stmt = stmt.where(scope)
    stmt = stmt.where((Staff.user_id.is_(None)) | (Staff.user_id != current_user.id))
    return [(None, "—")] + [(i, f"{n} ({no})") for i, n, no in db.session.execute(stmt)]


@bp.route("/")
@require("coaching.self")
def index():
    today = local_today()
    findings = list(db.session.scalars(_scoped(select(Finding), Finding).order_by(Finding.found_on.desc(), Finding.id.desc()).limit(LIST)))
    sessions = list(db.session.scalars(_scoped(select(CoachingSession), CoachingSession)
                                       .order_by(CoachingSession.held_on.desc(), CoachingSession.id.desc()).limit(LIST)))
    warnings = list(db.session.scalars(_scoped(select(Warning), Warning).order_by(Warning.issued_on.desc(), Warning.id.desc()).limit(LIST)))
    return render("coaching/index.html", findings=findings, sessions=sessions, warnings=warnings, today=today,
                  kinds=finding_kind_labels(), can_decide=current_user.can("coaching.decide"),
                  can_raise=current_user.can("coaching.raise"), can_warn=current_user.can("coaching.warn"))


def _staff_checked(staff_id, warn: bool = False) -> Staff | None:
    staff = db.session.get(Staff, staff_id) if staff_id else None
    if staff is None:
        return None
    allowed = permissions.can_warn if warn else permissions.can_raise
    if not allowed(current_user, staff):
        abort(403)
    return staff


@bp.route("/proposals")
@require("coaching.decide")
def proposals():
    """Escalation proposals of one's scope: the supervisor decides by issuing the proposed warning (or not)."""
    rows = coaching.proposals(permissions.coaching_scope(current_user), local_today())
    return render("coaching/proposals.html", rows=rows, kinds=finding_kind_labels())


@bp.route("/people/<employee_no>")
@require("coaching.self")
def person_section(employee_no: str):
    """The coaching section of the person's page (loaded by htmx; a full page when opened directly)."""
    from portal.core.htmx import render as render_page
    from portal.coaching.sections import coaching_context

    staff = db.session.scalar(select(Staff).where(Staff.employee_number == employee_no)) or abort(404)
    if not permissions.can_view_coaching(current_user, staff):
        abort(403)
    return render_page("training/person.html", block="section", staff=staff, ctx=coaching_context(current_user, staff),
                       key="coaching", title=_("Coaching and discipline"), section_template="coaching/section.html")


@bp.route("/findings/new", methods=["GET", "POST"])
@require("coaching.raise")
def finding_new():
    form = FindingForm()
    form.staff_id.choices = _people_choices()
    form.kind.choices = list(finding_kind_labels().items())
    if request.method == "GET":
        form.staff_id.data = request.args.get("staff", type=int)
        form.found_on.data = local_today()
    if form.validate_on_submit():
        staff = _staff_checked(form.staff_id.data)
        upload = request.files.get("evidence_file")
        evidence = (upload.read(5 * 1024 * 1024 + 1), upload.filename or "") if upload and upload.filename else None
        with refusals(form):
            row = coaching.raise_finding(staff, {f: getattr(form, f).data for f in ("kind", "found_on", "rule", "description",
                                                                                     "evidence_link", "response")},
                                         current_user, evidence=evidence)
            flash(_("Finding recorded."), "success")
            return redirect(url_for("coaching.finding", finding_id=row.id), 303)
    return render("coaching/form.html", form=form, title=_("New finding"), action=url_for("coaching.finding_new"),
                  status=form_status(form))


@bp.route("/findings/<int:finding_id>")
@require("coaching.self")
def finding(finding_id: int):
    row = db.session.get(Finding, finding_id) or abort(404)
    if not permissions.can_view_coaching(current_user, row.staff):
        abort(403)
    own = row.staff.user_id == current_user.id
    return render("coaching/finding.html", row=row, kinds=finding_kind_labels(), form=ResponseForm(formdata=None),
                  can_respond=own or permissions.can_raise(current_user, row.staff))


@bp.route("/findings/<int:finding_id>/evidence")
@require("coaching.self")
def finding_evidence(finding_id: int):
    """The attached evidence as a download, for those who may see the finding; each view is audited."""
    from portal.core import files
    from portal.core.unit import begin_writing

    row = db.session.get(Finding, finding_id) or abort(404)
    if not permissions.can_view_coaching(current_user, row.staff):
        abort(403)
    path = coaching.evidence_path(row)
    if not row.evidence_file_path or not path.exists():
        abort(404)
    begin_writing()
    coaching.evidence_viewed(row, current_user)
    name, _dot, _ext = row.evidence_file_name.rpartition(".")
    return files.send_stored(path, name or "bukti", row.evidence_file_path.rsplit(".", 1)[-1])


@bp.route("/findings/<int:finding_id>/respond", methods=["POST"])
@require("coaching.self")
def finding_respond(finding_id: int):
    row = db.session.get(Finding, finding_id) or abort(404)
    if not (row.staff.user_id == current_user.id or permissions.can_raise(current_user, row.staff)):
        abort(403)
    form = ResponseForm()
    if form.validate_on_submit():
        with refusals(form, flash_it=True):
            coaching.respond(row, form.response.data, current_user)
            flash(_("Response recorded."), "success")
    return redirect(url_for("coaching.finding", finding_id=row.id), 303)


@bp.route("/new", methods=["GET", "POST"])
@require("coaching.raise")
def session_new():
    form = CoachingForm()
    form.staff_id.choices = _people_choices()
    if request.method == "GET":
        form.staff_id.data = request.args.get("staff", type=int)
        form.held_on.data = local_today()
    if form.validate_on_submit():
        staff = _staff_checked(form.staff_id.data)
        with refusals(form):
            row = coaching.record_session(staff, {f: getattr(form, f).data for f in ("held_on", "topic", "actions", "follow_up_on")}
                                          | {"finding_id": request.form.get("finding_id", type=int)}, current_user)
            flash(_("Coaching session recorded."), "success")
            return redirect(url_for("coaching.show", coaching_id=row.id), 303)
    return render("coaching/form.html", form=form, title=_("New coaching session"), action=url_for("coaching.session_new"),
                  status=form_status(form))


@bp.route("/<int:coaching_id>")
@require("coaching.self")
def show(coaching_id: int):
    row = db.session.get(CoachingSession, coaching_id) or abort(404)
    if not permissions.can_view_coaching(current_user, row.staff):
        abort(403)
    finding = db.session.get(Finding, row.finding_id) if row.finding_id else None
    return render("coaching/session.html", row=row, finding=finding,
                  can_acknowledge=row.staff.user_id == current_user.id and row.acknowledged_at is None)


@bp.route("/<int:coaching_id>/acknowledge", methods=["POST"])
@require("coaching.self")
def acknowledge(coaching_id: int):
    row = db.session.get(CoachingSession, coaching_id) or abort(404)
    if row.staff.user_id != current_user.id:
        abort(403)
    with refusals(flash_it=True):
        coaching.acknowledge(row, current_user)
        flash(_("Acknowledged."), "success")
    return redirect(url_for("coaching.show", coaching_id=row.id), 303)


@bp.route("/warnings/new", methods=["GET", "POST"])
@require("coaching.warn")
def warning_new():
    form = WarningForm()
    form.staff_id.choices = _people_choices()
    mine = set(current_user.roles)
    form.level_id.choices = [(None, "—")] + [(lv.id, lv.name) for lv in coaching.levels() if lv.roles & mine]
    if request.method == "GET":
        form.staff_id.data = request.args.get("staff", type=int)
        form.level_id.data = request.args.get("level", type=int)
        form.issued_on.data = local_today()
    if form.validate_on_submit():
        staff = _staff_checked(form.staff_id.data, warn=True)
        with refusals(form):
            row = coaching.issue_warning(staff, db.session.get(WarningLevel, form.level_id.data),
                                         {"issued_on": form.issued_on.data, "reason": form.reason.data},
                                         form.password.data, current_user)
            flash(_("Warning signed and issued."), "success")
            return redirect(url_for("coaching.warning", warning_id=row.id), 303)
    return render("coaching/form.html", form=form, title=_("New warning"), action=url_for("coaching.warning_new"),
                  status=form_status(form), signing=True)


@bp.route("/warnings/<int:warning_id>")
@require("coaching.self")
def warning(warning_id: int):
    row = db.session.get(Warning, warning_id) or abort(404)
    if not permissions.can_view_coaching(current_user, row.staff):
        abort(403)
    return render("coaching/warning.html", row=row, valid=row.valid_on(local_today()))


@bp.route("/warnings/<int:warning_id>.pdf")
@require("coaching.self")
def warning_pdf(warning_id: int):
    row = db.session.get(Warning, warning_id) or abort(404)
    if not permissions.can_view_coaching(current_user, row.staff):
        abort(403)
    return pdf_cache.serve(paper.WARNING_LETTER, row.id, paper.pdf_key(row), f"{row.level.code}-{row.staff.employee_number}.pdf")

"""People pages: the staff list, a person's page (made of sections other modules can add to), teams with their
history, positions with their requirements, and HR's forms: add/edit a person, move to a team, add/extend a
contract, import from Excel."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from portal.auth.models import Service, Site, User
from portal.core import paging
from portal.core.forms import form_status, refusals
from portal.core.htmx import render
from portal.core.i18n import local_today
from portal.core.permissions import login_required, require
from portal.core.urls import db_int
from portal.core.xlsx import XLSX_MIMETYPE
from portal.extensions import db
from portal.people import imports, permissions, services, staffing
from portal.people.forms import (ContractForm, DecideForm, ExtendForm, ImportForm, MoveForm, PlanForm, RequirementSetForm,
                                 StaffForm, TeamForm)
from portal.people.labels import kind_labels, requirement_label, status_labels
from portal.people.models import (EDUCATION_LEVELS, PKWT, PROPOSED, CapacityPlan, ContractExtension, Position, RequirementSet, Staff, StaffContract,
                                  Team, TeamMembership)
from portal.people.queries import filtered_staff, visible_teams
from portal.people.sections import sections_for

bp = Blueprint("people", __name__)
PAGE_SIZE = 50


def _staff_or_404(employee_no: str) -> Staff:
    staff = db.session.scalar(select(Staff).options(joinedload(Staff.current_membership), joinedload(Staff.user))
                              .where(Staff.employee_number == employee_no))
    if staff is None:
        abort(404)
    if not permissions.can_view(current_user, staff):
        abort(403)
    return staff


def _sites_for(user) -> list[Site]:
    stmt = select(Site).where(Site.active.is_(True)).order_by(Site.is_head_office.desc(), Site.name)
    if not (permissions.sees_everyone(user) or user.can("scope.all_sites")):
        stmt = stmt.where(Site.id == user.site_id)
    return list(db.session.scalars(stmt))


def _all_services() -> list[Service]:
    return list(db.session.scalars(select(Service).where(Service.active.is_(True)).order_by(Service.name)))


# ---------------------------------------------------------------- the list
@bp.route("/")
@require("people.read")
def index():
    args = request.args
    stmt = filtered_staff(current_user, args).options(selectinload(Staff.services))
    # By key (core/paging.py): "next" (after=) and "previous" (before=) cost the same on every page.
    page = paging.by_key(stmt, [Staff.employee_number], [str], lambda s: (s.employee_number,), args, PAGE_SIZE)
    rows = page.rows
    teams = db.session.scalars(visible_teams(current_user).where(Team.active.is_(True)).order_by(Team.name)).all()
    context = dict(rows=rows, page=page, args=args,
                   sites=_sites_for(current_user), services_=_all_services(), positions=services.positions(),
                   teams=teams, status_labels=status_labels(), can_manage=permissions.can_manage(current_user))
    if request.htmx and request.headers.get("HX-Target") == "staff-results":
        return render("people/index.html", block="results", **context)
    return render("people/index.html", **context)


@bp.route("/me")
@require("people.self")
def me():
    """One's own staff page (an agent sees only this one)."""
    staff = db.session.scalar(select(Staff).options(joinedload(Staff.current_membership), joinedload(Staff.user))
                              .where(Staff.user_id == current_user.id))
    if staff is None:
        return render("people/no_record.html")
    return _person_page(staff)


# ---------------------------------------------------------------- a person
@bp.route("/<employee_no>")
@require("people.read")
def show(employee_no: str):
    return _person_page(_staff_or_404(employee_no))


def _person_page(staff: Staff, status: int = 200, decide_forms: dict | None = None):
    from flask import g

    g.people_decide_forms = decide_forms or {}
    return render("people/show.html", status=status, staff=staff, sections=sections_for(current_user, staff),
                  personal=permissions.can_see_personal(current_user, staff),
                  can_manage=permissions.can_manage(current_user), status_labels=status_labels())


def _staff_form(staff: Staff | None = None) -> StaffForm:
    form = StaffForm(obj=staff)
    form.position_id.choices = [(None, "—")] + [(p.id, p.name) for p in services.positions()]
    form.site_id.choices = [(None, "—")] + [(s.id, s.name) for s in _sites_for(current_user)]
    form.service_ids.choices = [(s.id, s.name) for s in _all_services()]
    form.team_id.choices = [(None, _("— no team yet —"))] + [
        (t.id, f"{t.name} ({t.site.name}, {t.service.name})")
        for t in db.session.scalars(select(Team).where(Team.active.is_(True)).order_by(Team.name))]
    form.status.choices = list(status_labels().items())
    form.education.choices = [("", "—")] + [(e, e) for e in EDUCATION_LEVELS]
    linked = select(Staff.user_id).where(Staff.user_id.is_not(None))
    if staff is not None and staff.user_id:
        linked = linked.where(Staff.user_id != staff.user_id)
    form.user_id.choices = [(None, _("— does not sign in —"))] + [
        (u.id, f"{u.full_name} ({u.username})")
        for u in db.session.scalars(select(User).where(User.active.is_(True), User.id.not_in(linked)).order_by(User.full_name))]
    if request.method == "GET" and staff is not None:
        form.service_ids.data = [s.id for s in staff.services]
    return form


def _staff_data(form: StaffForm) -> dict:
    return {name: getattr(form, name).data for name in
            ("employee_number", "full_name", "position_id", "site_id", "service_ids", "team_id", "hire_date", "status",
             "ended_on", "education", "user_id", "birth_date", "identity_number", "phone", "address")}


@bp.route("/new", methods=["GET", "POST"])
@require("people.manage")
def new():
    form = _staff_form()
    if request.method == "GET":
        form.hire_date.data = local_today()
    if form.validate_on_submit():
        with refusals(form):
            staff = services.save_staff(None, _staff_data(form), current_user)
            flash(_("%(name)s added to the staff.", name=staff.full_name), "success")
            return redirect(url_for("people.show", employee_no=staff.employee_number), 303)
    return render("people/staff_form.html", status=form_status(form), form=form, staff=None)


@bp.route("/<employee_no>/edit", methods=["GET", "POST"])
@require("people.manage")
def edit(employee_no: str):
    staff = _staff_or_404(employee_no)
    form = _staff_form(staff)
    del form.team_id  # a move is dated: it has its own form
    if form.validate_on_submit():
        with refusals(form):
            services.save_staff(staff, _staff_data_without_team(form), current_user)
            flash(_("Changes to %(name)s saved.", name=staff.full_name), "success")
            return redirect(url_for("people.show", employee_no=staff.employee_number), 303)
    return render("people/staff_form.html", status=form_status(form), form=form, staff=staff)


def _staff_data_without_team(form: StaffForm) -> dict:
    return {name: getattr(form, name).data for name in
            ("employee_number", "full_name", "position_id", "site_id", "service_ids", "hire_date", "status",
             "ended_on", "education", "user_id", "birth_date", "identity_number", "phone", "address")}


@bp.route("/<employee_no>/move", methods=["GET", "POST"])
@require("people.manage")
def move(employee_no: str):
    staff = _staff_or_404(employee_no)
    form = MoveForm()
    form.team_id.choices = [(None, "—")] + [
        (t.id, f"{t.name} ({t.service.name})")
        for t in db.session.scalars(select(Team).where(Team.active.is_(True), Team.site_id == staff.site_id).order_by(Team.name))]
    if request.method == "GET":
        form.starts_on.data = local_today()
    if form.validate_on_submit():
        with refusals(form):
            team = db.session.get(Team, form.team_id.data)
            services.move_to_team(staff, team, form.starts_on.data, current_user, form.reason.data or "")
            flash(_("%(name)s moves to %(team)s.", name=staff.full_name, team=team.name), "success")
            return redirect(url_for("people.show", employee_no=staff.employee_number), 303)
    return render("people/move.html", status=form_status(form), form=form, staff=staff)


# ---------------------------------------------------------------- contracts
@bp.route("/<employee_no>/contracts/new", methods=["GET", "POST"])
@require("people.manage")
def contract_new(employee_no: str):
    staff = _staff_or_404(employee_no)
    form = ContractForm()
    form.kind.choices = list(kind_labels().items())
    if request.method == "GET":
        form.kind.data = PKWT
        form.starts_on.data = staff.hire_date
    if form.validate_on_submit():
        with refusals(form):
            services.add_contract(staff, {"kind": form.kind.data, "starts_on": form.starts_on.data,
                                          "ends_on": form.ends_on.data, "number": form.number.data}, current_user)
            flash(_("Contract registered."), "success")
            return redirect(url_for("people.show", employee_no=staff.employee_number, _anchor="section-contracts"), 303)
    return render("people/contract_form.html", status=form_status(form), form=form, staff=staff)


@bp.route("/<employee_no>/contracts/<int:staff_contract_id>/document", methods=["POST"])
@require("people.manage")
def contract_document_upload(employee_no: str, staff_contract_id: int):
    """Upload the signed contract (PDF, JPEG or PNG, at most 5 MB); a refusal is shown by the file field."""
    staff = _staff_or_404(employee_no)
    contract = db.session.get(StaffContract, staff_contract_id)
    if contract is None or contract.staff_id != staff.id:
        abort(404)
    storage = request.files.get("file")
    errors: dict = {}
    from portal.people import recruitment

    with refusals(errors=errors):
        services.upload_contract_document(contract, storage.read(recruitment.MAX_UPLOAD + 1) if storage else b"",
                                          storage.filename if storage else "", current_user)
        flash(_("Contract document uploaded."), "success")
        return redirect(url_for("people.show", employee_no=staff.employee_number, _anchor="section-contracts"), 303)
    flash(next(iter(errors.values())), "error")
    return redirect(url_for("people.show", employee_no=staff.employee_number, _anchor="section-contracts"), 303)


@bp.route("/<employee_no>/contracts/<int:staff_contract_id>/document")
@login_required
def contract_document(employee_no: str, staff_contract_id: int):
    """The signed contract as an attachment (never inline), for those who may see the person's personal data; each
    view is audited."""
    staff = _staff_or_404(employee_no)
    contract = db.session.get(StaffContract, staff_contract_id)
    if contract is None or contract.staff_id != staff.id or not contract.file_path:
        abort(404)
    if not permissions.can_see_personal(current_user, staff):
        abort(403)
    from pathlib import Path

    from flask import current_app

    from portal.core import files
    from portal.core.unit import begin_writing

    path = Path(current_app.config["DOCUMENTS_FOLDER"]) / contract.file_path
    if not path.exists():
        abort(404)
    begin_writing()
    services.contract_document_viewed(contract, current_user)
    return files.send_stored(path, contract.file_name.rsplit(".", 1)[0] or "kontrak", contract.file_path.rsplit(".", 1)[-1])


@bp.route("/<employee_no>/contracts/<int:staff_contract_id>/extend", methods=["GET", "POST"])
@require("people.evaluate")
def contract_extend(employee_no: str, staff_contract_id: int):
    """The evaluation before a contract ends, with the recommendation the manager decides on (MNOP-01 §4.1.6)."""
    staff = _staff_or_404(employee_no)
    contract = db.session.get(StaffContract, staff_contract_id)
    if contract is None or contract.staff_id != staff.id:
        abort(404)
    form = ExtendForm()
    form.kind.choices = [("", "—")] + list(kind_labels().items())
    if request.method == "GET":
        form.kind.data = PKWT
    if form.validate_on_submit():
        with refusals(form):
            services.propose_extension(contract, {"recommendation": form.recommendation.data, "kind": form.kind.data,
                                                  "ends_on": form.ends_on.data, "evaluation": form.evaluation.data,
                                                  "number": form.number.data}, current_user)
            flash(_("Evaluation sent to the manager for a signed decision."), "success")
            return redirect(url_for("people.show", employee_no=staff.employee_number, _anchor="section-contracts"), 303)
    return render("people/extend.html", status=form_status(form), form=form, staff=staff, contract=contract,
                  kind_labels=kind_labels(),
                  next_start=contract.ends_on + timedelta(days=1) if contract.ends_on else None)


@bp.route("/<employee_no>/extensions/<int:extension_id>/decide", methods=["POST"])
@require("people.approve_extension")
def extension_decide(employee_no: str, extension_id: int):
    staff = _staff_or_404(employee_no)
    extension = db.session.get(ContractExtension, extension_id)
    if extension is None or extension.contract.staff_id != staff.id:
        abort(404)
    form = DecideForm(prefix=f"decide-{extension.id}")
    if form.validate_on_submit():
        with refusals(form):
            approve = form.decision.data == "approve"
            services.decide_extension(extension, approve, form.password.data, form.note.data or "", current_user)
            flash(_("Decision signed.") if approve else _("Extension declined; the contract ends on its last day."), "success")
            # No #anchor: the form is sent from this very page, and a redirect that differs only by its fragment
            # would not reload it.
            return redirect(url_for("people.show", employee_no=staff.employee_number), 303)
    return _person_page(staff, status=422, decide_forms={extension.id: form})


@bp.route("/extensions")
@require("people.extensions")
def extensions():
    """Evaluations waiting for a manager's signed decision."""
    scope = permissions.staff_scope(current_user)
    stmt = (select(ContractExtension).join(StaffContract, StaffContract.id == ContractExtension.contract_id)
            .join(Staff, Staff.id == StaffContract.staff_id)
            .options(joinedload(ContractExtension.contract).joinedload(StaffContract.staff))
            .where(ContractExtension.status == PROPOSED).order_by(StaffContract.ends_on).limit(200))
    if scope is not None:
        stmt = stmt.where(scope)
    return render("people/extensions.html", rows=db.session.scalars(stmt).all(), kind_labels=kind_labels())


# ---------------------------------------------------------------- teams
@bp.route("/teams")
@require("people.read")
def teams():
    rows = db.session.scalars(visible_teams(current_user).options(joinedload(Team.leader))
                              .order_by(Team.active.desc(), Team.name)).all()
    counts = dict(db.session.execute(
        select(TeamMembership.team_id, func.count()).where(TeamMembership.ends_on.is_(None),
                                                           TeamMembership.team_id.in_([t.id for t in rows] or [0]))
        .group_by(TeamMembership.team_id)).all()) if rows else {}
    return render("people/teams.html", rows=rows, counts=counts, can_manage=permissions.can_manage(current_user))


def _team_or_404(team_id: int) -> Team:
    team = db.session.get(Team, team_id)
    if team is None:
        abort(404)
    if not permissions.can_view_team(current_user, team):
        abort(403)
    return team


@bp.route("/teams/<int:team_id>")
@require("people.read")
def team(team_id: int):
    team = _team_or_404(team_id)
    try:
        day = date.fromisoformat(request.args.get("on") or "")
    except ValueError:
        day = local_today()
    members = services.members_on(team, day)
    return render("people/team.html", team=team, members=members, day=day, today=local_today(),
                  can_manage=permissions.can_manage(current_user), status_labels=status_labels())


def _team_form(team: Team | None = None) -> TeamForm:
    form = TeamForm(obj=team)
    form.site_id.choices = [(None, "—")] + [(s.id, s.name) for s in _sites_for(current_user)]
    form.service_id.choices = [(None, "—")] + [(s.id, s.name) for s in _all_services()]
    leaders = select(Staff).join(Position).where(Staff.status != "ended", Position.code.in_(["TL", "SPV-OPS"]))
    if team is not None:
        leaders = leaders.where(Staff.site_id == team.site_id)
    form.leader_id.choices = [(None, _("— none yet —"))] + [
        (s.id, f"{s.full_name} ({s.employee_number}, {s.site.name})")
        for s in db.session.scalars(leaders.order_by(Staff.full_name).limit(500))]
    return form


def _team_data(form: TeamForm) -> dict:
    return {"name": form.name.data, "site_id": form.site_id.data, "service_id": form.service_id.data,
            "leader_id": form.leader_id.data, "active": form.active.data}


@bp.route("/teams/new", methods=["GET", "POST"])
@require("people.manage")
def team_new():
    form = _team_form()
    if form.validate_on_submit():
        with refusals(form):
            team = services.save_team(None, _team_data(form), current_user)
            flash(_("Team %(name)s created.", name=team.name), "success")
            return redirect(url_for("people.team", team_id=team.id), 303)
    return render("people/team_form.html", status=form_status(form), form=form, team=None)


@bp.route("/teams/<int:team_id>/edit", methods=["GET", "POST"])
@require("people.manage")
def team_edit(team_id: int):
    team = _team_or_404(team_id)
    form = _team_form(team)
    if form.validate_on_submit():
        with refusals(form):
            services.save_team(team, _team_data(form), current_user)
            flash(_("Team %(name)s saved.", name=team.name), "success")
            return redirect(url_for("people.team", team_id=team.id), 303)
    return render("people/team_form.html", status=form_status(form), form=form, team=team)


# ---------------------------------------------------------------- positions
@bp.route("/positions")
@require("people.read")
def positions():
    sets = db.session.scalars(select(RequirementSet).options(selectinload(RequirementSet.requirements))
                              .join(Position).where(Position.active.is_(True))
                              .order_by(Position.sort_order, RequirementSet.effective_from.desc())).all()
    by_position: dict[int, list[RequirementSet]] = {}
    for s in sets:
        by_position.setdefault(s.position_id, []).append(s)
    return render("people/positions.html", positions=services.positions(), by_position=by_position,
                  requirement_label=requirement_label, can_manage=permissions.can_manage(current_user))


@bp.route("/positions/<position_code>/requirements", methods=["GET", "POST"])
@require("people.manage")
def requirements_new(position_code: str):
    """HR records the requirements of a new revision of the manual for one position."""
    from portal.people.seed import new_requirement_set, requirements_text

    position = db.session.scalar(select(Position).where(Position.code == position_code)) or abort(404)
    current = position.requirement_sets[-1] if position.requirement_sets else None
    form = RequirementSetForm()
    if request.method == "GET":
        form.text.data = requirements_text(current)
        form.effective_from.data = local_today()
    if form.validate_on_submit():
        with refusals(form):
            rs = new_requirement_set(position, form.source.data, form.effective_from.data, form.text.data, current_user)
            flash(_("Requirements of %(p)s from %(s)s recorded.", p=position.name, s=rs.source), "success")
            return redirect(url_for("people.positions", _anchor=f"position-{position.code}"), 303)
    return render("people/requirements_form.html", status=form_status(form), form=form, position=position, current=current)


# ---------------------------------------------------------------- import
@bp.route("/import", methods=["GET", "POST"])
@require("people.manage")
def import_staff():
    form = ImportForm()
    report = None
    status = 200
    if form.validate_on_submit():
        storage = request.files.get("file")
        with refusals(form):
            report = imports.import_staff(storage, current_user)
            if report.ok:
                flash(_("%(n)d people imported.", n=report.created), "success")
                return redirect(url_for("people.index"), 303)
            db.session.rollback()
        status = 422
    elif request.method == "POST":
        status = 422
    return render("people/import.html", status=status, form=form, report=report, headers=imports.HEADERS)


@bp.route("/import/template.xlsx")
@require("people.manage")
def import_template():
    return Response(imports.template_bytes(), mimetype=XLSX_MIMETYPE,
                    headers={"Content-Disposition": 'attachment; filename="templat-impor-karyawan.xlsx"'})


# ---------------------------------------------------------------- the staffing KPI and the capacity plan
def _kpi_site(user) -> int | None:
    """A supervisor sees their site's KPI; HR, managers and auditors choose (None: every site)."""
    if permissions.sees_everyone(user) or user.can("scope.all_sites"):
        return request.args.get("site", type=db_int)
    return user.site_id


def _month_range() -> tuple[date, date]:
    first = staffing.parse_month(request.args.get("month")) or local_today().replace(day=1)
    last = staffing.parse_month(request.args.get("to")) or first
    if last < first:
        first, last = last, first
    if (last.year - first.year) * 12 + last.month - first.month > 35:  # at most three years at once
        last = first
    return first, last


@bp.route("/staffing")
@require("people.kpi")
def staffing_report():
    first, last = _month_range()
    site_id = _kpi_site(current_user)
    rows = staffing.staffing(first, last, site_id)
    return render("people/staffing.html", rows=rows, first=first, last=last, site_id=site_id,
                  sites=_sites_for(current_user) if site_id is None or permissions.sees_everyone(current_user)
                  or current_user.can("scope.all_sites") else [],
                  previous=(first - timedelta(days=1)).replace(day=1), following=staffing.next_month(last),
                  under=[r for r in rows if r.under_target], args=request.args)


@bp.route("/staffing.xlsx")
@require("people.kpi")
def staffing_xlsx():
    from portal.core.xlsx import build_workbook

    first, last = _month_range()
    rows = staffing.staffing(first, last, _kpi_site(current_user))
    headers = ["Bulan", "Layanan", "Site", "Rencana (caplan)", "Tersedia", "Pemenuhan (%)", "Target (%)",
               "Di bawah target", "Kurang", "Keluar bulan ini", "Dihitung sebagian bulan (hari)"]
    data = [[r.month.strftime("%Y-%m"), r.service_name, r.site_name, r.planned, float(r.available),
             float(r.fulfilment) if r.fulfilment is not None else None, float(r.target), "ya" if r.under_target else "",
             float(r.missing), "; ".join(f"{n} {name} ({d.isoformat()})" for n, name, d in r.left),
             "; ".join(f"{n} {name} ({days})" for n, name, days in r.partial)] for r in rows]
    name = f"pemenuhan-sdm-{first:%Y-%m}" + (f"-{last:%Y-%m}" if last != first else "")
    return Response(build_workbook("Pemenuhan SDM", headers, data, widths=[10, 26, 18, 14, 10, 14, 10, 14, 10, 40, 40]),
                    mimetype=XLSX_MIMETYPE, headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})


@bp.route("/staffing.pdf")
@require("people.kpi")
def staffing_pdf():
    """The staffing report as PDF (landscape), from the cache of rendered PDFs (rendered in the background)."""
    from portal.people import paper
    from portal.printing import cache as pdf_cache

    first, last = _month_range()
    site_id = _kpi_site(current_user)
    rows = staffing.staffing(first, last, site_id)
    name = f"pemenuhan-sdm-{first:%Y-%m}" + (f"-{last:%Y-%m}" if last != first else "") + ".pdf"
    return pdf_cache.serve(paper.STAFFING_KIND, 0, paper.staffing_key(first, last, site_id, rows, local_today()), name,
                           attachment=True, first=first.isoformat(), last=last.isoformat(), site_id=site_id)


@bp.route("/caplan/import", methods=["POST"])
@require("people.plan")
def caplan_import():
    form = ImportForm()
    errors: list = []
    if form.validate_on_submit():
        with refusals(form):
            saved, errors = staffing.import_plans(request.files.get("file"), current_user)
            if not errors:
                flash(_("%(n)d plan row(s) imported.", n=saved), "success")
                return redirect(url_for("people.caplan"), 303)
    return caplan(import_form=form, import_errors=errors, status=422)


@bp.route("/caplan/template.xlsx")
@require("people.plan")
def caplan_template():
    return Response(staffing.plan_template(), mimetype=XLSX_MIMETYPE,
                    headers={"Content-Disposition": 'attachment; filename="templat-caplan.xlsx"'})


@bp.route("/caplan", methods=["GET", "POST"])
@require("people.plan")
def caplan(import_form=None, import_errors=None, status=None):
    form = PlanForm(formdata=None) if import_form is not None else PlanForm()
    form.service_id.choices = [(None, "—")] + [(s.id, s.name) for s in _all_services()]
    form.site_id.choices = [(None, "—")] + [(s.id, s.name) for s in _sites_for(current_user)]
    month = staffing.parse_month(request.values.get("month")) or local_today().replace(day=1)
    if request.method == "GET":
        form.month.data = month.strftime("%Y-%m")
    if import_form is None and form.validate_on_submit():
        with refusals(form):
            plan = staffing.save_plan(form.service_id.data, form.site_id.data, staffing.parse_month(form.month.data),
                                      form.planned.data, current_user)
            flash(_("Capacity plan saved."), "success")
            return redirect(url_for("people.caplan", month=plan.month.strftime("%Y-%m")), 303)
    plans = db.session.scalars(select(CapacityPlan).where(CapacityPlan.month == month)
                               .order_by(CapacityPlan.site_id, CapacityPlan.service_id)).all()
    return render("people/caplan.html", status=status or form_status(form), form=form, plans=plans, month=month,
                  import_form=import_form or ImportForm(formdata=None), import_errors=import_errors or [],
                  previous=(month - timedelta(days=1)).replace(day=1), following=staffing.next_month(month))

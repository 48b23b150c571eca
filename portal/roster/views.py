"""Roster pages (/roster): a team's month grid edited in place with htmx, publishing, changes after it, one's own
roster with the check-in button, the team leader's day of attendance, today's floor, the month's F-02 compliance,
and the set-up data (shifts and hours per service, the company's days off)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Blueprint, Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.auth.models import Service, Site
from portal.core.forms import form_status, refusals
from portal.core.htmx import render, wants_fragment
from portal.core.i18n import local_today
from portal.core.permissions import login_required, require
from portal.core.service import ServiceError
from portal.extensions import db
from portal.people.models import Staff, Team
from portal.printing import cache as pdf_cache
from portal.roster import paper, permissions, realisation
from portal.roster import services as roster
from portal.roster.forms import AbsenceForm, ChangeForm, DayOffForm, FillForm, HoursForm, PublishForm, ShiftForm, TimesForm
from portal.roster.labels import absence_labels, change_kind_labels, state_labels, status_labels
from portal.roster.models import ABSENCE_REASONS, PUBLISHED, RosterMonth, Shift

bp = Blueprint("roster", __name__)


def _team(team_id: int) -> Team:
    team = db.session.get(Team, team_id) or abort(404)
    if not permissions.can_view_team(current_user, team):
        abort(403)
    return team


def _month(text: str) -> date:
    return roster.parse_month(text) or abort(404)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        abort(404)


def _member(team: Team, staff_id) -> Staff:
    """A person by id (whether they belong to the team on the day is the service's refusal)."""
    staff = db.session.get(Staff, staff_id) if staff_id else None
    if staff is None:
        abort(404)
    return staff


def _my_staff() -> Staff | None:
    return db.session.scalar(select(Staff).where(Staff.user_id == current_user.id))


@bp.route("/")
@require("roster.team")
def index():
    """The teams whose roster this user sees, with this month's and next month's state."""
    today = local_today()
    this = today.replace(day=1)
    following = (this + timedelta(days=32)).replace(day=1)
    stmt = select(Team).where(Team.active.is_(True)).order_by(Team.name).limit(200)
    scope = permissions.team_scope(current_user)
    if scope is not None:
        stmt = stmt.where(scope)
    teams = list(db.session.scalars(stmt))
    states = {(m.team_id, m.month): m.status for m in db.session.scalars(select(RosterMonth).where(
        RosterMonth.team_id.in_([t.id for t in teams]), RosterMonth.month.in_([this, following])))} if teams else {}
    return render("roster/index.html", teams=teams, this=this, following=following, states=states,
                  statuses=status_labels())


# ---------------------------------------------------------------- the month grid
def _grid_context(team: Team, month: date, only: int | None = None, **extra) -> dict:
    today = local_today()
    g = roster.grid(team, month, today, only=only)
    can_plan = permissions.can_plan(current_user, team)
    published = g.roster is not None and g.roster.status == PUBLISHED
    fill = FillForm(formdata=None)
    change = ChangeForm(formdata=None)
    change.kind.choices = list(change_kind_labels().items())
    mondays = [d for d in g.days if d.weekday() == 0]
    return {"g": g, "can_plan": can_plan, "editable": can_plan and not published, "published": published,
            "can_publish": permissions.can_publish(current_user, team) and g.roster is not None and not published,
            "can_record": permissions.can_record(current_user, team), "fill": fill, "change": change,
            "publish_form": PublishForm(formdata=None), "mondays": mondays, "today": today,
            "month_text": f"{month:%Y-%m}", "prev": (month - timedelta(days=1)).replace(day=1),
            "next": (month + timedelta(days=32)).replace(day=1), "statuses": status_labels(),
            "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
            "import_problems": None} | extra


@bp.route("/<int:team_id>/<month>")
@require("roster.team")
def grid(team_id: int, month: str):
    team = _team(team_id)
    first = _month(month)
    return render("roster/grid.html", **_grid_context(team, first))


def _planner(team_id: int, month: str) -> tuple[Team, date]:
    team = _team(team_id)
    if not permissions.can_plan(current_user, team):
        abort(403)
    return team, _month(month)


def _grid_back(team: Team, first: date):
    return redirect(url_for("roster.grid", team_id=team.id, month=f"{first:%Y-%m}"), 303)


@bp.route("/<int:team_id>/<month>/cell", methods=["POST"])
@require("roster.plan")
def cell(team_id: int, month: str):
    """One cell saved (htmx: the person's row comes back, with the headcount out of band)."""
    team, first = _planner(team_id, month)
    staff = _member(team, request.form.get("staff_id", type=int))
    day = _day(request.form.get("day", ""))
    code = (request.form.get("code") or "").strip().upper()
    error = None
    with refusals(errors=(errors := {})):
        row = roster.month_for(team, first, current_user)
        roster.set_cell(row, staff, day, code, current_user)
    error = errors.get("code") or errors.get("day") or errors.get("form")
    if not wants_fragment():
        if error:
            flash(error, "error")
        return _grid_back(team, first)
    ctx = _grid_context(team, first, only=staff.id)
    person = next((p for p in ctx["g"].people if p.id == staff.id), None) or abort(404)
    body = render_template("roster/_row.html", person=person, error=error, error_day=day, typed=code, **ctx)
    response = make_response(body, 422 if error else 200)
    response.vary.add("HX-Request")
    return response


@bp.route("/<int:team_id>/<month>/totals")
@require("roster.team")
def totals(team_id: int, month: str):
    """The headcount rows under the grid (also a full page when opened directly)."""
    team = _team(team_id)
    return render("roster/grid.html", block="totals", **_grid_context(team, _month(month)))


@bp.route("/<int:team_id>/<month>/fill", methods=["POST"])
@require("roster.plan")
def fill(team_id: int, month: str):
    team, first = _planner(team_id, month)
    form = FillForm()
    if form.validate_on_submit():
        staff = _member(team, form.staff_id.data)
        with refusals(form):
            row = roster.month_for(team, first, current_user)
            changed = roster.fill_range(row, staff, form.start.data, form.end.data, form.code.data or "", current_user)
            flash(_("%(n)d day(s) filled.", n=len(changed)), "success")
            return _grid_back(team, first)
    ctx = _grid_context(team, first, fill=form)
    return render("roster/grid.html", status=form_status(form) if form.errors or form.form_errors else 422, **ctx)


@bp.route("/<int:team_id>/<month>/copy-week", methods=["POST"])
@require("roster.plan")
def copy_week(team_id: int, month: str):
    team, first = _planner(team_id, month)
    week = request.form.get("week", "")
    with refusals(flash_it=True):
        try:
            start = date.fromisoformat(week)
        except ValueError:
            raise ServiceError(_("Choose the week."), "week")
        row = roster.month_for(team, first, current_user)
        n = roster.copy_week(row, start, current_user)
        flash(_("Last week's pattern copied (%(n)d cells).", n=n), "success")
    return _grid_back(team, first)


@bp.route("/<int:team_id>/<month>/publish", methods=["POST"])
@require("roster.publish")
def publish(team_id: int, month: str):
    team = _team(team_id)
    first = _month(month)
    if not permissions.can_publish(current_user, team):
        abort(403)
    form = PublishForm()
    row = roster.get_month(team, first) or abort(404)
    if form.validate_on_submit():
        with refusals(form):
            roster.publish(row, form.password.data, current_user)
            flash(_("Roster signed and published."), "success")
            return _grid_back(team, first)
    return render("roster/grid.html", status=422, **_grid_context(team, first, publish_form=form))


@bp.route("/<int:team_id>/<month>/change", methods=["POST"])
@require("roster.plan")
def change(team_id: int, month: str):
    """A change to the published roster: one cell, with its kind and reason."""
    team, first = _planner(team_id, month)
    row = roster.get_month(team, first) or abort(404)
    form = ChangeForm()
    form.kind.choices = list(change_kind_labels().items())
    if form.validate_on_submit():
        staff = _member(team, form.staff_id.data)
        with refusals(form):
            roster.change_published(row, staff, form.day.data, form.code.data or "", form.kind.data, form.reason.data,
                                    current_user)
            flash(_("Change recorded."), "success")
            return _grid_back(team, first)
    return render("roster/grid.html", status=422, **_grid_context(team, first, change=form))


@bp.route("/<int:team_id>/<month>/export.xlsx")
@require("roster.team")
def grid_xlsx(team_id: int, month: str):
    """The month grid as Excel: real dates, a frozen header, one column per day."""
    from portal.core.xlsx import XLSX_MIMETYPE
    from portal.roster import exports

    team = _team(team_id)
    first = _month(month)
    data = exports.export_xlsx(roster.grid(team, first, local_today()))
    return Response(data, mimetype=XLSX_MIMETYPE, headers={
        "Content-Disposition": f'attachment; filename="roster-{first:%Y-%m}-team{team.id}.xlsx"'})


@bp.route("/<int:team_id>/<month>/export.pdf")
@require("roster.team")
def grid_pdf(team_id: int, month: str):
    """The month grid as PDF, landscape, A4 (default) or A3 (?size=A3)."""
    team = _team(team_id)
    first = _month(month)
    size = "A3" if request.args.get("size", "").upper() == "A3" else "A4"
    key = paper.pdf_key(paper.html(team, first, size))
    return pdf_cache.serve(paper.ROSTER_PDF, team.id, key, f"roster-{first:%Y-%m}-team{team.id}-{size}.pdf",
                           attachment=True, month=first.isoformat(), size=size)


@bp.route("/<int:team_id>/<month>/import", methods=["POST"])
@require("roster.plan")
def grid_import(team_id: int, month: str):
    """A roster workbook in the team leaders' layout: a validation report of every bad cell, all or nothing."""
    from portal.core import files
    from portal.roster import exports

    team, first = _planner(team_id, month)
    upload = request.files.get("file")
    problems: list = []
    if upload is None or not upload.filename:
        problems = [exports.Problem("", "", _("Choose the Excel file."))]
    else:
        data = upload.read()
        try:
            files.check_upload(data, upload.filename, ("xlsx",))
        except files.FileRefused as exc:
            problems = [exports.Problem("", "", exc.message)]
        else:
            cells, problems, _seen = exports.parse_import(data, team, first)
            if not problems:
                errors: dict = {}
                with refusals(errors=errors):
                    row = roster.month_for(team, first, current_user)
                    n = exports.apply_import(row, cells, current_user)
                    flash(_("Roster imported: %(n)d cells changed.", n=n), "success")
                    return _grid_back(team, first)
                problems = [exports.Problem("", "", m) for m in errors.values()]
    return render("roster/grid.html", status=422, **_grid_context(team, first, import_problems=problems))


@bp.route("/<int:team_id>/<month>/compare")
@require("roster.team")
def compare(team_id: int, month: str):
    """The published version against the current one, and the changes made after publishing."""
    team = _team(team_id)
    first = _month(month)
    row = roster.get_month(team, first)
    if row is None or row.status != PUBLISHED:
        abort(404)
    diffs = roster.differences(row)
    names = {str(s.id): s for s in db.session.scalars(select(Staff).where(Staff.id.in_([int(d[0]) for d in diffs])))} if diffs else {}
    return render("roster/compare.html", team=team, row=row, first=first, diffs=diffs, names=names,
                  changes=roster.changes(row), kinds=change_kind_labels())


# ---------------------------------------------------------------- one's own roster and the check-in
@bp.route("/me")
@require("roster.self")
def me():
    staff = _my_staff()
    first = roster.parse_month(request.args.get("month", "")) or local_today().replace(day=1)
    days, shifts, current = [], {}, None
    if staff is not None:
        last = roster.month_days(first)[-1]
        found = realisation.days_of([staff.id], first, last)
        current = {d.day: d for d in found}
        days = roster.month_days(first)
    now_local = realisation.local_now(staff.site.timezone) if staff else None
    open_row = realisation.open_attendance(staff, now_local) if staff else None
    return render("roster/me.html", staff=staff, first=first, days=days, current=current or {}, open_row=open_row,
                  states=state_labels(), absences=absence_labels(), shifts=shifts,
                  prev=(first - timedelta(days=1)).replace(day=1), next=(first + timedelta(days=32)).replace(day=1))


@bp.route("/home")
@login_required
def home_panel():
    """The roster panel of the home page (loaded by htmx): the check-in button, HK+3 deadlines."""
    from portal.roster import inbox

    ctx = inbox.panel(current_user)
    return render("roster/home.html", block="panel", **ctx)


@bp.route("/check-in", methods=["POST"])
@require("roster.self")
def check_in():
    staff = _my_staff() or abort(404)
    with refusals(flash_it=True):
        row = realisation.check_in(staff, current_user, request.remote_addr or "")
        flash(_("Checked in at %(t)s.", t=f"{realisation.local_now(staff.site.timezone, row.check_in):%H.%M}"), "success")
    return redirect(request.form.get("next") == "me" and url_for("roster.me") or url_for("main.home"), 303)


@bp.route("/check-out", methods=["POST"])
@require("roster.self")
def check_out():
    staff = _my_staff() or abort(404)
    with refusals(flash_it=True):
        row = realisation.check_out(staff, current_user, request.remote_addr or "")
        flash(_("Checked out at %(t)s.", t=f"{realisation.local_now(staff.site.timezone, row.check_out):%H.%M}"), "success")
    return redirect(request.form.get("next") == "me" and url_for("roster.me") or url_for("main.home"), 303)


# ---------------------------------------------------------------- the team leader's day of attendance
def _day_context(team: Team, day: date, **extra) -> dict:
    ids = realisation.team_staff_ids(team.id, day, day)
    found = realisation.days_of(ids, day, day)
    absence = AbsenceForm(formdata=None)
    absence.reason.choices = [(r, absence_labels()[r]) for r in ABSENCE_REASONS]
    return {"team": team, "day": day, "rows": found, "states": state_labels(), "absences": absence_labels(),
            "can_record": permissions.can_record(current_user, team), "absence": absence, "times": TimesForm(formdata=None),
            "coaching": _coaching_links(found), "timedelta1": timedelta(days=1), "form_staff": None} | extra


def _coaching_links(found) -> bool:
    from portal.core.modules import is_enabled

    return is_enabled("coaching") and current_user.can("coaching.raise")


@bp.route("/<int:team_id>/day/<day>")
@require("roster.team")
def day(team_id: int, day: str):
    team = _team(team_id)
    return render("roster/day.html", **_day_context(team, _day(day)))


def _recorder(team_id: int, day: str, staff_id: int) -> tuple[Team, date, Staff]:
    team = _team(team_id)
    if not permissions.can_record(current_user, team):
        abort(403)
    the_day = _day(day)
    staff = db.session.get(Staff, staff_id) or abort(404)
    if staff.id not in realisation.team_staff_ids(team.id, the_day, the_day):
        abort(404)
    return team, the_day, staff


@bp.route("/<int:team_id>/day/<day>/<int:staff_id>/times", methods=["POST"])
@require("roster.attendance")
def record_times(team_id: int, day: str, staff_id: int):
    team, the_day, staff = _recorder(team_id, day, staff_id)
    form = TimesForm()
    if form.validate_on_submit():
        with refusals(form):
            out = form.check_out.data
            in_local = datetime.combine(the_day, form.check_in.data)
            out_local = None
            if out is not None:
                out_local = datetime.combine(the_day if out > form.check_in.data else the_day + timedelta(days=1), out)
            realisation.record_times(staff, the_day, in_local, out_local, current_user)
            flash(_("Attendance recorded."), "success")
            return redirect(url_for("roster.day", team_id=team.id, day=the_day.isoformat()), 303)
    return render("roster/day.html", status=422, **_day_context(team, the_day, times=form, form_staff=staff.id))


@bp.route("/<int:team_id>/day/<day>/<int:staff_id>/absence", methods=["POST"])
@require("roster.attendance")
def record_absence(team_id: int, day: str, staff_id: int):
    team, the_day, staff = _recorder(team_id, day, staff_id)
    form = AbsenceForm()
    form.reason.choices = [(r, absence_labels()[r]) for r in ABSENCE_REASONS]
    if form.validate_on_submit():
        with refusals(form):
            realisation.record_absence(staff, the_day, form.reason.data, form.note.data, current_user)
            flash(_("Absence recorded."), "success")
            return redirect(url_for("roster.day", team_id=team.id, day=the_day.isoformat()), 303)
    return render("roster/day.html", status=422, **_day_context(team, the_day, absence=form, form_staff=staff.id))


# ---------------------------------------------------------------- today's floor
@bp.route("/today")
@require("roster.floor")
def today():
    """Who is expected now, who is in, late or absent, per site, service and team (htmx polls the block)."""
    from portal.roster import floor

    site_id = request.args.get("site", type=int)
    service_id = request.args.get("service", type=int)
    team_id = request.args.get("team", type=int)
    data = floor.floor(current_user, site_id, service_id, team_id)
    sites = list(db.session.scalars(select(Site).where(Site.active.is_(True)).order_by(Site.name)))
    services = list(db.session.scalars(select(Service).where(Service.active.is_(True)).order_by(Service.name)))
    from portal.people.queries import visible_teams

    teams = list(db.session.scalars(visible_teams(current_user).where(Team.active.is_(True)).order_by(Team.name)))
    return render("roster/today.html", block="floor" if request.headers.get("HX-Trigger") == "floor" else "content",
                  data=data, sites=sites, services=services, teams=teams, site_id=site_id, service_id=service_id,
                  team_id=team_id,
                  states=state_labels(), absences=absence_labels(), coaching=_coaching_links(None))


# ---------------------------------------------------------------- F-02: roster against realisation
@bp.route("/<int:team_id>/<month>/f02")
@require("roster.team")
def compliance(team_id: int, month: str):
    return compliance_page(_team(team_id), _month(month))


@bp.route("/<int:team_id>/<month>/f02.xlsx")
@require("roster.team")
def compliance_xlsx(team_id: int, month: str):
    """The F-02 of the team's month as Excel (per person with the total, and the exceptions)."""
    from portal.core.xlsx import XLSX_MIMETYPE
    from portal.roster import exports

    team, first = _team(team_id), _month(month)
    last = min(roster.month_days(first)[-1], local_today())
    ids = realisation.team_staff_query(team.id, first, roster.month_days(first)[-1])
    found = realisation.days_of(ids, first, last) if last >= first else []
    total, per_person, _per_day = realisation.tally(found)
    data = exports.export_f02_xlsx(team, first, last, total, per_person, {d.staff.id: d.staff for d in found},
                                   realisation.exceptions(found), absence_labels(), state_labels())
    return Response(data, mimetype=XLSX_MIMETYPE, headers={
        "Content-Disposition": f'attachment; filename="F-02-{first:%Y-%m}-team{team.id}.xlsx"'})


def compliance_page(team: Team, first: date, status: int = 200, import_problems=None):
    today = local_today()
    last = min(roster.month_days(first)[-1], today)
    ids = realisation.team_staff_query(team.id, first, roster.month_days(first)[-1])
    found = realisation.days_of(ids, first, last) if last >= first else []
    total, per_person, per_day = realisation.tally(found)
    people = {d.staff.id: d.staff for d in found}
    from portal.records.models import Record

    record = db.session.scalar(select(Record).join(RosterMonth, RosterMonth.f02_record_id == Record.id)
                               .where(RosterMonth.team_id == team.id, RosterMonth.month == first))
    can_make = (record is None and permissions.can_plan(current_user, team) and current_user.can("records.fill")
                and first <= today)
    return render("roster/compliance.html", status=status, team=team, first=first, last=last, total=total,
                  per_person=per_person, people=people, per_day=per_day, exceptions=realisation.exceptions(found),
                  absences=absence_labels(), states=state_labels(), record=record, can_make=can_make,
                  can_record=permissions.can_record(current_user, team), import_problems=import_problems)


@bp.route("/<int:team_id>/<month>/f02", methods=["POST"])
@require("roster.plan")
def f02_record(team_id: int, month: str):
    """The month's F-02 made a record of the records module, filled from the data (the TL signs it there)."""
    from portal.roster import f02

    team, first = _planner(team_id, month)
    if not current_user.can("records.fill"):
        abort(403)
    with refusals(flash_it=True):
        record = f02.make_record(team, first, current_user)
        flash(_("The F-02 record was filled from the roster; check it, then sign and submit it."), "success")
        return redirect(url_for("records.show", record_id=record.id), 303)
    return redirect(url_for("roster.compliance", team_id=team.id, month=month), 303)


@bp.route("/<int:team_id>/<month>/attendance-import", methods=["POST"])
@require("roster.attendance")
def attendance_import(team_id: int, month: str):
    """Check-ins and check-outs from the login or attendance system's export: a validation report, all or nothing."""
    from portal.core import files
    from portal.roster import attendance_import as importer
    from portal.roster.exports import Problem

    team = _team(team_id)
    first = _month(month)
    if not permissions.can_record(current_user, team):
        abort(403)
    last = roster.month_days(first)[-1]
    upload = request.files.get("file")
    problems: list = []
    if upload is None or not upload.filename:
        problems = [Problem("", "", _("Choose the CSV or Excel file."))]
    else:
        data = upload.read()
        name = upload.filename
        if name.lower().endswith(".xlsx"):
            try:
                files.check_upload(data, name, ("xlsx",))
            except files.FileRefused as exc:
                problems = [Problem(name, "", exc.message)]
        elif not name.lower().endswith(".csv"):
            problems = [Problem(name, "", _("Send a CSV or Excel (.xlsx) file."))]
        if not problems:
            rows, problems = importer.parse(data, name, realisation.team_staff_ids(team.id, first, last), first, last)
            if not problems:
                errors: dict = {}
                with refusals(errors=errors):
                    n = importer.apply(rows, current_user)
                    flash(_("%(n)d check-ins imported.", n=n), "success")
                    return redirect(url_for("roster.compliance", team_id=team.id, month=month), 303)
                problems = [Problem(name, "", m) for m in errors.values()]
    return compliance_page(team, first, status=422, import_problems=problems)


# ---------------------------------------------------------------- set-up data
@bp.route("/shifts", methods=["GET", "POST"])
@require("roster.setup")
def shifts():
    services = list(db.session.scalars(select(Service).where(Service.active.is_(True)).order_by(Service.name)))
    form = ShiftForm()
    form.service_id.choices = [(s.id, s.name) for s in services]
    if form.validate_on_submit():
        with refusals(form):
            roster.save_shift(form.service_id.data, {f: getattr(form, f).data for f in
                                                     ("code", "name", "starts", "ends", "break_minutes", "active")}, current_user)
            flash(_("Shift saved."), "success")
            return redirect(url_for("roster.shifts"), 303)
    all_shifts = list(db.session.scalars(select(Shift).order_by(Shift.service_id, Shift.starts)))
    from portal.roster.models import ServiceHours

    hours = {h.service_id: h for h in db.session.scalars(select(ServiceHours))}
    return render("roster/shifts.html", services=services, form=form, shifts=all_shifts, hours=hours,
                  hours_form=HoursForm(formdata=None), status=form_status(form))


@bp.route("/hours/<int:service_id>", methods=["POST"])
@require("roster.setup")
def hours(service_id: int):
    db.session.get(Service, service_id) or abort(404)
    form = HoursForm()
    if form.validate_on_submit():
        with refusals(flash_it=True):
            roster.save_hours(service_id, {f: getattr(form, f).data for f in
                                           ("opens", "closes", "late_tolerance", "early_tolerance")}, current_user)
            flash(_("Operating hours saved."), "success")
    else:
        flash(_("Check the times and minutes entered."), "error")
    return redirect(url_for("roster.shifts"), 303)


@bp.route("/days-off", methods=["GET", "POST"])
@require("calendar.manage")
def days_off():
    from portal.core import workdays

    form = DayOffForm()
    if form.validate_on_submit():
        with refusals(form):
            roster.add_day_off(form.day.data, form.name.data, current_user)
            flash(_("Company day off added."), "success")
            return redirect(url_for("roster.days_off"), 303)
    today = local_today()
    rows = list(db.session.scalars(select(workdays.CompanyDayOff).where(workdays.CompanyDayOff.day >= today.replace(month=1, day=1))
                                   .order_by(workdays.CompanyDayOff.day).limit(200)))
    year = today.year
    public = sorted(workdays.public_holidays(year).items())
    return render("roster/days_off.html", form=form, rows=rows, public=public, year=year, status=form_status(form))


@bp.route("/days-off/<int:day_off_id>/delete", methods=["POST"])
@require("calendar.manage")
def day_off_delete(day_off_id: int):
    from portal.core.workdays import CompanyDayOff

    row = db.session.get(CompanyDayOff, day_off_id) or abort(404)
    roster.remove_day_off(row, current_user)
    flash(_("Company day off removed."), "success")
    return redirect(url_for("roster.days_off"), 303)



@bp.route("/people/<employee_no>")
@login_required
def person_section(employee_no: str):
    """The roster section of the person's page (loaded by htmx; a full page when opened directly)."""
    from portal.roster.sections import roster_context

    staff = db.session.scalar(select(Staff).where(Staff.employee_number == employee_no)) or abort(404)
    own = staff.user_id is not None and staff.user_id == current_user.id
    team = staff.team
    if not ((own and current_user.can("roster.self")) or (team is not None and permissions.can_view_team(current_user, team))):
        abort(403)
    return render("training/person.html", block="section", staff=staff, ctx=roster_context(staff), key="roster",
                  title=_("Roster and attendance"), section_template="roster/section.html")

"""Monitoring pages (/monitoring): each service's KPIs today and this month against target with trend charts, a page
per KPI with its readings (entry, computing), the CSV import with its validation report, recovery plans from
proposal to closing, the desk control's end-of-shift report and the supervisor's daily analyses (F-05)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from portal.auth.models import Service, User
from portal.core.charts import bar_chart
from portal.core.forms import form_status, refusals
from portal.core.htmx import render
from portal.core.i18n import local_today
from portal.core.permissions import ROLES, require
from portal.core.service import ServiceError
from portal.extensions import db
from portal.monitoring import f05, imports, permissions, plans, services, shift_report
from portal.monitoring.forms import (
    CloseForm,
    ComputeForm,
    DecisionForm,
    DistributeForm,
    ImportForm,
    KpiForm,
    PlanForm,
    ReadingForm,
    ShiftReportForm,
)
from portal.monitoring.labels import (
    outcome_labels,
    period_labels,
    plan_labels,
    reading_source_labels,
    source_labels,
)
from portal.monitoring.models import (
    DAY,
    MONTH,
    PLAN_STATES,
    DailyAnalysis,
    Kpi,
    PlanRecipient,
    Reading,
    ReadingImport,
    RecoveryPlan,
)

bp = Blueprint("monitoring", __name__)
STEP_ROWS = 5
OWNER_ROLES = ("tl", "spv", "qa", "qmr", "manager")  # who may own a KPI


def _month_arg() -> date:
    given = request.args.get("month")
    if given:
        first = services.parse_month(given)
        if first is None:
            abort(404)
        return first
    return local_today().replace(day=1)


def _visible_services() -> list[Service]:
    stmt = select(Service).where(Service.active.is_(True)).order_by(Service.code)
    clause = permissions.service_clause(current_user, Service.id)
    if clause is not None:
        stmt = stmt.where(clause)
    return list(db.session.scalars(stmt))


def capa_link(reading_id: int) -> str | None:
    """The "open a nonconformity" link of a missed reading, when the nonconformity register is installed and the user
    may raise one."""
    if "capa.new" not in current_app.view_functions or not current_user.can("capa.raise"):
        return None
    return url_for("capa.new", source="kpi", ref=reading_id)


def _chart(kpi: Kpi, figures: list) -> dict:
    return bar_chart([{"value": f.value, "under": f.met is False, "label": f.start.strftime("%d") if f.kind == DAY
                       else f.start.strftime("%m/%y"), "start": f.start} for f in figures], kpi.target,
                     top=100.0 if kpi.unit == "%" and kpi.target >= 30 else None)


# ---------------------------------------------------------------- the monitoring page
@bp.route("/")
@require("monitoring.read")
def index():
    """Per service: today's and the month's figure of each KPI against target, the month's daily trend."""
    first = _month_arg()
    today = local_today()
    svcs = _visible_services()
    code = request.args.get("service", "")
    shown = [s for s in svcs if s.code == code] if code else svcs
    if code and not shown:
        abort(404)
    kpi_list = services.kpis([s.id for s in shown])
    last = services.month_end(first)
    s = services.series(kpi_list, first, max(last, today) if first <= today <= last else last)
    days = services.month_days(first)
    blocks = []
    for svc in shown:
        rows = []
        for kpi in [k for k in kpi_list if k.service_id == svc.id]:
            if kpi.period == MONTH:
                chart = None  # one figure a month: its trend is on the KPI's page
            else:
                figures = [s.day(kpi, d) for d in days if d <= today]
                chart = _chart(kpi, figures) if any(f.value is not None for f in figures) else None
            rows.append({"kpi": kpi, "today": s.day(kpi, today) if kpi.period != MONTH else None,
                         "month": s.month(kpi, first), "chart": chart})
        blocks.append({"service": svc, "rows": rows})
    return render("monitoring/index.html", blocks=blocks, services=svcs, code=code, month=first, today=today,
                  previous=(first - timedelta(days=1)).replace(day=1), following=(first + timedelta(days=32)).replace(day=1),
                  in_month=first <= today <= last)


# ---------------------------------------------------------------- one KPI
def _kpi(kpi_id: int) -> Kpi:
    kpi = db.session.get(Kpi, kpi_id) or abort(404)
    if not permissions.can_see_service(current_user, kpi.service_id):
        abort(403)
    return kpi


def _reading_form(kpi: Kpi, formdata=None) -> ReadingForm:
    form = ReadingForm(formdata=formdata) if formdata is not None else ReadingForm(formdata=None)
    labels = period_labels()
    form.period.choices = [(p, labels[p]) for p in services.allowed_periods(kpi)]
    if formdata is None:
        form.period.data = MONTH if kpi.period == MONTH else DAY
        form.day.data = local_today()
    return form


def kpi_page(kpi: Kpi, first: date, form: ReadingForm | None = None, status: int = 200, compute_form=None):
    today = local_today()
    last = services.month_end(first)
    s = services.series([kpi], first, last)
    if kpi.period == MONTH:
        months = []
        m = (first - timedelta(days=31 * 11)).replace(day=1)
        trend = services.series([kpi], m, last)
        while m <= first:
            months.append(trend.month(kpi, m))
            m = (m + timedelta(days=32)).replace(day=1)
        figures = months
    else:
        figures = [s.day(kpi, d) for d in services.month_days(first) if d <= today]
    readings = services.readings_of(kpi, first if kpi.period != MONTH else (first - timedelta(days=31 * 11)).replace(day=1), last)
    plan_of = {}
    if readings:
        plan_of = {p.reading_id: p for p in db.session.scalars(select(RecoveryPlan).where(
            RecoveryPlan.reading_id.in_([r.id for r in readings]), RecoveryPlan.status != "rejected"))}
    can_enter = permissions.can_enter(current_user, kpi.service_id) and not kpi.computed
    can_compute = kpi.computed and permissions.can_compute(current_user, kpi.service_id)
    if form is None and can_enter:
        form = _reading_form(kpi)
    if compute_form is None and can_compute:
        compute_form = ComputeForm(formdata=None, month=f"{first:%Y-%m}")
    return render("monitoring/kpi.html", status=status, kpi=kpi, month=first, month_figure=s.month(kpi, first),
                  figures=figures, chart=_chart(kpi, figures) if any(f.value is not None for f in figures) else None,
                  readings=readings, plan_of=plan_of, form=form, compute_form=compute_form, can_enter=can_enter,
                  can_compute=can_compute, can_propose=permissions.can_propose(current_user, kpi.service_id),
                  capa_link=capa_link, sources=source_labels(), reading_sources=reading_source_labels(),
                  periods=period_labels(), roles=ROLES, previous=(first - timedelta(days=1)).replace(day=1),
                  following=(first + timedelta(days=32)).replace(day=1))


@bp.route("/kpi/<int:kpi_id>")
@require("monitoring.read")
def kpi(kpi_id: int):
    return kpi_page(_kpi(kpi_id), _month_arg())


@bp.route("/kpi/<int:kpi_id>/readings", methods=["POST"])
@require("monitoring.enter")
def enter(kpi_id: int):
    kpi = _kpi(kpi_id)
    if not permissions.can_enter(current_user, kpi.service_id) or kpi.computed:
        abort(403)
    form = _reading_form(kpi, request.form)
    if form.validate():
        with refusals(form):
            row = services.enter(kpi, {"period": form.period.data, "day": form.day.data, "at": form.at.data,
                                       "value": form.value.data, "volume": form.volume.data, "note": form.note.data,
                                       "replace": form.replace.data}, current_user)
            if row.met:
                flash(_("Reading saved: the target is met."), "success")
            else:
                flash(_("Reading saved: the target is missed. Propose a recovery plan from the list of readings."), "warning")
            return redirect(url_for("monitoring.kpi", kpi_id=kpi.id, month=f"{row.day:%Y-%m}") + f"#r{row.id}", 303)
    first = form.day.data.replace(day=1) if form.day.data else local_today().replace(day=1)
    return kpi_page(kpi, first, form=form, status=form_status(form) if form.errors or form.form_errors else 422)


@bp.route("/kpi/<int:kpi_id>/compute", methods=["POST"])
@require("monitoring.compute")
def compute(kpi_id: int):
    kpi = _kpi(kpi_id)
    if not (kpi.computed and permissions.can_compute(current_user, kpi.service_id)):
        abort(403)
    form = ComputeForm(request.form)
    first = services.parse_month(form.month.data) if form.validate() else None
    if first is None:
        form.month.errors = list(form.month.errors) + [_("Enter the month as YYYY-MM.")]
        return kpi_page(kpi, local_today().replace(day=1), compute_form=form, status=422)
    with refusals(form):
        n = services.compute(kpi, first, current_user)
        flash(_("%(n)d reading(s) computed.", n=n), "success")
        return redirect(url_for("monitoring.kpi", kpi_id=kpi.id, month=f"{first:%Y-%m}"), 303)
    return kpi_page(kpi, first, compute_form=form, status=422)


# ---------------------------------------------------------------- definitions
@bp.route("/kpis", endpoint="kpis")
@require("monitoring.read")
def kpi_list():
    return render("monitoring/kpis.html", kpis=services.kpis(permissions.service_ids(current_user)),
                  can_edit=current_user.can("monitoring.setup"), sources=source_labels(), periods=period_labels(),
                  roles=ROLES)


def _kpi_form(kpi: Kpi, formdata=None) -> KpiForm:
    if formdata is None:
        form = KpiForm(formdata=None, name=kpi.name, formula=kpi.formula, target=str(kpi.target).replace(".", ","),
                       direction="higher" if kpi.higher_is_better else "lower", owner_role=kpi.owner_role)
    else:
        form = KpiForm(formdata)
    form.direction.choices = [("higher", _("higher is better")), ("lower", _("lower is better"))]
    form.owner_role.choices = [(code, str(label)) for code, label in ROLES.items() if code in OWNER_ROLES]
    return form


@bp.route("/kpi/<int:kpi_id>/edit", methods=["GET", "POST"])
@require("monitoring.setup")
def kpi_edit(kpi_id: int):
    kpi = _kpi(kpi_id)
    if request.method == "GET":
        return render("monitoring/kpi_edit.html", kpi=kpi, form=_kpi_form(kpi))
    form = _kpi_form(kpi, request.form)
    if form.validate():
        with refusals(form):
            services.update_kpi(kpi, {"name": form.name.data, "formula": form.formula.data, "target": form.target.data,
                                      "higher_is_better": form.direction.data == "higher",
                                      "owner_role": form.owner_role.data}, current_user)
            flash(_("The KPI was saved."), "success")
            return redirect(url_for("monitoring.kpis"), 303)
    return render("monitoring/kpi_edit.html", kpi=kpi, form=form, status=422)


# ---------------------------------------------------------------- CSV import
@bp.route("/import", methods=["GET", "POST"])
@require("monitoring.enter")
def import_readings():
    form = ImportForm()
    status = 200
    if request.method == "POST":
        with refusals(form):
            if not form.validate():
                raise ServiceError(_("This form has expired. Please send it again."), "file")
            row = imports.check_file(request.files.get("file"), bool(form.replace.data), current_user)
            return redirect(url_for("monitoring.import_report", reading_import_id=row.id), 303)
        status = 422
    return render("monitoring/import.html", form=form, status=status, kpis=services.kpis(permissions.service_ids(current_user)))


def _import(reading_import_id: int) -> ReadingImport:
    row = db.session.get(ReadingImport, reading_import_id) or abort(404)
    if row.created_by_id != current_user.id and not current_user.can("monitoring.all"):
        abort(403)
    return row


@bp.route("/import/<int:reading_import_id>")
@require("monitoring.enter")
def import_report(reading_import_id: int):
    import json

    row = _import(reading_import_id)
    return render("monitoring/import_report.html", row=row, errors=json.loads(row.errors_json or "[]"), form=ImportForm(formdata=None))


@bp.route("/import/<int:reading_import_id>/confirm", methods=["POST"])
@require("monitoring.enter")
def import_confirm(reading_import_id: int):
    row = _import(reading_import_id)
    with refusals(flash_it=True):
        n = imports.confirm(row, current_user)
        flash(_("%(n)d reading(s) imported.", n=n), "success")
    return redirect(url_for("monitoring.import_report", reading_import_id=row.id), 303)


@bp.route("/import/<int:reading_import_id>/discard", methods=["POST"])
@require("monitoring.enter")
def import_discard(reading_import_id: int):
    row = _import(reading_import_id)
    with refusals(flash_it=True):
        imports.discard(row, current_user)
        flash(_("Nothing was imported from this file."), "success")
    return redirect(url_for("monitoring.import_readings"), 303)


@bp.route("/import/template.csv")
@require("monitoring.enter")
def import_template():
    body = ("service,kpi,date,interval,value,volume\n"
            f"147,SL,{local_today():%Y-%m-%d},08:00,82.5,410\n147,SL,{local_today():%Y-%m-%d},08:30,78.1,455\n"
            f"108,SCR,{local_today():%Y-%m-%d},,2.4,3120\n")
    response = make_response(body)
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = "attachment; filename=kpi-readings.csv"
    return response


# ---------------------------------------------------------------- recovery plans
@bp.route("/plans", endpoint="plans")
@require("monitoring.read")
def plans_index():
    status = request.args.get("status", "")
    mine = request.args.get("mine") == "1"
    stmt = (select(RecoveryPlan).join(Kpi, Kpi.id == RecoveryPlan.kpi_id).order_by(RecoveryPlan.id.desc()).limit(200))
    if status in PLAN_STATES:
        stmt = stmt.where(RecoveryPlan.status == status)
    if mine:
        stmt = stmt.where(RecoveryPlan.id.in_(select(PlanRecipient.plan_id).where(PlanRecipient.user_id == current_user.id)))
    else:
        clause = permissions.service_clause(current_user, Kpi.service_id)
        if clause is not None:
            stmt = stmt.where(clause | RecoveryPlan.id.in_(select(PlanRecipient.plan_id).where(PlanRecipient.user_id == current_user.id)))
    found = list(db.session.scalars(stmt))
    waiting = {}
    if found:
        waiting = dict(db.session.execute(select(PlanRecipient.plan_id, func.count(PlanRecipient.id)).where(
            PlanRecipient.plan_id.in_([p.id for p in found]), PlanRecipient.acknowledged_at.is_(None))
            .group_by(PlanRecipient.plan_id)).all())
    return render("monitoring/plans.html", plans=found, state=status, mine=mine, states=plan_labels(), waiting=waiting)



def _step_rows(formdata=None, defaults=None) -> list[dict]:
    rows = []
    for i in range(1, STEP_ROWS + 1):
        if formdata is not None:
            rows.append({"action": formdata.get(f"step_action_{i}", ""), "owner": formdata.get(f"step_owner_{i}", ""),
                         "due": formdata.get(f"step_due_{i}", "")})
        else:
            d = defaults[i - 1] if defaults and i <= len(defaults) else None
            rows.append({"action": d["action"] if d else "", "owner": "",
                         "due": d["due_at"].strftime("%Y-%m-%dT%H:%M") if d else ""})
    return rows


def _parse_steps(rows: list[dict]) -> list[dict]:
    out = []
    for r in rows:
        try:
            due = datetime.strptime(r["due"], "%Y-%m-%dT%H:%M") if r["due"] else None
        except ValueError:
            due = "bad"
        out.append({"action": r["action"], "owner_id": int(r["owner"]) if r["owner"].isdigit() else None, "due_at": due})
    return out


def _owners(service_id: int) -> list[User]:
    from portal.auth.models import user_service

    return list(db.session.scalars(select(User).join(user_service, user_service.c.user_id == User.id)
                                   .where(User.active.is_(True), user_service.c.service_id == service_id)
                                   .order_by(User.full_name).limit(300)))


def _new_plan_page(kpi, reading, form, rows, status=200):
    return render("monitoring/plan_new.html", status=status, kpi=kpi, reading=reading, form=form, rows=rows,
                  owners=_owners(kpi.service_id), step_error=form.errors.get("steps") if hasattr(form, "errors") else None)


@bp.route("/plans/new", methods=["GET", "POST"])
@require("monitoring.plan")
def plan_new():
    reading_id = request.values.get("reading", type=int)
    reading = db.session.get(Reading, reading_id) if reading_id else None
    if reading is None:
        abort(404)
    kpi = reading.kpi
    if not permissions.can_propose(current_user, kpi.service_id):
        abort(403)
    if request.method == "GET":
        from portal.core.db import utcnow
        from portal.core.i18n import to_local

        now = to_local(utcnow(), current_app.config["PORTAL_TIMEZONE"]).replace(tzinfo=None, second=0, microsecond=0)
        start = max(now, reading.starts_at)
        form = PlanForm(formdata=None, problem=services.miss_text(kpi, reading.value, reading.target,
                                                                  services.reading_period_text(reading)[2]))
        return _new_plan_page(kpi, reading, form, _step_rows(defaults=plans.default_steps(start)))
    form = PlanForm(request.form)
    rows = _step_rows(request.form)
    step_errors = {}
    if form.validate():
        with refusals(form, errors=step_errors):
            parsed = _parse_steps(rows)
            if any(s["due_at"] == "bad" for s in parsed):
                raise ServiceError(_("Enter each step's due time as a date and a time."), "steps")
            plan = plans.propose(kpi, reading, form.problem.data, parsed, current_user)
            flash(_("Recovery plan %(n)s proposed; it waits for the supervisor's approval.", n=plan.number), "success")
            return redirect(url_for("monitoring.plan", plan_id=plan.id), 303)
    return render("monitoring/plan_new.html", status=422, kpi=kpi, reading=reading, form=form, rows=rows,
                  owners=_owners(kpi.service_id), step_error=step_errors.get("steps"))


def _plan(plan_id: int) -> RecoveryPlan:
    plan = db.session.get(RecoveryPlan, plan_id) or abort(404)
    if not (current_user.can("monitoring.read") and permissions.can_see_plan(current_user, plan)):
        abort(403)
    return plan


def plan_page(plan: RecoveryPlan, status: int = 200, decision=None, distribute_form=None, close_form=None):
    before, after = services.around(plan.kpi, plans.since(plan))
    decision = decision or DecisionForm(formdata=None)
    if distribute_form is None:
        distribute_form = DistributeForm(formdata=None)
    distribute_form.recipients.choices = [(u.id, u.full_name) for u in plans.team_leaders(plan.kpi.service_id)] \
        if permissions.can_distribute(current_user, plan) else []
    if close_form is None:
        close_form = CloseForm(formdata=None)
    close_form.outcome.choices = [("", _("Choose…"))] + list(outcome_labels().items())
    return render("monitoring/plan.html", status=status, plan=plan, before=before, after=after, decision=decision,
                  distribute_form=distribute_form, close_form=close_form, states=plan_labels(), outcomes=outcome_labels(),
                  can_approve=permissions.can_approve(current_user, plan),
                  can_distribute=permissions.can_distribute(current_user, plan),
                  can_acknowledge=permissions.can_acknowledge(current_user, plan),
                  can_close=permissions.can_close(current_user, plan), capa_link=capa_link)


@bp.route("/plans/<int:plan_id>")
@require("monitoring.read")
def plan(plan_id: int):
    return plan_page(_plan(plan_id))


@bp.route("/plans/<int:plan_id>/approve", methods=["POST"])
@require("monitoring.approve")
def plan_approve(plan_id: int):
    plan = _plan(plan_id)
    if not permissions.can_approve(current_user, plan):
        abort(403)
    form = DecisionForm(request.form)
    reject = request.form.get("decision") == "reject"
    if form.validate():
        with refusals(form):
            if reject:
                plans.reject(plan, form.note.data, current_user)
                flash(_("The recovery plan was rejected."), "success")
            else:
                plans.approve(plan, form.note.data, current_user)
                flash(_("The recovery plan was approved; the desk control distributes it."), "success")
            return redirect(url_for("monitoring.plan", plan_id=plan.id), 303)
    return plan_page(plan, 422, decision=form)


@bp.route("/plans/<int:plan_id>/distribute", methods=["POST"])
@require("monitoring.plan")
def plan_distribute(plan_id: int):
    plan = _plan(plan_id)
    if not permissions.can_distribute(current_user, plan):
        abort(403)
    form = DistributeForm(request.form)
    form.recipients.choices = [(u.id, u.full_name) for u in plans.team_leaders(plan.kpi.service_id)]
    form.validate()
    with refusals(form):
        plans.distribute(plan, form.recipients.data or [], current_user)
        flash(_("The recovery plan was distributed."), "success")
        return redirect(url_for("monitoring.plan", plan_id=plan.id), 303)
    return plan_page(plan, 422, distribute_form=form)


@bp.route("/plans/<int:plan_id>/acknowledge", methods=["POST"])
@require("monitoring.read")
def plan_acknowledge(plan_id: int):
    plan = _plan(plan_id)
    if not permissions.can_acknowledge(current_user, plan):
        abort(403)
    form = DecisionForm(request.form)
    if not form.validate():
        abort(400)
    with refusals(flash_it=True):
        plans.acknowledge(plan, current_user)
        flash(_("You acknowledged the recovery plan."), "success")
    return redirect(url_for("monitoring.plan", plan_id=plan.id), 303)


@bp.route("/plans/<int:plan_id>/close", methods=["POST"])
@require("monitoring.read")
def plan_close(plan_id: int):
    plan = _plan(plan_id)
    if not permissions.can_close(current_user, plan):
        abort(403)
    form = CloseForm(request.form)
    form.outcome.choices = [("", "")] + list(outcome_labels().items())
    if form.validate():
        with refusals(form):
            plans.close(plan, form.outcome.data, form.note.data, current_user)
            flash(_("The recovery plan was closed."), "success")
            return redirect(url_for("monitoring.plan", plan_id=plan.id), 303)
    return plan_page(plan, 422, close_form=form)


# ---------------------------------------------------------------- end-of-shift report
def _shift_context():
    form = ShiftReportForm(request.args)
    found = shift_report.services_with_shifts(permissions.service_clause(current_user, Service.id))
    form.service.choices = [(s.code, f"{s.code} · {s.name}") for s, _shifts in found]
    svc, shifts = next(((s, sh) for s, sh in found if s.code == form.service.data), found[0] if found else (None, []))
    if svc is not None:
        form.service.data = svc.code
    day = form.day.data or local_today()
    form.day.data = day
    form.shift.choices = [(str(s.id), f"{s.code} {s.starts:%H.%M}–{s.ends:%H.%M}") for s in shifts]
    shift = next((s for s in shifts if str(s.id) == (form.shift.data or "")), shifts[0] if shifts else None)
    if shift is not None:
        form.shift.data = str(shift.id)
    report = shift_report.build(svc, day, shift) if svc is not None and shift is not None else None
    return form, report


@bp.route("/shift-report", endpoint="shift_report")
@require("monitoring.enter")
def shift_report_page():
    form, report = _shift_context()
    return render("monitoring/shift_report.html", form=form, report=report, states=plan_labels())



@bp.route("/shift-report.pdf")
@require("monitoring.enter")
def shift_report_pdf():
    from portal.core.pdf import render_pdf

    _form, report = _shift_context()
    if report is None:
        abort(404)
    from portal.core.db import utcnow

    pdf = render_pdf("monitoring/shift_report_pdf.html", report=report, printed_by=current_user.full_name, now=utcnow(),
                     states=plan_labels())
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (f"inline; filename=laporan-akhir-shift-{report.service.code}-"
                                               f"{report.day:%Y%m%d}-{report.shift.code}.pdf")
    return response


# ---------------------------------------------------------------- daily analyses (F-05)
@bp.route("/analyses")
@require("monitoring.read")
def analyses():
    today = local_today()
    overdue = request.args.get("overdue") == "1"
    stmt_first = today - timedelta(days=62)
    rows = f05.listing(permissions.service_ids(current_user), stmt_first, today)
    items = []
    for analysis, record in rows:
        done = record is not None and record.status in f05.DONE
        late = not done and analysis.due_on < today
        if overdue and not late:
            continue
        items.append({"a": analysis, "record": record, "done": done, "late": late,
                      "can_open": record is None and permissions.can_analyse(current_user, analysis.service_id)
                      and current_user.can("records.fill")})
    return render("monitoring/analyses.html", items=items, overdue=overdue, today=today, form=DecisionForm(formdata=None))


@bp.route("/analyses/<int:analysis_id>/open", methods=["POST"])
@require("monitoring.analysis")
def analysis_open(analysis_id: int):
    analysis = db.session.get(DailyAnalysis, analysis_id) or abort(404)
    if not permissions.can_analyse(current_user, analysis.service_id) or not current_user.can("records.fill"):
        abort(403)
    form = DecisionForm(request.form)
    if not form.validate():
        abort(400)
    with refusals(flash_it=True):
        record = f05.make_record(analysis, current_user)
        flash(_("The F-05 was filled with the day's KPI figures; write the analysis, then sign and submit it."), "success")
        return redirect(url_for("records.show", record_id=record.id), 303)
    return redirect(url_for("monitoring.analyses"), 303)

"""Tapping pages (/tapping): the worklist of AGREE calls waiting for validation, a call with its whole history
(verdicts and recalls), the agent's own calls and recall, imports and manual entry, and the Quality Validation Score
(dashboard, Excel, PDF). Customer numbers are masked everywhere; the QCO assigned to a call may show it in clear,
which writes an audit event."""
from __future__ import annotations

import json
from datetime import date, datetime

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from portal.auth.models import Service
from portal.core.forms import form_status, refusals
from portal.core.htmx import render
from portal.core.i18n import local_today
from portal.core.paging import by_key
from portal.core.permissions import require
from portal.core.urls import db_int
from portal.core.xlsx import XLSX_MIMETYPE, build_workbook
from portal.extensions import db
from portal.people.models import Staff, Team
from portal.tapping import imports, permissions, qvs
from portal.tapping import services as tapping
from portal.tapping.forms import AssignForm, CallForm, DecisionForm, ImportForm, ParameterSetForm, RecallForm, ValidationForm
from portal.tapping.labels import STAGE_TONE, stage_labels
from portal.tapping.models import AGREE, NEW, RECALLED, RETURNED, VALIDATED, Call, CallImport, Recall, Validation

bp = Blueprint("tapping", __name__)
PAGE = 50
STAGE_FILTERS = {"waiting": (NEW, RECALLED), "returned": (RETURNED,), "valid": (VALIDATED,), "all": None}


def _scoped(stmt):
    scope = permissions.call_scope(current_user)
    return stmt if scope is None else stmt.where(scope)


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name) or "")
    except ValueError:
        return None


def _outbound_services() -> list[Service]:
    return list(db.session.scalars(select(Service).where(Service.direction == "outbound", Service.active.is_(True))
                                   .order_by(Service.name)))


def _teams() -> list[Team]:
    """The outbound teams whose calls this user sees (one statement)."""
    stmt = (select(Team).join(Service, Service.id == Team.service_id)
            .where(Team.active.is_(True), Service.direction == "outbound").order_by(Team.name))
    if not (current_user.can("tapping.all") or current_user.can("scope.all_sites")):
        led = Team.leader_id.in_(select(Staff.id).where(Staff.user_id == current_user.id))
        stmt = stmt.where(or_(Team.site_id == current_user.site_id, led) if current_user.can("tapping.site") else led)
    return list(db.session.scalars(stmt))


# ---------------------------------------------------------------- worklist
@bp.route("/")
@require("tapping.read")
def index():
    """AGREE calls waiting for validation (oldest first), filterable; assignable by hand or round-robin per service."""
    args = request.args
    stage = args.get("stage") if args.get("stage") in STAGE_FILTERS else "waiting"
    stmt = (select(Call).options(joinedload(Call.team), joinedload(Call.service), joinedload(Call.qco))
            .where(Call.result == AGREE, Call.history.is_(False)))
    if STAGE_FILTERS[stage]:
        stmt = stmt.where(Call.stage.in_(STAGE_FILTERS[stage]))
    service_id = args.get("service", type=db_int)
    team_id = args.get("team", type=db_int)
    if service_id:
        stmt = stmt.where(Call.service_id == service_id)
    if team_id:
        stmt = stmt.where(Call.team_id == team_id)
    agent = (args.get("agent") or "").strip()[:60]
    if agent:
        from portal.auth.models import User

        stmt = stmt.where(Call.agent_id.in_(select(Staff.id).outerjoin(User, User.id == Staff.user_id).where(or_(
            func.lower(Staff.employee_number) == agent.lower(), func.lower(User.username) == agent.lower(),
            func.lower(Staff.full_name).contains(agent.lower())))))
    start, end = _date_arg("from"), _date_arg("to")
    if start:
        stmt = stmt.where(Call.called_at >= tapping.to_utc(start, datetime.min.time()))
    if end:
        stmt = stmt.where(Call.called_at < tapping.to_utc(date.fromordinal(end.toordinal() + 1), datetime.min.time()))
    if args.get("mine"):
        stmt = stmt.where(Call.qco_id == current_user.id)
    elif args.get("unassigned"):
        stmt = stmt.where(Call.qco_id.is_(None))
    page = by_key(_scoped(stmt), [Call.called_at, Call.id], [datetime, int], lambda c: (c.called_at, c.id), args, PAGE)
    can_assign = current_user.can("tapping.assign")
    form = AssignForm(formdata=None)
    qcos = tapping.qcos_for() if can_assign else []
    return render("tapping/index.html", page=page, flagged=_flagged([c.agent_id for c in page.rows]), stage=stage, services=_outbound_services(), teams=_teams(),
                  service_id=service_id, team_id=team_id, agent=agent, start=start, end=end, args=args,
                  can_assign=can_assign, qcos=qcos, form=form, labels=stage_labels(), tones=STAGE_TONE,
                  mask=permissions.mask, can_import=current_user.can("tapping.import"))


def _flagged(staff_ids: list[int]) -> set[int]:
    """The agents on this page the training module's competence gate flags (one statement; none without training)."""
    from portal.core.modules import is_enabled

    if not staff_ids or not is_enabled("training"):
        return set()
    from portal.core.i18n import local_today
    from portal.training import matrix

    return matrix.flagged_ids(Staff.id.in_(set(staff_ids)), local_today())


@bp.route("/assign", methods=["POST"])
@require("tapping.assign")
def assign():
    """Assign the ticked calls to a QCO, or deal the unassigned calls of a service round-robin."""
    form = AssignForm()
    back = request.form.get("back") or url_for("tapping.index")
    if not back.startswith("/tapping"):
        back = url_for("tapping.index")
    if form.validate_on_submit():
        with refusals(flash_it=True):
            if request.form.get("round_robin"):
                service = db.session.get(Service, request.form.get("service", type=db_int) or 0)
                if service is None:
                    from portal.core.service import ServiceError

                    raise ServiceError(_("Choose the service."), "service")
                site_id = None if (current_user.can("tapping.all") or current_user.can("scope.all_sites")) else current_user.site_id
                dealt = tapping.round_robin(service, current_user, site_id)
                flash(_("%(n)d call(s) dealt to %(q)d QCO(s).", n=sum(dealt.values()), q=len(dealt)), "success")
            else:
                from portal.auth.models import User

                qco_id = request.form.get("qco", type=db_int)
                qco = db.session.get(User, qco_id) if qco_id else None
                ids = [i for i in request.form.getlist("call", type=db_int) if i][:500]
                calls = [c for c in db.session.scalars(_scoped(select(Call).where(Call.id.in_(ids or [0]))))]
                n = tapping.assign(calls, qco, current_user)
                flash(_("%(n)d call(s) assigned.", n=n), "success")
    return redirect(back, 303)


# ---------------------------------------------------------------- one call
def _call_or_404(call_id: int) -> Call:
    call = db.session.scalar(select(Call).options(joinedload(Call.team), joinedload(Call.service), joinedload(Call.qco))
                             .where(Call.id == call_id)) or abort(404)
    if not permissions.can_view(current_user, call):
        abort(403)
    return call


def _call_page(call: Call, form=None, recall_form=None, status: int = 200, shown: str | None = None, block: str = "content",
               sign_form=None, sign_for: int | None = None, decide_form=None):
    from portal.core.db import utcnow
    from portal.tapping.forms import DecisionNoteForm, SignForm
    from portal.tapping.labels import SIGNOFF_TONE, signoff_labels
    from portal.tapping.models import SignOff

    pairs = db.session.execute(select(Validation, SignOff).outerjoin(SignOff, SignOff.validation_id == Validation.id)
                               .options(joinedload(Validation.parameter_set))
                               .where(Validation.call_id == call.id).order_by(Validation.id)).all()
    validations = [v for v, _s in pairs]
    signs = {v.id: s for v, s in pairs if s is not None}
    now, own = utcnow(), permissions.is_own(current_user, call)
    # One result signed at a time: the earliest verdict waiting for the agent (one form on the page).
    signable = {v.id for v in validations if not v.imported
                and permissions.can_sign(current_user, call.agent.user_id, v.id in signs, v.validated_at, now)}
    signable = set(sorted(signable)[:1])
    decidable = {v.id for v in validations if v.id in signs and permissions.can_decide(current_user, signs[v.id], own)}
    decidable = set(sorted(decidable)[:1])
    recalls = list(db.session.scalars(select(Recall).where(Recall.call_id == call.id).order_by(Recall.id)))
    by_validation = {r.validation_id: r for r in recalls}
    can_validate = permissions.can_validate(current_user, call)
    pset = tapping.parameter_set_for(call.service_id, tapping.local_day(call.called_at)) if can_validate else None
    reasons = tapping.reasons() if (can_validate or any(v.reason_code for v in validations)) else []
    if can_validate and form is None:
        form = ValidationForm(formdata=None)
        form.checked.data = []
    if form is not None:
        form.reason_code.choices = [("", "—")] + [(r.code, f"{r.code} · {r.name}") for r in reasons]
    can_recall = permissions.can_recall(current_user, call)
    return render("tapping/call.html", block=block, status=status, call=call, revealed=shown is not None, validations=validations, by_validation=by_validation,
                  pset=pset, reasons={r.code: r.name for r in reasons}, form=form, can_validate=can_validate,
                  can_recall=can_recall, recall_form=recall_form or (RecallForm(formdata=None) if can_recall else None),
                  number=shown if shown is not None else permissions.mask(call.customer_number), sees_number=permissions.sees_number(current_user, call),
                  labels=stage_labels(), tones=STAGE_TONE, checked=lambda v: len(json.loads(v.checked_json or "[]")),
                  signs=signs, signable=signable, decidable=decidable, states=signoff_labels(), sign_tones=SIGNOFF_TONE,
                  sign_form=sign_form or SignForm(formdata=None), sign_for=sign_for,
                  decide_form=decide_form or DecisionNoteForm(formdata=None))


@bp.route("/calls/<int:call_id>")
@require("tapping.self")
def call(call_id: int):
    return _call_page(_call_or_404(call_id))


@bp.route("/calls/<int:call_id>/validate", methods=["POST"])
@require("tapping.validate")
def validate(call_id: int):
    call = _call_or_404(call_id)
    if not permissions.can_validate(current_user, call):
        abort(403)
    form = ValidationForm()
    if form.validate_on_submit():
        with refusals(form):
            tapping.validate(call, {"verdict": form.verdict.data, "reason_code": form.reason_code.data,
                                    "recommendation": form.recommendation.data, "checked": form.checked.data or [],
                                    "parameter_set_id": request.form.get("parameter_set_id", type=db_int)}, current_user)
            flash(_("Verdict saved."), "success")
            return redirect(url_for("tapping.index", **({"mine": 1} if request.form.get("mine") else {})), 303)
        call = _call_or_404(call_id)
    return _call_page(call, form=form, status=422)


@bp.route("/calls/<int:call_id>/recall", methods=["POST"])
@require("tapping.self")
def recall(call_id: int):
    call = _call_or_404(call_id)
    if not permissions.can_recall(current_user, call):
        abort(403)
    form = RecallForm()
    if form.validate_on_submit():
        with refusals(form):
            tapping.record_recall(call, form.result.data, form.outcome.data, current_user)
            flash(_("Recall recorded; the call goes back to the QCO."), "success")
            return redirect(url_for("tapping.mine"), 303)
        call = _call_or_404(call_id)
    return _call_page(call, recall_form=form, status=422)


@bp.route("/results/validation/<int:validation_id>/sign", methods=["POST"])
@require("tapping.self")
def sign_validation(validation_id: int):
    """The agent acknowledges a verdict on their call, or disputes it with a reason (QA decides)."""
    from portal.tapping.forms import SignForm

    validation = db.session.get(Validation, validation_id) or abort(404)
    call = _call_or_404(validation.call_id)
    if not permissions.is_own(current_user, call):
        abort(403)
    form = SignForm()
    done = sign_result(validation, form, url_for("tapping.call", call_id=call.id))
    if done is not None:
        return done
    call = _call_or_404(validation.call_id)
    return _call_page(call, status=422, sign_form=form, sign_for=validation_id)


def sign_result(result, form, done_url: str):
    """The agent's acknowledgement, or dispute with a reason, of one result (a validation or an inbound score): the
    redirect when it is stored, None when the form was refused (its errors say why; the caller shows the page 422)."""
    from portal.tapping import signoff

    if form.validate_on_submit():
        with refusals(form):
            if request.form.get("action") == "dispute":
                signoff.dispute(result, form.reason.data, current_user)
                flash(_("Your dispute is sent to QA."), "success")
            else:
                signoff.acknowledge(result, current_user)
                flash(_("Result acknowledged."), "success")
            return redirect(done_url, 303)
    return None


@bp.route("/calls/<int:call_id>/number", methods=["POST"])
@require("tapping.validate")
def number(call_id: int):
    """The customer number in clear, for the assigned QCO (an audit event each time)."""
    call = _call_or_404(call_id)
    if not permissions.sees_number(current_user, call):
        abort(403)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    shown = tapping.reveal_number(call, current_user)
    return _call_page(call, shown=shown, block="number")


# ---------------------------------------------------------------- the agent's own calls
@bp.route("/mine")
@require("tapping.self")
def mine():
    """The agent's own AGREE calls, returned ones first."""
    own = Call.agent_id.in_(select(Staff.id).where(Staff.user_id == current_user.id))
    returned = list(db.session.scalars(select(Call).options(joinedload(Call.service))
                                       .where(own, Call.stage == RETURNED, Call.history.is_(False)).order_by(Call.called_at)))
    recent = list(db.session.scalars(select(Call).options(joinedload(Call.service))
                                     .where(own, Call.result == AGREE).order_by(Call.called_at.desc()).limit(PAGE)))
    from portal.tapping import signoff
    from portal.tapping.labels import SIGNOFF_TONE, signoff_labels
    from portal.tapping.models import InboundCall, Score, SignOff

    to_sign = db.session.execute(select(Validation, Call).join(Call, Call.id == Validation.call_id)
                                 .where(signoff.unsigned_validations(current_user))
                                 .order_by(Validation.validated_at.desc()).limit(PAGE)).all()
    scored = db.session.execute(select(Score, InboundCall, SignOff.status).join(InboundCall, InboundCall.id == Score.call_id)
                                .outerjoin(SignOff, SignOff.score_id == Score.id)
                                .options(joinedload(InboundCall.service))
                                .where(InboundCall.agent_id.in_(select(Staff.id).where(Staff.user_id == current_user.id)),
                                       Score.calibration_id.is_(None))
                                .order_by(Score.scored_at.desc()).limit(PAGE)).all()
    return render("tapping/mine.html", returned=returned, recent=recent, labels=stage_labels(), tones=STAGE_TONE,
                  mask=permissions.mask, to_sign=to_sign, scored=scored, states=signoff_labels(), sign_tones=SIGNOFF_TONE,
                  scores_to_sign=[(sc, c) for sc, c, status in scored if status is None and sc.scored_at >= signoff.cutoff()])


@bp.route("/people/<employee_no>")
@require("tapping.self")
def person_section(employee_no: str):
    """The tapping section of the person's page (loaded by htmx; a full page when opened directly)."""
    from portal.tapping.sections import _tapping, tapping_context

    staff = db.session.scalar(select(Staff).where(Staff.employee_number == employee_no)) or abort(404)
    if _tapping(current_user, staff) is None:
        abort(403)
    return render("training/person.html", block="section", staff=staff, ctx=tapping_context(current_user, staff),
                  key="tapping", title=_("Call quality"), section_template="tapping/section.html")


# ---------------------------------------------------------------- import and manual entry
@bp.route("/import", methods=["GET", "POST"])
@require("tapping.import")
def import_calls():
    """Upload a file of call results (or, with history, of past validations): every row is checked first."""
    form = ImportForm()
    history = bool(request.values.get("history"))
    if form.validate_on_submit():
        with refusals(form):
            row = imports.check_file(request.files.get("file"), history, current_user)
            return redirect(url_for("tapping.import_report", call_import_id=row.id), 303)
    return render("tapping/import.html", form=form, history=history, status=form_status(form),
                  headers=imports.HISTORY_HEADERS if history else imports.HEADERS)


@bp.route("/import/template.xlsx")
@require("tapping.import")
def import_template():
    history = bool(request.args.get("history"))
    name = "templat-riwayat-validasi.xlsx" if history else "templat-hasil-call.xlsx"
    return Response(imports.template_bytes(history), mimetype=XLSX_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _import_or_404(call_import_id: int) -> CallImport:
    row = db.session.get(CallImport, call_import_id) or abort(404)
    if row.created_by_id != current_user.id:
        abort(404)
    return row


@bp.route("/import/<int:call_import_id>")
@require("tapping.import")
def import_report(call_import_id: int):
    row = _import_or_404(call_import_id)
    return render("tapping/import_report.html", row=row, errors=json.loads(row.errors_json or "[]"), form=DecisionForm(formdata=None))


@bp.route("/import/<int:call_import_id>/confirm", methods=["POST"])
@require("tapping.import")
def import_confirm(call_import_id: int):
    row = _import_or_404(call_import_id)
    form = DecisionForm()
    if form.validate_on_submit():
        with refusals(flash_it=True):
            n = imports.confirm(row, current_user)
            flash(_("%(n)d call result(s) imported.", n=n), "success")
            return redirect(url_for("tapping.index"), 303)
    return redirect(url_for("tapping.import_report", call_import_id=call_import_id), 303)


@bp.route("/import/<int:call_import_id>/discard", methods=["POST"])
@require("tapping.import")
def import_discard(call_import_id: int):
    row = _import_or_404(call_import_id)
    form = DecisionForm()
    if form.validate_on_submit():
        with refusals(flash_it=True):
            imports.discard(row, current_user)
            flash(_("Nothing was imported; the file was discarded."), "success")
            return redirect(url_for("tapping.import_calls"), 303)
    return redirect(url_for("tapping.import_report", call_import_id=call_import_id), 303)


@bp.route("/calls/new", methods=["GET", "POST"])
@require("tapping.import")
def call_new():
    form = CallForm()
    form.service.choices = [(s.code, s.name) for s in _outbound_services()]
    if request.method == "GET":
        form.called_on.data = local_today()
    if form.validate_on_submit():
        with refusals(form):
            values = {"Tanggal": form.called_on.data, "Waktu": form.called_time.data, "Agent": form.agent.data,
                      "Layanan": form.service.data, "Produk": form.product.data, "Nomor Pelanggan": form.customer_number.data,
                      "Hasil": form.result.data, "ID Rekaman": form.recording_id.data}
            row = tapping.enter_call(values, current_user)
            flash(_("Call result saved."), "success")
            return redirect(url_for("tapping.call", call_id=row.id), 303)
    return render("tapping/call_form.html", form=form, status=form_status(form))


# ---------------------------------------------------------------- Quality Validation Score
def _month() -> date:
    text = request.args.get("month") or ""
    try:
        return datetime.strptime(text, "%Y-%m").date().replace(day=1)
    except ValueError:
        return local_today().replace(day=1)


def _figures(month: date):
    scope = permissions.call_scope(current_user)
    points = qvs.trend(month, scope)
    target = points[-1][2]
    return qvs.month_figures(month, scope, target), points, qvs.return_reasons(month, scope)


@bp.route("/qvs", endpoint="qvs")
@require("tapping.read")
def qvs_page():
    month = _month()
    figures, points, reasons = _figures(month)
    previous = qvs.months_back(month, 2)[0]
    following = date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)
    return render("tapping/qvs.html", month=month, m=figures, chart=qvs.chart(points), reasons=reasons,
                  previous=previous, following=following)


@bp.route("/qvs.xlsx")
@require("tapping.read")
def qvs_xlsx():
    month = _month()
    m, _points, reasons = _figures(month)

    def pct(value):
        return float(value) if value is not None else None

    rows = [["Total", "", "", m.totals.agree, m.totals.valid, m.totals.returned, m.totals.pending, pct(m.totals.score),
             pct(m.totals.first_pass), float(m.target)]]
    for kind, items in (("Agent", m.agents), ("Tim", m.teams), ("Site", m.sites), ("Layanan", m.services)):
        for f in items:
            rows.append([kind, f.label, f.code if kind == "Agent" else "", f.agree, f.valid, f.returned, f.pending,
                         pct(f.score), pct(f.first_pass), float(m.target)])
    for code, name, n in reasons:
        rows.append(["Alasan RETURN", f"{code} {name}".strip(), "", None, None, n, None, None, None, None])
    headers = ["Tingkat", "Nama", "Agent", "Total AGREE", "VALID", "RETURN", "Belum divalidasi", "QVS (%)",
               "Valid pertama (%)", "Target (%)"]
    return Response(build_workbook(f"QVS {month:%Y-%m}", headers, rows, widths=[14, 30, 14, 12, 10, 10, 14, 10, 14, 10]),
                    mimetype=XLSX_MIMETYPE, headers={"Content-Disposition": f'attachment; filename="qvs-{month:%Y-%m}.xlsx"'})


@bp.route("/qvs.pdf")
@require("tapping.read")
def qvs_pdf():
    """The month's QVS as PDF (landscape), from the cache of rendered PDFs (rendered in the background)."""
    from portal.printing import cache as pdf_cache
    from portal.tapping import paper

    month = _month()
    m, points, reasons = _figures(month)
    return pdf_cache.serve(paper.QVS_KIND, 0, paper.qvs_key(month, m, points, reasons, local_today()), f"qvs-{month:%Y-%m}.pdf",
                           attachment=True, month=month.isoformat(), viewer=current_user.id)


# ---------------------------------------------------------------- assessment parameters (data, by standard revision)
@bp.route("/parameters", methods=["GET", "POST"])
@require("tapping.read")
def parameters():
    """The parameter sets per service and revision of their standard; QA adds the set of a new revision (the old
    validations keep the set they used)."""
    from sqlalchemy.orm import selectinload

    from portal.tapping.models import ParameterSet

    can_edit = current_user.can("tapping.parameters")
    form = ParameterSetForm(formdata=request.form if request.method == "POST" else None)
    services = _outbound_services()
    form.service.choices = [(str(s.id), s.name) for s in services]
    if request.method == "POST":
        if not can_edit:
            abort(403)
        if form.validate_on_submit():
            with refusals(form):
                service = db.session.get(Service, int(form.service.data or 0)) if (form.service.data or "").isdigit() else None
                if service is None:
                    from portal.core.service import ServiceError

                    raise ServiceError(_("Choose the service."), "service")
                lines = []
                for line in (form.lines.data or "").splitlines():
                    if line.strip():
                        clause, _sep, text = line.partition("|") if "|" in line else ("", "", line)
                        lines.append((clause.strip()[:40], text.strip()))
                if not form.effective_from.data:
                    from portal.core.service import ServiceError

                    raise ServiceError(_("Enter the date the revision takes effect."), "effective_from")
                tapping.add_parameter_set(service, form.document_code.data or "", form.revision.data or "",
                                          (form.title.data or "").strip(), form.effective_from.data, lines, current_user)
                flash(_("Assessment parameters saved."), "success")
                return redirect(url_for("tapping.parameters"), 303)
    sets = list(db.session.scalars(select(ParameterSet).options(selectinload(ParameterSet.parameters))
                                   .where(ParameterSet.kind == "validation").order_by(ParameterSet.service_id, ParameterSet.effective_from.desc(), ParameterSet.id.desc())))
    return render("tapping/parameters.html", sets=sets, form=form if can_edit else None,
                  status=form_status(form) if request.method == "POST" else 200)

"""Tapping pages of the inbound lines (on the tapping blueprint): the month's scores (/tapping/scores, Excel, PDF), a
sampled inbound call with its scorecard (/tapping/inbound/<id>), manual entry of a sampled call, the scorecard versions
(/tapping/scorecards), calibration rounds (/tapping/calibrations) and the disputes QA decides (/tapping/disputes).
Customer numbers are masked everywhere; the QCO assigned to the call may show it in clear (an audit event)."""
from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case, select
from sqlalchemy.orm import joinedload, selectinload

from portal.auth.models import Service
from portal.core.forms import form_status, refusals
from portal.core.htmx import render
from portal.core.i18n import local_today
from portal.core.permissions import require
from portal.core.xlsx import XLSX_MIMETYPE, build_workbook
from portal.extensions import db
from portal.tapping import permissions, scores, scoring, signoff
from portal.tapping.forms import (CalibrationForm, DecisionForm, DecisionNoteForm, InboundCallForm, ScorecardForm, ScoreForm,
                                  SignForm)
from portal.tapping.labels import answer_labels, signoff_labels, SIGNOFF_TONE
from portal.tapping.models import (DISPUTED, OPEN, SCORECARD, Calibration, Call, InboundCall, ParameterSet, Score, SignOff,
                                   Validation)
from portal.tapping.views import _call_or_404, _call_page, _month, bp, sign_result


def _inbound_services() -> list[Service]:
    return list(db.session.scalars(select(Service).where(Service.direction == "inbound", Service.active.is_(True))
                                   .order_by(Service.name)))


def _scope():
    return permissions.call_scope(current_user, InboundCall)


# ---------------------------------------------------------------- the month's scores
@bp.route("/scores", endpoint="scores")
@require("tapping.read")
def scores_page():
    month = _month()
    scope = _scope()
    m = scores.month_figures(month, scope)
    waiting = []
    if current_user.can("tapping.score"):
        stmt = (select(InboundCall).options(joinedload(InboundCall.service))
                .where(~select(Score.id).where(Score.call_id == InboundCall.id, Score.calibration_id.is_(None)).exists())
                .order_by(InboundCall.called_at).limit(50))
        if not current_user.can("tapping.assign"):
            stmt = stmt.where((InboundCall.qco_id == current_user.id) | InboundCall.qco_id.is_(None))
        waiting = list(db.session.scalars(stmt if scope is None else stmt.where(scope)))
    from portal.tapping.qvs import months_back

    previous = months_back(month, 2)[0]
    following = date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)
    return render("tapping/scores.html", month=month, m=m, trend=scores.months(month, scope),
                  calls=scores.month_calls(month, scope), waiting=waiting, previous=previous, following=following,
                  mask=permissions.mask, states=signoff_labels(), tones=SIGNOFF_TONE, limit=scores.LIST_LIMIT)


def _num(value):
    return float(value) if value is not None else None


@bp.route("/scores.xlsx")
@require("tapping.read")
def scores_xlsx():
    """The month's scored calls (customer numbers masked) and the averages per agent and service."""
    from portal.core.i18n import fmt_datetime as format_datetime_local

    month = _month()
    scope = _scope()
    m = scores.month_figures(month, scope)
    states = signoff_labels()
    rows = []
    for score, status in scores.month_calls(month, scope, limit=100_000):
        c = score.call
        rows.append(["Call", format_datetime_local(c.called_at), c.recording_id, c.agent.full_name, c.agent.employee_number,
                     c.team.name if c.team else "", c.service.name, permissions.mask(c.customer_number), _num(score.total),
                     "Ya" if score.fatal else "", score.scorer_name, str(states.get(status or "", "")), score.comment])
    for kind, items in (("Agent", m.agents), ("Layanan", m.services)):
        for f in items:
            rows.append([kind, "", "", f.label, f.code if kind == "Agent" else "", f.team, "", "", _num(f.average), f.fatal,
                         f"{f.calls} call", "", ""])
    rows.append(["Total", "", "", "", "", "", "", "", _num(m.totals.average), m.totals.fatal, f"{m.totals.calls} call", "", ""])
    headers = ["Tingkat", "Tanggal dan waktu", "ID Rekaman", "Agent", "NIK / pengguna", "Tim", "Layanan", "Nomor Pelanggan",
               "Skor", "Fatal", "Penilai", "Tanda terima agent", "Komentar"]
    return Response(build_workbook(f"Skor inbound {month:%Y-%m}", headers, rows,
                                   widths=[10, 18, 22, 24, 14, 16, 18, 16, 8, 8, 20, 18, 40]),
                    mimetype=XLSX_MIMETYPE, headers={"Content-Disposition": f'attachment; filename="skor-inbound-{month:%Y-%m}.xlsx"'})


@bp.route("/scores.pdf")
@require("tapping.read")
def scores_pdf():
    from portal.printing import cache as pdf_cache
    from portal.tapping import paper

    month = _month()
    scope = _scope()
    m = scores.month_figures(month, scope)
    return pdf_cache.serve(paper.SCORES_KIND, 0, paper.scores_key(month, m, scores.months(month, scope), local_today()),
                           f"skor-inbound-{month:%Y-%m}.pdf", attachment=True, month=month.isoformat(), viewer=current_user.id)


# ---------------------------------------------------------------- a sampled inbound call
@bp.route("/inbound/new", methods=["GET", "POST"])
@require("tapping.score")
def inbound_new():
    form = InboundCallForm()
    form.service.choices = [(str(s.id), s.name) for s in _inbound_services()]
    if request.method == "GET":
        form.called_on.data = local_today()
    if form.validate_on_submit():
        with refusals(form):
            row = scoring.enter_inbound({"called_on": form.called_on.data, "called_time": form.called_time.data,
                                         "agent": form.agent.data, "service_id": int(form.service.data) if (form.service.data or "").isdigit() else None,
                                         "recording_id": form.recording_id.data, "topic": form.topic.data,
                                         "customer_number": form.customer_number.data}, current_user)
            flash(_("Sampled call saved: score it now."), "success")
            return redirect(url_for("tapping.inbound_call", inbound_id=row.id), 303)
    return render("tapping/inbound_form.html", form=form, status=form_status(form))


def _inbound_or_404(inbound_id: int) -> InboundCall:
    call = db.session.scalar(select(InboundCall).options(joinedload(InboundCall.service), joinedload(InboundCall.team),
                                                         joinedload(InboundCall.qco))
                             .where(InboundCall.id == inbound_id)) or abort(404)
    if not permissions.can_view(current_user, call):
        abort(403)
    return call


def _scorecard_context(pset, form=None, errors=None, answers=None) -> dict:
    """What the scorecard form macro needs."""
    return {"pset": pset, "score_form": form or ScoreForm(formdata=None), "errors": errors or {},
            "given": answers or {}, "answer_labels": answer_labels()}


def _posted_answers(pset) -> dict:
    if pset is None:
        return {}
    return {p.id: (request.form.get(f"a{p.id}", ""), request.form.get(f"c{p.id}", "")) for p in pset.parameters}


def _inbound_page(call: InboundCall, status: int = 200, shown: str | None = None, block: str = "content", **extra):
    from portal.tapping.services import local_day

    rows = db.session.execute(select(Score, SignOff).outerjoin(SignOff, SignOff.score_id == Score.id)
                              .options(joinedload(Score.parameter_set).selectinload(ParameterSet.parameters))
                              .where(Score.call_id == call.id, Score.calibration_id.is_(None))).unique().all()
    official, sign = (rows[0][0], rows[0][1]) if rows else (None, None)
    can_score = permissions.can_score(current_user, call, official is not None)
    pset = scoring.scorecard_for(call.service_id, local_day(call.called_at)) if can_score else None
    rounds = list(db.session.scalars(select(Calibration).where(Calibration.call_id == call.id).order_by(Calibration.id.desc())))
    own = permissions.is_own(current_user, call)
    can_sign = official is not None and permissions.can_sign(current_user, call.agent.user_id, sign is not None,
                                                            official.scored_at, _now())
    can_decide = sign is not None and permissions.can_decide(current_user, sign, own)
    context = {"call": call, "official": official, "sign": sign, "can_score": can_score, "rounds": rounds,
               "can_open": permissions.can_open_calibration(current_user, call) and not any(r.status == OPEN for r in rounds),
               "number": shown if shown is not None else permissions.mask(call.customer_number), "revealed": shown is not None,
               "sees_number": permissions.sees_inbound_number(current_user, call), "can_sign": can_sign,
               "can_decide": can_decide, "states": signoff_labels(), "tones": SIGNOFF_TONE,
               "sign_form": extra.pop("sign_form", None) or (SignForm(formdata=None) if can_sign else None),
               "decide_form": extra.pop("decide_form", None) or (DecisionNoteForm(formdata=None) if can_decide else None),
               "calibration_form": CalibrationForm(formdata=None), "answer_labels": answer_labels()}
    if can_score:
        context.update(_scorecard_context(pset, extra.pop("score_form", None), extra.pop("errors", None), extra.pop("given", None)))
    return render("tapping/inbound_call.html", block=block, status=status, **context, **extra)


def _now():
    from portal.core.db import utcnow

    return utcnow()


@bp.route("/inbound/<int:inbound_id>")
@require("tapping.self")
def inbound_call(inbound_id: int):
    return _inbound_page(_inbound_or_404(inbound_id))


@bp.route("/inbound/<int:inbound_id>/score", methods=["POST"])
@require("tapping.score")
def inbound_score(inbound_id: int):
    call = _inbound_or_404(inbound_id)
    if not permissions.can_score(current_user, call, scoring.official_score(call.id) is not None):
        abort(403)
    form = ScoreForm()
    errors: dict = {}
    from portal.tapping.services import local_day

    pset = scoring.scorecard_for(call.service_id, local_day(call.called_at))
    given = _posted_answers(pset)
    if form.validate_on_submit():
        with refusals(errors=errors):
            score = scoring.score_call(call, {"answers": given, "comment": form.comment.data,
                                              "parameter_set_id": request.form.get("parameter_set_id")}, current_user)
            flash(_("Score saved: %(s)s.", s=_decimal(score.total)), "success")
            return redirect(url_for("tapping.inbound_call", inbound_id=call.id), 303)
        call = _inbound_or_404(inbound_id)
    return _inbound_page(call, status=422, score_form=form, errors=errors or {"form": _("Check the form.")}, given=given)


def _decimal(value) -> str:
    import flask_babel

    return flask_babel.format_decimal(value, format="#,##0.00")


@bp.route("/inbound/<int:inbound_id>/number", methods=["POST"])
@require("tapping.score")
def inbound_number(inbound_id: int):
    call = _inbound_or_404(inbound_id)
    if not permissions.sees_inbound_number(current_user, call):
        abort(403)
    if not DecisionForm().validate_on_submit():
        abort(400)
    return _inbound_page(call, shown=scoring.reveal_number(call, current_user), block="number")


@bp.route("/inbound/<int:inbound_id>/calibrate", methods=["POST"])
@require("tapping.calibrate")
def calibration_open(inbound_id: int):
    call = _inbound_or_404(inbound_id)
    if not permissions.can_open_calibration(current_user, call):
        abort(403)
    form = CalibrationForm()
    if form.validate_on_submit():
        with refusals(flash_it=True):
            row = scoring.open_calibration(call, form.round_note.data, current_user)
            flash(_("Calibration round opened: score the call, then ask the QCOs to score it."), "success")
            return redirect(url_for("tapping.calibration", calibration_id=row.id), 303)
    return redirect(url_for("tapping.inbound_call", inbound_id=inbound_id), 303)


# ---------------------------------------------------------------- the agent's sign-off of a score
@bp.route("/results/score/<int:score_id>/sign", methods=["POST"])
@require("tapping.self")
def sign_score(score_id: int):
    score = db.session.get(Score, score_id) or abort(404)
    if score.calibration_id is not None:
        abort(404)
    call = _inbound_or_404(score.call_id)
    if not permissions.is_own(current_user, call):
        abort(403)
    form = SignForm()
    done = sign_result(score, form, url_for("tapping.inbound_call", inbound_id=call.id))
    if done is not None:
        return done
    call = _inbound_or_404(score.call_id)
    return _inbound_page(call, status=422, sign_form=form)


# ---------------------------------------------------------------- disputes (QA)
@bp.route("/disputes")
@require("tapping.disputes")
def disputes():
    """The disputes waiting for a decision first, then the latest decided ones."""
    pending_first = case((SignOff.status == DISPUTED, 0), else_=1)
    base = SignOff.status.in_((DISPUTED, "upheld", "rejected"))
    outbound = db.session.execute(select(SignOff, Validation, Call).join(Validation, Validation.id == SignOff.validation_id)
                                  .join(Call, Call.id == Validation.call_id).where(base)
                                  .order_by(pending_first, SignOff.signed_at.desc()).limit(50)).all()
    inbound = db.session.execute(select(SignOff, Score, InboundCall).join(Score, Score.id == SignOff.score_id)
                                 .join(InboundCall, InboundCall.id == Score.call_id).where(base)
                                 .order_by(pending_first, SignOff.signed_at.desc()).limit(50)).all()
    items = sorted([("validation", s, r, c) for s, r, c in outbound] + [("score", s, r, c) for s, r, c in inbound],
                   key=lambda x: (x[1].status != DISPUTED, -x[1].signed_at.timestamp()))
    return render("tapping/disputes.html", items=items, states=signoff_labels(), tones=SIGNOFF_TONE)


@bp.route("/disputes/<int:signoff_id>/decide", methods=["POST"])
@require("tapping.disputes")
def decide(signoff_id: int):
    row = db.session.get(SignOff, signoff_id) or abort(404)
    form = DecisionNoteForm()
    if row.validation_id:
        validation = db.session.get(Validation, row.validation_id)

        call = _call_or_404(validation.call_id)
        target = url_for("tapping.call", call_id=call.id)
    else:
        call = _inbound_or_404(db.session.get(Score, row.score_id).call_id)
        target = url_for("tapping.inbound_call", inbound_id=call.id)
    if not permissions.can_decide(current_user, row, permissions.is_own(current_user, call)):
        abort(403)
    if form.validate_on_submit():
        with refusals(form):
            signoff.decide(row, form.decision.data or "", form.note.data, form.amended.data, current_user)
            flash(_("Decision saved."), "success")
            return redirect(target, 303)
    if row.validation_id:
        return _call_page(_call_or_404(call.id), status=422, decide_form=form)
    return _inbound_page(_inbound_or_404(call.id), status=422, decide_form=form)


# ---------------------------------------------------------------- calibration
@bp.route("/calibrations")
@require("tapping.calibration")
def calibrations():
    stmt = (select(Calibration).options(joinedload(Calibration.call).joinedload(InboundCall.service))
            .join(InboundCall, InboundCall.id == Calibration.call_id)
            .order_by(case((Calibration.status == OPEN, 0), else_=1), Calibration.opened_at.desc()).limit(100))
    scope = _scope()
    rounds = list(db.session.scalars(stmt if scope is None else stmt.where(scope)))
    counts = dict(db.session.execute(select(Score.calibration_id, db.func.count(Score.id))
                                     .where(Score.calibration_id.in_([r.id for r in rounds] or [0]))
                                     .group_by(Score.calibration_id)).all())
    mine = set(db.session.scalars(select(Score.calibration_id).where(Score.scorer_id == current_user.id,
                                                                       Score.calibration_id.in_([r.id for r in rounds] or [0]))))
    return render("tapping/calibrations.html", rounds=rounds, counts=counts, mine=mine)


def _calibration_or_404(calibration_id: int) -> Calibration:
    row = db.session.get(Calibration, calibration_id) or abort(404)
    if not permissions.can_see_calibrations(current_user) or not permissions.can_view(current_user, row.call):
        abort(403)
    return row


def _calibration_page(row: Calibration, status: int = 200, **extra):
    from portal.tapping.services import local_day

    all_scores = list(db.session.scalars(select(Score).options(joinedload(Score.parameter_set).selectinload(ParameterSet.parameters))
                                         .where(Score.calibration_id == row.id).order_by(Score.scored_at, Score.id)))
    scored = any(s.scorer_id == current_user.id for s in all_scores)
    can_score = permissions.can_calibrate(current_user, row, scored)
    sees = permissions.sees_calibration_scores(current_user, row, scored)
    comparison = scoring.compare(row, all_scores) if sees else None
    context = {"row": row, "call": row.call, "count": len(all_scores), "scored": scored, "can_score": can_score,
               "comparison": comparison, "can_close": current_user.can("tapping.calibrate") and row.status == OPEN,
               "close_form": DecisionForm(formdata=None), "answer_labels": answer_labels(), "mask": permissions.mask}
    if can_score:
        pset = scoring.scorecard_for(row.call.service_id, local_day(row.call.called_at))
        context.update(_scorecard_context(pset, extra.pop("score_form", None), extra.pop("errors", None), extra.pop("given", None)))
    return render("tapping/calibration.html", status=status, **context)


@bp.route("/calibrations/<int:calibration_id>")
@require("tapping.calibration")
def calibration(calibration_id: int):
    return _calibration_page(_calibration_or_404(calibration_id))


@bp.route("/calibrations/<int:calibration_id>/score", methods=["POST"])
@require("tapping.score")
def calibration_score(calibration_id: int):
    row = _calibration_or_404(calibration_id)
    scored = db.session.scalar(select(Score.id).where(Score.calibration_id == row.id, Score.scorer_id == current_user.id))
    if not permissions.can_calibrate(current_user, row, scored is not None):
        abort(403)
    from portal.tapping.services import local_day

    pset = scoring.scorecard_for(row.call.service_id, local_day(row.call.called_at))
    given = _posted_answers(pset)
    form = ScoreForm()
    errors: dict = {}
    if form.validate_on_submit():
        with refusals(errors=errors):
            scoring.score_calibration(row, {"answers": given, "comment": form.comment.data,
                                            "parameter_set_id": request.form.get("parameter_set_id")}, current_user)
            flash(_("Your calibration score is saved; the others' scores are shown."), "success")
            return redirect(url_for("tapping.calibration", calibration_id=row.id), 303)
        row = _calibration_or_404(calibration_id)
    return _calibration_page(row, status=422, score_form=form, errors=errors or {"form": _("Check the form.")}, given=given)


@bp.route("/calibrations/<int:calibration_id>/close", methods=["POST"])
@require("tapping.calibrate")
def calibration_close(calibration_id: int):
    row = _calibration_or_404(calibration_id)
    if DecisionForm().validate_on_submit():
        with refusals(flash_it=True):
            scoring.close_calibration(row, current_user)
            flash(_("Calibration round closed."), "success")
    return redirect(url_for("tapping.calibration", calibration_id=calibration_id), 303)


# ---------------------------------------------------------------- scorecard versions
@bp.route("/scorecards", methods=["GET", "POST"])
@require("tapping.read")
def scorecards():
    """The scorecards of the inbound standards, every version; QA adds the version of a new revision (prefilled from
    an existing version with ?from=<id>). Each standard shows the revision the documents register has in force."""
    can_edit = current_user.can("tapping.parameters")
    if request.method == "POST" and not can_edit:
        abort(403)
    form = ScorecardForm(formdata=request.form if request.method == "POST" else None)
    services = _inbound_services()
    form.service.choices = [(str(s.id), s.name) for s in services]
    sets = list(db.session.scalars(select(ParameterSet).options(selectinload(ParameterSet.parameters))
                                   .where(ParameterSet.kind == SCORECARD)
                                   .order_by(ParameterSet.document_code, ParameterSet.effective_from.desc(), ParameterSet.id.desc())))
    if request.method == "GET" and can_edit and request.args.get("from", "").isdigit():
        source = next((s for s in sets if s.id == int(request.args["from"])), None)
        if source is not None:
            form.service.data, form.document_code.data, form.title.data = str(source.service_id), source.document_code, source.title
            form.lines.data = "\n".join(f"{p.section} | {p.clause} | {p.weight} | {'ya' if p.critical else '-'} | {p.text}"
                                        for p in source.parameters)
    if request.method == "POST" and form.validate_on_submit():
        with refusals(form):
            service = db.session.get(Service, int(form.service.data)) if (form.service.data or "").isdigit() else None
            scoring.add_scorecard(service, form.document_code.data, form.revision.data, form.title.data,
                                  form.effective_from.data, scoring.parse_lines(form.lines.data), current_user)
            flash(_("Scorecard version saved."), "success")
            return redirect(url_for("tapping.scorecards"), 303)
    from portal.documents.models import EFFECTIVE, Document, Revision

    codes = sorted({s.document_code for s in sets})
    register = {code: (number, effective) for code, number, effective in db.session.execute(
        select(Document.code, Revision.number, Revision.effective_date).join(Revision, Revision.document_id == Document.id)
        .where(Document.code.in_(codes or [""]), Revision.status == EFFECTIVE))}
    return render("tapping/scorecards.html", sets=sets, form=form if can_edit else None, register=register,
                  status=form_status(form) if request.method == "POST" else 200)


# ---------------------------------------------------------------- validations, call by call (Excel)
@bp.route("/validations.xlsx")
@require("tapping.read")
def validations_xlsx():
    """Every verdict given on the month's AGREE calls, one row each, customer numbers masked."""
    from portal.core.i18n import fmt_datetime as format_datetime_local
    from portal.tapping.models import ReturnReason

    month = _month()
    stmt = (select(Validation, Call).join(Call, Call.id == Validation.call_id)
            .options(joinedload(Call.service), joinedload(Call.team))
            .where(Call.month == month).order_by(Call.called_at, Validation.id))
    scope = permissions.call_scope(current_user)
    if scope is not None:
        stmt = stmt.where(scope)
    reasons = dict(db.session.execute(select(ReturnReason.code, ReturnReason.name)).all())
    rows = [[format_datetime_local(c.called_at), c.recording_id, c.agent.full_name, c.agent.employee_number,
             c.team.name if c.team else "", c.service.name, c.product, permissions.mask(c.customer_number), v.verdict,
             v.reason_code, reasons.get(v.reason_code, "") if v.reason_code else "", v.recommendation,
             v.qco_name or ("impor" if v.imported else ""), format_datetime_local(v.validated_at)]
            for v, c in db.session.execute(stmt).unique()]
    headers = ["Tanggal dan waktu", "ID Rekaman", "Agent", "NIK", "Tim", "Layanan", "Produk", "Nomor Pelanggan", "Verdict",
               "Alasan", "Nama alasan", "Rekomendasi", "QCO", "Divalidasi"]
    return Response(build_workbook(f"Validasi {month:%Y-%m}", headers, rows,
                                   widths=[18, 22, 24, 12, 16, 18, 20, 16, 10, 8, 30, 40, 20, 18]),
                    mimetype=XLSX_MIMETYPE, headers={"Content-Disposition": f'attachment; filename="validasi-{month:%Y-%m}.xlsx"'})



"""Recruitment pages on the people blueprint: openings with their pipeline board, a candidate's page with the computed
screening, documents (downloaded as attachments, every view audited), results, stage moves and the hire."""
from __future__ import annotations

from flask import abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portal.auth.models import Service, Site
from portal.core.forms import form_status, refusals
from portal.core.htmx import render
from portal.core.permissions import require
from portal.extensions import db
from portal.people import recruitment
from portal.people.forms import CandidateForm, DocumentForm, ExperienceForm, HireForm, OpeningForm, StageForm
from portal.people.labels import requirement_label
from portal.people.models import (DOCUMENT_KINDS, EDUCATION_LEVELS, HIRED, REJECTED, STAGES, Candidate,
                                  CandidateDocument, Opening, Position, Screening, Staff, Team)
from portal.people.views import bp

def _stage_labels() -> dict[str, str]:
    from portal.people.labels import stage_labels

    return stage_labels()


def _opening_or_404(opening_id: int) -> Opening:
    return db.session.get(Opening, opening_id) or abort(404)


def _candidate_or_404(candidate_id: int) -> Candidate:
    candidate = db.session.scalar(select(Candidate).options(
        joinedload(Candidate.opening), joinedload(Candidate.experiences), joinedload(Candidate.documents))
        .where(Candidate.id == candidate_id))
    return candidate or abort(404)


def _opening_form() -> OpeningForm:
    form = OpeningForm()
    form.position_id.choices = [(None, "—")] + [(p.id, p.name) for p in db.session.scalars(
        select(Position).where(Position.active.is_(True)).order_by(Position.sort_order))]
    form.site_id.choices = [(None, "—")] + [(s.id, s.name) for s in db.session.scalars(select(Site).order_by(Site.name))]
    form.service_id.choices = [(None, "—")] + [(s.id, s.name) for s in db.session.scalars(select(Service).order_by(Service.name))]
    return form


@bp.route("/openings", methods=["GET", "POST"])
@require("people.recruit")
def openings():
    form = _opening_form()
    if form.validate_on_submit():
        with refusals(form):
            opening = recruitment.save_opening({k: getattr(form, k).data for k in
                                                ("title", "position_id", "site_id", "service_id", "headcount", "hire_on")},
                                               current_user)
            flash(_("Opening %(t)s created.", t=opening.title), "success")
            return redirect(url_for("people.opening", opening_id=opening.id), 303)
    rows = db.session.scalars(select(Opening).order_by(Opening.open.desc(), Opening.hire_on.desc()).limit(200)).all()
    counts: dict[int, dict[str, int]] = {}
    if rows:
        for opening_id, stage, n in db.session.execute(
                select(Candidate.opening_id, Candidate.stage, func.count()).where(Candidate.opening_id.in_([o.id for o in rows]))
                .group_by(Candidate.opening_id, Candidate.stage)):
            counts.setdefault(opening_id, {})[stage] = n
    return render("people/openings.html", status=form_status(form), form=form, rows=rows, counts=counts,
                  stages=STAGES, stage_labels=_stage_labels())


def _candidate_form() -> CandidateForm:
    form = CandidateForm()
    form.education.choices = [("", "—")] + [(e, e) for e in EDUCATION_LEVELS]
    form.staff_id.choices = [(None, _("— external candidate —"))] + [
        (s.id, f"{s.full_name} ({s.employee_number}, {s.position.name})")
        for s in db.session.scalars(select(Staff).where(Staff.status != "ended").order_by(Staff.full_name).limit(1000))]
    return form


@bp.route("/openings/<int:opening_id>", methods=["GET", "POST"])
@require("people.recruit")
def opening(opening_id: int):
    opening = _opening_or_404(opening_id)
    form = _candidate_form()
    if form.validate_on_submit():
        with refusals(form):
            candidate = recruitment.save_candidate(opening, {k: getattr(form, k).data for k in
                                                             recruitment.CANDIDATE_FIELDS + ["staff_id"]}, current_user)
            flash(_("Candidate %(name)s added.", name=candidate.full_name), "success")
            return redirect(url_for("people.candidate", candidate_id=candidate.id), 303)
    candidates = db.session.scalars(select(Candidate).where(Candidate.opening_id == opening.id)
                                    .order_by(Candidate.full_name)).all()
    board = {s: [c for c in candidates if c.stage == s] for s in STAGES}
    return render("people/opening.html", status=form_status(form), opening=opening, form=form, board=board,
                  stages=STAGES, stage_labels=_stage_labels(), next_stage=_next_stage)


def _next_stage(stage: str) -> str | None:
    order = STAGES[:STAGES.index(HIRED)]
    if stage in order and order.index(stage) + 1 < len(order):
        return order[order.index(stage) + 1]
    return None


def _candidate_page(candidate: Candidate, status: int = 200, **forms):
    rs, results = recruitment.screen(candidate)
    positions = db.session.scalars(select(Position).where(Position.active.is_(True)).order_by(Position.sort_order)).all()
    experience_form = forms.get("experience_form") or ExperienceForm(formdata=None)
    experience_form.position_code.choices = [(p.code, p.name) for p in positions]
    document_form = forms.get("document_form") or DocumentForm(formdata=None)
    document_form.kind.choices = [(k, _document_kinds()[k]) for k in DOCUMENT_KINDS]
    stage_form = forms.get("stage_form") or StageForm(formdata=None)
    stage_form.stage.choices = [(s, l) for s, l in _stage_labels().items() if s != HIRED]
    if "stage_form" not in forms:
        stage_form.stage.data = _next_stage(candidate.stage) or REJECTED
    hire_form = forms.get("hire_form") or HireForm(formdata=None)
    hire_form.team_id.choices = [(None, _("— no team yet —"))] + [
        (t.id, f"{t.name} ({t.service.name})") for t in db.session.scalars(
            select(Team).where(Team.active.is_(True), Team.site_id == candidate.opening.site_id).order_by(Team.name))]
    screenings = db.session.scalars(select(Screening).where(Screening.candidate_id == candidate.id)
                                    .order_by(Screening.computed_at.desc()).limit(20)).all()
    return render("people/candidate.html", status=status, candidate=candidate, rs=rs, results=results,
                  experience_form=experience_form, document_form=document_form, stage_form=stage_form,
                  hire_form=hire_form, screenings=screenings, requirement_label=requirement_label,
                  stage_labels=_stage_labels(), document_kinds=_document_kinds(), result_labels=_result_labels(),
                  position_names={p.code: p.name for p in positions}, hired=HIRED, rejected=REJECTED,
                  next_stage=_next_stage(candidate.stage))


def _document_kinds() -> dict[str, str]:
    from portal.people.labels import document_kind_labels

    return document_kind_labels()


@bp.route("/candidates/<int:candidate_id>")
@require("people.recruit")
def candidate(candidate_id: int):
    return _candidate_page(_candidate_or_404(candidate_id))


@bp.route("/candidates/<int:candidate_id>/experience", methods=["POST"])
@require("people.recruit")
def candidate_experience(candidate_id: int):
    candidate = _candidate_or_404(candidate_id)
    form = ExperienceForm()
    form.position_code.choices = [(p.code, p.name) for p in db.session.scalars(select(Position))]
    if form.validate_on_submit():
        with refusals(form):
            recruitment.add_experience(candidate, form.position_code.data, form.months.data, form.employer.data or "", current_user)
            flash(_("Experience added."), "success")
            return redirect(url_for("people.candidate", candidate_id=candidate.id), 303)  # same page: no #anchor (htmx)
    return _candidate_page(candidate, 422, experience_form=form)


@bp.route("/candidates/<int:candidate_id>/documents", methods=["POST"])
@require("people.recruit")
def candidate_upload(candidate_id: int):
    candidate = _candidate_or_404(candidate_id)
    form = DocumentForm()
    form.kind.choices = [(k, k) for k in DOCUMENT_KINDS]
    if form.validate_on_submit():
        storage = request.files.get("file")
        with refusals(form):
            recruitment.upload_document(candidate, form.kind.data, storage.read(recruitment.MAX_UPLOAD + 1) if storage else b"",
                                        storage.filename if storage else "", form.dated_on.data, current_user)
            flash(_("Document uploaded."), "success")
            return redirect(url_for("people.candidate", candidate_id=candidate.id, _anchor="documents"), 303)
    return _candidate_page(candidate, 422, document_form=form)


@bp.route("/candidates/<int:candidate_id>/documents/<int:document_id>")
@require("people.recruit")
def candidate_document(candidate_id: int, document_id: int):
    """The file as an attachment with its sniffed type, never inline; the view is audited."""
    doc = db.session.get(CandidateDocument, document_id)
    if doc is None or doc.candidate_id != candidate_id:
        abort(404)
    path = recruitment.document_path(doc)
    if not path.exists():
        abort(404)
    recruitment.document_viewed(doc, current_user)
    response = send_file(path, mimetype=doc.mime, as_attachment=True, download_name=doc.file_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/candidates/<int:candidate_id>/results", methods=["POST"])
@require("people.recruit")
def candidate_results(candidate_id: int):
    candidate = _candidate_or_404(candidate_id)
    form = request.form

    def tri(name):
        return {"yes": True, "no": False}.get(form.get(name, ""))

    checks = {}
    for key in form:
        if key.startswith("check-"):
            req_id = key.split("-", 1)[1]
            checks[req_id] = {"met": tri(key), "note": form.get(f"note-{req_id}", "")}
    if not FlaskForm().validate_on_submit():
        abort(400)
    with refusals(flash_it=True):
        recruitment.record_results(candidate, {"tests_passed": tri("tests_passed"), "psych_level": form.get("psych_level", ""),
                                               "coaching_confirmed": tri("coaching_confirmed"), "checks": checks,
                                               "interview_notes": form.get("interview_notes", "")}, current_user)
        flash(_("Results recorded; the screening below is computed again."), "success")
    return redirect(url_for("people.candidate", candidate_id=candidate.id, _anchor="screening"), 303)


@bp.route("/candidates/<int:candidate_id>/screen", methods=["POST"])
@require("people.recruit")
def candidate_screen(candidate_id: int):
    candidate = _candidate_or_404(candidate_id)
    if FlaskForm().validate_on_submit():
        with refusals(flash_it=True):
            row = recruitment.record_screening(candidate, current_user)
            if candidate.stage == "applied":
                recruitment.move_stage(candidate, "screened", "", current_user)
            flash(_("Screening kept: %(met)d met, %(not_met)d not met, %(check)d to be checked.", met=row.met,
                    not_met=row.not_met, check=row.to_check), "success")
    return redirect(url_for("people.candidate", candidate_id=candidate.id, _anchor="screening"), 303)


@bp.route("/candidates/<int:candidate_id>/stage", methods=["POST"])
@require("people.recruit")
def candidate_stage(candidate_id: int):
    candidate = _candidate_or_404(candidate_id)
    form = StageForm()
    form.stage.choices = [(s, s) for s in STAGES]
    back = request.form.get("back") == "board"
    if form.validate_on_submit():
        with refusals(form):
            recruitment.move_stage(candidate, form.stage.data, form.reason.data or "", current_user)
            flash(_("%(name)s: %(stage)s.", name=candidate.full_name, stage=_stage_labels()[form.stage.data]), "success")
            target = url_for("people.opening", opening_id=candidate.opening_id) if back else url_for("people.candidate", candidate_id=candidate.id)
            return redirect(target, 303)
    if back:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(url_for("people.opening", opening_id=candidate.opening_id), 303)
    return _candidate_page(candidate, 422, stage_form=form)


@bp.route("/candidates/<int:candidate_id>/hire", methods=["POST"])
@require("people.recruit")
def candidate_hire(candidate_id: int):
    candidate = _candidate_or_404(candidate_id)
    form = HireForm()
    form.team_id.choices = [(None, "")] + [(t.id, t.name) for t in db.session.scalars(select(Team))]
    if form.validate_on_submit():
        with refusals(form):
            staff = recruitment.hire(candidate, {k: getattr(form, k).data for k in
                                                 ("employee_number", "username", "team_id", "starts_on", "ends_on",
                                                  "contract_number")},
                                     current_user)
            flash(_("%(name)s is hired: staff record, probation contract and team are in place.", name=staff.full_name), "success")
            if staff.user_id:
                flash(_("The portal account %(u)s is created; the administrator gives it its first password.",
                        u=form.username.data), "info")
            return redirect(url_for("people.show", employee_no=staff.employee_number), 303)
    return _candidate_page(candidate, 422, hire_form=form)



def _result_labels() -> dict[str, str]:
    from portal.people.labels import result_labels

    return result_labels()

"""Training pages: the overview, courses, a session with its attendance and score grid (htmx, saved per cell),
the trainer's signature and amendments, certificates, the matrix (and its Excel), the competence gate, and the
SOP revisions the document controller marks as needing training."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.auth.models import Service
from portal.core.forms import form_status, refusals
from portal.core.htmx import render
from portal.core.i18n import local_today
from portal.core.permissions import login_required, require
from portal.core.urls import db_int
from portal.core.xlsx import XLSX_MIMETYPE, build_workbook
from portal.documents.models import EFFECTIVE, Document, Revision
from portal.extensions import db
from portal.people import permissions as people_permissions
from portal.people.models import ENDED, Position, Staff, TeamMembership
from portal.training import matrix as matrices
from portal.training import paper, permissions, services
from portal.training.forms import AmendForm, CourseForm, OverrideForm, SessionForm, SignForm
from portal.training.labels import STATUS_TONE, course_kind_labels, status_labels
from portal.training.models import Attendee, Course, RevisionTraining, TrainingSession
from portal.training.queries import matrix_people, teams_for
from portal.printing import cache as pdf_cache

bp = Blueprint("training", __name__)


def _session_or_404(session_id: int) -> TrainingSession:
    session = db.session.get(TrainingSession, session_id)
    if session is None:
        abort(404)
    return session


# ---------------------------------------------------------------- overview
@bp.route("/")
@require("training.read")
def index():
    sessions = list(db.session.scalars(select(TrainingSession).order_by(TrainingSession.held_on.desc(), TrainingSession.id.desc())
                                       .limit(50)))
    counts = dict(db.session.execute(select(Attendee.session_id, func.count()).where(
        Attendee.session_id.in_([s.id for s in sessions] or [0])).group_by(Attendee.session_id)).all())
    return render("training/index.html", sessions=sessions, counts=counts, kinds=course_kind_labels(),
                  can_manage=current_user.can("training.manage"))


# ---------------------------------------------------------------- courses
@bp.route("/courses")
@require("training.read")
def courses():
    rows = list(db.session.scalars(select(Course).options(selectinload(Course.positions), selectinload(Course.services))
                                   .order_by(Course.kind, Course.code)))
    return render("training/courses.html", rows=rows, kinds=course_kind_labels(), can_manage=current_user.can("training.manage"))


def _course_form(course: Course | None = None) -> CourseForm:
    form = CourseForm(obj=course)
    form.kind.choices = list(course_kind_labels().items())
    form.position_ids.choices = [(p.id, p.name) for p in db.session.scalars(select(Position).order_by(Position.sort_order))]
    form.service_ids.choices = [(s.id, s.name) for s in db.session.scalars(select(Service).where(Service.active.is_(True)).order_by(Service.name))]
    if course is not None and request.method == "GET":
        form.position_ids.data = [p.id for p in course.positions]
        form.service_ids.data = [s.id for s in course.services]
    return form


def _course_data(form: CourseForm) -> dict:
    return {"code": form.code.data, "name": form.name.data, "kind": form.kind.data, "position_ids": form.position_ids.data,
            "service_ids": form.service_ids.data, "validity_months": form.validity_months.data,
            "pass_mark": form.pass_mark.data, "sop_code": form.sop_code.data, "active": form.active.data}


@bp.route("/courses/new", methods=["GET", "POST"])
@require("training.manage")
def course_new():
    form = _course_form()
    if form.validate_on_submit():
        with refusals(form):
            services.save_course(None, _course_data(form), current_user)
            flash(_("Course saved."), "success")
            return redirect(url_for("training.courses"), 303)
    return render("training/course_form.html", form=form, course=None, status=form_status(form))


@bp.route("/courses/<int:course_id>/edit", methods=["GET", "POST"])
@require("training.manage")
def course_edit(course_id: int):
    course = db.session.get(Course, course_id) or abort(404)
    form = _course_form(course)
    if form.validate_on_submit():
        with refusals(form):
            services.save_course(course, _course_data(form), current_user)
            flash(_("Course saved."), "success")
            return redirect(url_for("training.courses"), 303)
    return render("training/course_form.html", form=form, course=course, status=form_status(form))


# ---------------------------------------------------------------- sessions
@bp.route("/sessions/new", methods=["GET", "POST"])
@require("training.manage")
def session_new():
    form = SessionForm()
    form.course_id.choices = [(None, "—")] + [(c.id, f"{c.code} · {c.name}") for c in services.courses(active_only=True)]
    if request.method == "GET" and request.args.get("course", type=db_int):
        form.course_id.data = request.args.get("course", type=db_int)
    if form.validate_on_submit():
        with refusals(form):
            session = services.create_session({"course_id": form.course_id.data, "held_on": form.held_on.data,
                                               "starts_at": form.starts_at.data, "ends_at": form.ends_at.data,
                                               "place": form.place.data, "remarks": form.remarks.data}, current_user)
            flash(_("Session created. Add the attendees."), "success")
            return redirect(url_for("training.session", session_id=session.id), 303)
    return render("training/session_form.html", form=form, status=form_status(form))


def _session_page(session: TrainingSession, status: int = 200, sign_form=None, amend_form=None):
    manage = current_user.can("training.manage")
    from sqlalchemy.orm import joinedload

    rows = list(db.session.scalars(select(Attendee).options(joinedload(Attendee.staff).joinedload(Staff.current_membership))
                                   .where(Attendee.session_id == session.id).order_by(Attendee.id)))
    if not manage:
        rows = [a for a in rows if people_permissions.can_view(current_user, a.staff)]
    team_id = request.args.get("team", type=db_int)
    pick, teams = [], []
    if manage and not session.locked:
        teams = teams_for(current_user)
        stmt = (select(Staff).where(Staff.status != ENDED, Staff.id.not_in(select(Attendee.staff_id).where(Attendee.session_id == session.id)))
                .order_by(Staff.full_name).limit(60))
        if team_id:
            stmt = stmt.where(Staff.id.in_(select(TeamMembership.staff_id).where(TeamMembership.team_id == team_id,
                                                                                 TeamMembership.ends_on.is_(None))))
        q = (request.args.get("q") or "").strip()[:60]
        if q:
            from portal.people.queries import like_pattern

            stmt = stmt.where(func.lower(Staff.full_name).like(like_pattern(q), escape="\\"))
        pick = list(db.session.scalars(stmt))
    is_trainer = session.trainer_id == current_user.id
    return render("training/session.html", status=status, session=session, rows=rows, pick=pick, teams=teams,
                  team_id=team_id, can_manage=manage, is_trainer=is_trainer, kinds=course_kind_labels(),
                  sign_form=sign_form or SignForm(formdata=None), amend_form=amend_form or AmendForm(formdata=None),
                  can_edit=manage and not session.locked)


@bp.route("/sessions/<int:session_id>")
@require("training.read")
def session(session_id: int):
    return _session_page(_session_or_404(session_id))


@bp.route("/sessions/<int:session_id>/attendees", methods=["POST"])
@require("training.manage")
def session_attendees(session_id: int):
    session = _session_or_404(session_id)
    ids = [db_int(v) for v in request.form.getlist("staff_ids")]
    with refusals(flash_it=True):
        added = services.add_attendees(session, [i for i in ids if i], current_user)
        flash(_("%(n)d attendee(s) added.", n=len(added)), "success")
    return redirect(url_for("training.session", session_id=session.id, team=request.form.get("team") or None), 303)


@bp.route("/sessions/<int:session_id>/attendees/<int:attendee_id>/remove", methods=["POST"])
@require("training.manage")
def attendee_remove(session_id: int, attendee_id: int):
    session = _session_or_404(session_id)
    attendee = next((a for a in session.attendees if a.id == attendee_id), None) or abort(404)
    with refusals(flash_it=True):
        services.remove_attendee(attendee, current_user)
        flash(_("Attendee removed."), "success")
    return redirect(url_for("training.session", session_id=session.id), 303)


@bp.route("/sessions/<int:session_id>/cells/<int:attendee_id>", methods=["POST"])
@require("training.manage")
def cell(session_id: int, attendee_id: int):
    """One cell of the grid (htmx): saves it and answers with the attendee's row."""
    session = _session_or_404(session_id)
    attendee = next((a for a in session.attendees if a.id == attendee_id), None) or abort(404)
    field = request.form.get("field", "")
    errors: dict = {}
    with refusals(errors=errors):
        services.set_cell(attendee, field, request.form.get(field, ""), current_user)
    if errors:
        db.session.refresh(attendee)
    body = render_template("training/_row.html", a=attendee, session=session, can_edit=not session.locked,
                           error=next(iter(errors.values()), ""))
    if request.headers.get("HX-Request"):
        return Response(body, status=form_status(errors=errors))
    if errors:
        flash(next(iter(errors.values())), "error")
    return redirect(url_for("training.session", session_id=session.id), 303)


@bp.route("/sessions/<int:session_id>/grid.xlsx")
@require("training.manage")
def grid_template(session_id: int):
    """The session's list as an Excel file to fill in (attendance, score, remarks) and import back."""
    from portal.training import imports

    session = _session_or_404(session_id)
    return Response(imports.template_bytes(session), mimetype=XLSX_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="nilai-sesi-{session.id}.xlsx"'})


@bp.route("/sessions/<int:session_id>/import", methods=["POST"])
@require("training.manage")
def grid_import(session_id: int):
    """Attendance and scores from the filled-in Excel file: all rows or none."""
    from portal.training import imports

    session = _session_or_404(session_id)
    with refusals(flash_it=True):
        n = imports.import_grid(session, request.files.get("file"), current_user)
        flash(_("%(n)d row(s) imported.", n=n), "success")
    return redirect(url_for("training.session", session_id=session.id), 303)


@bp.route("/sessions/<int:session_id>/sign", methods=["POST"])
@require("training.manage")
def session_sign(session_id: int):
    session = _session_or_404(session_id)
    form = SignForm()
    if form.validate_on_submit():
        with refusals(form):
            services.sign_session(session, form.password.data, current_user)
            flash(_("The result is signed and locked."), "success")
            return redirect(url_for("training.session", session_id=session.id), 303)
    return _session_page(session, status=form_status(form) if form.errors or form.form_errors else 422, sign_form=form)


@bp.route("/sessions/<int:session_id>/amend", methods=["POST"])
@require("training.manage")
def session_amend(session_id: int):
    session = _session_or_404(session_id)
    form = AmendForm()
    if form.validate_on_submit():
        with refusals(form):
            services.amend_session(session, form.reason.data, current_user)
            flash(_("The result is open for correction; sign it again when done."), "success")
            return redirect(url_for("training.session", session_id=session.id), 303)
    return _session_page(session, status=422, amend_form=form)


@bp.route("/sessions/<int:session_id>/certificates/<int:attendee_id>.pdf")
@login_required
def certificate(session_id: int, attendee_id: int):
    """The certificate of a passed attendee of a signed session: the trainer, the person, or whoever sees them."""
    session = _session_or_404(session_id)
    attendee = db.session.get(Attendee, attendee_id)
    if attendee is None or attendee.session_id != session.id:
        abort(404)
    own = attendee.staff.user_id == current_user.id
    if not (own or current_user.can("training.manage")
            or (current_user.can("training.read") and people_permissions.can_view(current_user, attendee.staff))):
        abort(403)
    if not session.locked or not attendee.passed:
        abort(404)
    return pdf_cache.serve(paper.CERTIFICATE, attendee.id, paper.pdf_key(attendee),
                           f"sertifikat-{session.course.code}-{attendee.staff.employee_number}.pdf")


# ---------------------------------------------------------------- the person's page section
@bp.route("/people/<employee_no>")
@login_required
def person_section(employee_no: str):
    """The training section of the person's page (loaded by htmx; a full page when opened directly)."""
    from sqlalchemy.orm import joinedload

    from portal.training.sections import training_context

    staff = db.session.scalar(select(Staff).options(joinedload(Staff.current_membership), joinedload(Staff.services))
                              .where(Staff.employee_number == employee_no))
    if staff is None:
        abort(404)
    if not permissions.can_view_training(current_user, staff):
        abort(403)
    return render("training/person.html", block="section", staff=staff, ctx=training_context(current_user, staff),
                  key="training", title=_("Training"), section_template="training/sections/training.html")


# ---------------------------------------------------------------- the matrix
def _filters():
    """The teams of the user's scope, and the sites and services they are at (one statement)."""
    teams = teams_for(current_user)
    sites = sorted({t.site.id: t.site for t in teams}.values(), key=lambda x: x.name)
    svcs = sorted({t.service.id: t.service for t in teams}.values(), key=lambda x: x.name)
    return teams, sites, svcs


@bp.route("/matrix")
@require("training.read")
def matrix():
    people, after = matrix_people(current_user, request.args)
    columns, rows = matrices.compute(people, local_today())
    teams, sites, svcs = _filters()
    # plain strings, translated once: the table shows thousands of cells
    labels = {key: str(label) for key, label in status_labels().items()}
    return render("training/matrix.html", columns=columns, rows=rows, after=after, teams=teams, sites=sites,
                  services=svcs, labels=labels, tones=STATUS_TONE, counts=matrices.counts(rows),
                  args=request.args, until_label=_("until %(d)s", d="{}"))


@bp.route("/matrix.xlsx")
@require("training.read")
def matrix_xlsx():
    people, _after = matrix_people(current_user, request.args, limit=None)
    columns, rows = matrices.compute(people, local_today())
    labels = status_labels()
    headers = [_("Employee number"), _("Name"), _("Position"), _("Team")] + [c.label for c in columns]
    data = []
    for row in rows:
        cells = []
        for c in columns:
            cell = row.cells.get(c.key)
            if cell is None:
                cells.append("")
            else:
                cells.append(str(labels[cell.status]) + (f" ({cell.valid_until.isoformat()})" if cell.valid_until else ""))
        data.append([row.staff.employee_number, row.staff.full_name, row.staff.position.name,
                     row.staff.team.name if row.staff.team else ""] + cells)
    body = build_workbook(_("Training matrix"), headers, data)
    return Response(body, mimetype=XLSX_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="matriks-pelatihan-{local_today().isoformat()}.xlsx"'})


# ---------------------------------------------------------------- the competence gate
@bp.route("/gate")
@require("training.read")
def gate():
    """The agents flagged by the competence gate (required initial training or SOP acknowledgement missing)."""
    people, after = matrix_people(current_user, request.args)
    columns, rows = matrices.compute(people, local_today())
    names = {c.key: c.label for c in columns}
    flagged = [r for r in rows if r.gate]
    return render("training/gate.html", rows=flagged, names=names, after=after, args=request.args,
                  can_override=current_user.can("training.override"), form=OverrideForm(formdata=None))


@bp.route("/gate/<employee_no>/override", methods=["POST"])
@require("training.override")
def gate_override(employee_no: str):
    from portal.training import gate as gates

    staff = db.session.scalar(select(Staff).where(Staff.employee_number == employee_no)) or abort(404)
    if not people_permissions.can_view(current_user, staff):
        abort(403)
    form = OverrideForm()
    if form.validate_on_submit():
        with refusals(form, flash_it=True):
            gates.override(staff, form.reason.data, form.until.data, current_user)
            flash(_("Override recorded for %(name)s.", name=staff.full_name), "success")
            return redirect(url_for("training.gate"), 303)
    else:
        flash(_("Give the reason for the override."), "error")
    return redirect(url_for("training.gate"), 303)


# ---------------------------------------------------------------- SOP revisions needing training
@bp.route("/revisions")
@require("training.mark")
def revisions():
    """The SOPs in force, each with the course that teaches it, and whether its revision needs training."""
    rows = db.session.execute(select(Revision, Document, RevisionTraining).join(Document, Document.id == Revision.document_id)
                              .outerjoin(RevisionTraining, RevisionTraining.revision_id == Revision.id)
                              .where(Revision.status == EFFECTIVE, Document.doc_type.in_(["P", "W", "MNOP", "S"]),
                                     Document.withdrawn_at.is_(None)).order_by(Document.code).limit(300)).all()
    return render("training/revisions.html", rows=rows, courses=services.courses(active_only=True))


@bp.route("/revisions/<int:revision_id>/mark", methods=["POST"])
@require("training.mark")
def revision_mark(revision_id: int):
    from portal.training import gate as gates

    revision = db.session.get(Revision, revision_id) or abort(404)
    course_id = request.form.get("course_id", type=db_int)
    with refusals(flash_it=True):
        if course_id:
            gates.mark_revision(revision, db.session.get(Course, course_id), current_user)
            flash(_("Marked as needing training."), "success")
        else:
            gates.unmark_revision(revision, current_user)
            flash(_("No training required for this revision."), "success")
    return redirect(url_for("training.revisions"), 303)

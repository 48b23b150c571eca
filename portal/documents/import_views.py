"""Pages of the import a person confirms: upload files, check what was read beside the source, accept or reject.

The routes belong to the documents blueprint (`documents.imports`, `documents.import_review`, ...)."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import defer, joinedload

from portal.core.forms import refusals
from portal.core.htmx import render
from portal.core.permissions import require
from portal.documents import services
from portal.documents import pending as svc
from portal.documents.forms import ImportReviewForm, ImportUploadForm
from portal.documents.models import DOC_TYPES, PENDING, Document, PendingImport
from portal.documents.views import bp
from portal.extensions import db

LIST_LIMIT = 200  # pending imports shown at once (a batch is reviewed, then the next)
HISTORY_LIMIT = 50


def _pending_or_404(import_id: int) -> PendingImport:
    pending = db.session.scalar(select(PendingImport).options(joinedload(PendingImport.uploaded_by),
                                                              joinedload(PendingImport.decided_by))
                                .where(PendingImport.id == import_id))
    if pending is None:
        abort(404)
    return pending


def _posted_fields() -> dict:
    """The review form as posted: scalar fields, the three signatures, and the non-empty section rows."""
    f = request.form
    sections = [{"number": n, "title": t, "body": b} for n, t, b in
                zip(f.getlist("section_number"), f.getlist("section_title"), f.getlist("section_body"))]
    return {
        "code": f.get("code", "").strip(), "title": f.get("title", ""), "doc_type": f.get("doc_type", ""),
        "revision": f.get("revision", "").strip(), "effective_date": f.get("effective_date", "").strip(),
        "signatures": [{"role": role, "name": f.get(f"sig_{role}_name", ""), "position": f.get(f"sig_{role}_position", "")}
                       for role in svc.SIGNER_ROLES],
        "sections": [s for s in sections if any((v or "").strip() for v in s.values())],
        "records": [r for r in ({"code": c, "name": n, "retention": r, "owner": o} for c, n, r, o in
                                zip(f.getlist("record_code"), f.getlist("record_name"), f.getlist("record_retention"),
                                    f.getlist("record_owner")))
                    if any((v or "").strip() for v in r.values())],
        "change_log": [c for c in ({"revision": n, "effective_date": d, "description": t} for n, d, t in
                                   zip(f.getlist("change_revision"), f.getlist("change_date"), f.getlist("change_description")))
                       if any((v or "").strip() for v in c.values())],
    }


# ---------------------------------------------------------------- the list and the upload
@bp.route("/import", methods=["GET", "POST"])
@require("documents.import")
def imports():
    form = ImportUploadForm()
    if form.validate_on_submit():
        files = [(s.filename, s.read()) for s in request.files.getlist("files") if s and s.filename]
        errors: dict = {}
        with refusals(errors=errors):
            result = svc.upload(files, current_user)
            for name, reason in result.refused:
                flash(_("%(file)s was not read: %(reason)s", file=name, reason=reason), "warning")
            flash(ngettext("%(num)d file is waiting for your review.", "%(num)d files are waiting for your review.",
                           len(result.created)), "success")
            if len(result.created) == 1 and not result.refused:
                return redirect(url_for("documents.import_review", import_id=result.created[0].id), 303)
            return redirect(url_for("documents.imports"), 303)
        return _list(form, errors.get("files") or next(iter(errors.values()), ""))
    return _list(form, "")


def _list(form, upload_error: str):
    light = (defer(PendingImport.parsed_json), defer(PendingImport.source_text))
    waiting = db.session.scalars(select(PendingImport).options(*light, joinedload(PendingImport.uploaded_by))
                                 .where(PendingImport.status == PENDING)
                                 .order_by(PendingImport.uploaded_at.desc(), PendingImport.id.desc()).limit(LIST_LIMIT)).all()
    history = db.session.scalars(select(PendingImport).options(*light, joinedload(PendingImport.decided_by))
                                 .where(PendingImport.status != PENDING)
                                 .order_by(PendingImport.decided_at.desc(), PendingImport.id.desc()).limit(HISTORY_LIMIT)).all()
    key = {p.id: services.normalise_code(p.code).upper() for p in waiting if p.code}
    known = set(db.session.scalars(select(Document.code_key).where(Document.code_key.in_(sorted(set(key.values())))))) if key else set()
    registered = {id_ for id_, code_key in key.items() if code_key in known}  # pending imports of registered codes
    status = 422 if upload_error or form.errors else 200
    return render("documents/imports.html", form=form, waiting=waiting, history=history, registered=registered,
                  upload_error=upload_error, max_mb=svc.max_bytes() // (1024 * 1024), status=status)


# ---------------------------------------------------------------- one pending import
def _review(pending: PendingImport, form, fields: dict, errors: dict, reject_reason: str = "", status: int = 200):
    parsed = svc.parsed_of(pending)
    numbers = svc.existing_revisions(fields.get("code") or pending.code) if pending.status == PENDING else []
    outcome = (svc.expected_outcome(fields.get("code") or "", fields.get("revision") or "") if numbers
               else ("new", ""))
    return render("documents/import_review.html", pending=pending, form=form, fields=fields, errors=errors,
                  parsed=parsed, existing=numbers, outcome=outcome, doc_types=DOC_TYPES, reject_reason=reject_reason,
                  revision_label=svc.normalise_revision(fields.get("revision", "")),
                  warnings=svc.warnings_for(pending, fields) if pending.status == PENDING else pending.warnings,
                  status=422 if (errors or form.errors) else status)


@bp.route("/import/<int:import_id>", methods=["GET", "POST"])
@require("documents.import")
def import_review(import_id: int):
    pending = _pending_or_404(import_id)
    form = ImportReviewForm()
    if request.method == "GET":
        return _review(pending, form, svc.fields_of(pending), {})
    data = _posted_fields()
    errors: dict = {}
    if form.validate_on_submit():
        errors = svc.field_errors(data)
        if not errors:
            with refusals(errors=errors):
                svc.save_fields(pending, data, current_user)
                flash(_("The corrections have been saved."), "success")
                return redirect(url_for("documents.import_review", import_id=pending.id), 303)
    return _review(pending, form, data, errors)


@bp.route("/import/<int:import_id>/check", methods=["POST"])
@require("documents.import")
def import_check(import_id: int):
    """The warnings for the fields as typed (htmx, while the person corrects them); nothing is saved."""
    pending = _pending_or_404(import_id)
    form = ImportReviewForm()
    if not form.validate_on_submit():
        abort(400)
    fields = _posted_fields()
    warnings = svc.warnings_for(pending, fields) if pending.status == PENDING else pending.warnings
    from flask import make_response
    from jinja2_fragments.flask import render_block

    response = make_response(render_block("documents/import_review.html", "warnings", pending=pending, warnings=warnings))
    response.vary.add("HX-Request")
    return response


@bp.route("/import/<int:import_id>/accept", methods=["POST"])
@require("documents.import")
def import_accept(import_id: int):
    """Saves what was typed, then registers it (all or nothing)."""
    pending = _pending_or_404(import_id)
    form = ImportReviewForm()
    data = _posted_fields()
    errors: dict = {}
    if form.validate_on_submit():
        errors = svc.field_errors(data)
        if not errors:
            with refusals(errors=errors):
                result = svc.accept(pending, current_user, data)
                flash(_("%(file)s accepted: %(outcome)s", file=pending.file_name, outcome=result.message), "success")
                return redirect(url_for("documents.imports"), 303)
            pending = _pending_or_404(import_id)  # the refusal rolled back: what is stored again
    return _review(pending, form, data, errors)


@bp.route("/import/<int:import_id>/reject", methods=["POST"])
@require("documents.import")
def import_reject(import_id: int):
    pending = _pending_or_404(import_id)
    form = ImportReviewForm()
    reason = request.form.get("reason", "")
    errors: dict = {}
    if form.validate_on_submit():
        with refusals(errors=errors):
            svc.reject(pending, current_user, reason)
            flash(_("%(file)s was rejected; nothing entered the register.", file=pending.file_name), "success")
            return redirect(url_for("documents.imports"), 303)
        pending = _pending_or_404(import_id)
    return _review(pending, form, svc.fields_of(pending), errors, reject_reason=reason)


@bp.route("/import/<int:import_id>/original")
@require("documents.import")
def import_original(import_id: int):
    pending = _pending_or_404(import_id)
    path = svc.original_path(pending)
    if not path.is_file():
        abort(404)
    from portal.core import files

    # An attachment with a cleaned name, the Content-Type of its kind (never HTML), nosniff.
    return files.send_stored(path, pending.file_name.rsplit(".", 1)[0] or "dokumen", pending.file_format)


@bp.route("/import/<int:import_id>/page.png")
@require("documents.import")
def import_page(import_id: int):
    """The first page of a scanned original, as the image the review page shows beside the form."""
    from flask import send_file

    path = svc.page_image_path(_pending_or_404(import_id))
    if path is None:
        abort(404)
    response = send_file(path, mimetype="image/png", max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response

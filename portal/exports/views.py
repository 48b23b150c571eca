"""/records/export: choose the filters and the format, watch the progress bar, download the file."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.auth.models import Service, Site
from portal.core.forms import refusals
from portal.core.htmx import render
from portal.core.permissions import require
from portal.core.xlsx import XLSX_MIMETYPE
from portal.exports import services
from portal.exports.models import ExportJob
from portal.extensions import db
from portal.records import services as records
from portal.records.labels import status_labels

bp = Blueprint("exports", __name__)
HISTORY = 20  # past exports listed on the export page


@bp.route("/new", methods=["GET", "POST"])
@require("records.export")
def new():
    source = request.form if request.method == "POST" else request.args
    filters = services.clean_filters(source)
    if request.method == "GET" and request.headers.get("HX-Target") == "export-count":
        # The count follows the filters as they are chosen (htmx): only the sentence is sent back.
        return render("exports/new.html", block="count", filters=filters, total=services.count(current_user, filters))
    error = None
    if request.method == "POST":
        errors = {}
        with refusals(errors=errors):
            job = services.start(current_user, request.form.get("kind", ""), filters)
            return redirect(url_for("exports.show", job_id=job.id), 303)
        error = next(iter(errors.values()))
    history = db.session.scalars(select(ExportJob).where(ExportJob.user_id == current_user.id)
                                 .order_by(ExportJob.id.desc()).limit(HISTORY)).all()
    sites = db.session.scalars(select(Site).order_by(Site.name)).all()
    services_ = db.session.scalars(select(Service).order_by(Service.name)).all()
    names = services.FilterNames(sites={s.id: s.name for s in sites}, services={s.id: s.name for s in services_},
                                 people=services.people_named(history))
    return render("exports/new.html", status=422 if error else 200, filters=filters, error=error,
                  total=services.count(current_user, filters), history=history, forms=records.online_forms(),
                  sites=sites, services_=services_, status_labels=status_labels(),
                  describe=lambda f: services.describe_filters(f, names))


@bp.route("/<int:job_id>")
@require("records.export")
def show(job_id: int):
    job = services.job_for(current_user, job_id) or abort(404)
    if request.htmx:
        return render("exports/show.html", block="progress", job=job)
    return render("exports/show.html", job=job, used=services.describe_filters(job.filters))


@bp.route("/<int:job_id>/download")
@require("records.export")
def download(job_id: int):
    job = services.job_for(current_user, job_id) or abort(404)
    path = services.job_file(job)
    if path is None:
        abort(404)
    services.downloaded(job)
    mimetype = XLSX_MIMETYPE if job.kind == "xlsx" else "application/zip"
    return send_file(path, mimetype=mimetype, as_attachment=True, download_name=job.file_name)

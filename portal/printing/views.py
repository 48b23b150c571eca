"""/verify/<token>: anyone holding a printout can learn whether it is still the revision in force."""
from __future__ import annotations

from flask import Blueprint, abort, request

from portal.core.htmx import render
from portal.core import jobs
from portal.core.permissions import login_required, public
from portal.core.urls import safe_next
from portal.extensions import db
from portal.printing import cache, services

bp = Blueprint("printing", __name__)


@bp.route("/verify/<token>")
@public
def verify(token: str):
    printout = services.get(token)
    if printout is None:
        abort(404)
    return render("printing/verify.html", verdict=services.verify(printout))


@bp.route("/printing/pdf/<int:job_id>")
@login_required
def pdf_progress(job_id: int):
    """The progress of a PDF being rendered (polled by printing/preparing.html); opens the PDF when it is ready."""
    job = db.session.get(jobs.Job, job_id)
    if job is None or job.name != cache.TASK:
        abort(404)
    target = safe_next(request.args.get("next"), "/")
    response = render("printing/preparing.html", block="progress", job=job, here=target,
                      poll=request.full_path.rstrip("?"))
    if job.status == jobs.DONE:
        response.headers["HX-Redirect"] = target
    return response

"""/verify/<token>: anyone holding a printout can learn whether it is still the revision in force."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.core.htmx import render
from portal.core.permissions import public, require
from portal.printing import services

bp = Blueprint("printing", __name__)


@bp.route("/verify/<token>")
@public
def verify(token: str):
    printout = services.get(token)
    if printout is None:
        abort(404)
    return render("printing/verify.html", verdict=services.verify(printout))


# ---------------------------------------------------------------- controlled copies
def _copy_form_choices():
    from sqlalchemy import select

    from portal.auth.models import Site
    from portal.extensions import db

    return list(db.session.scalars(select(Site).order_by(Site.is_head_office.desc(), Site.name)))


@bp.route("/documents/<code>/copies", methods=["GET", "POST"])
@require("documents.copies")
def copies(code: str):
    from portal.auth.services import ServiceError
    from portal.documents import services as documents
    from portal.extensions import db
    from portal.printing import copies as register

    doc = documents.get_document(code) or abort(404)
    errors, typed = {}, {"site_id": request.form.get("site_id", ""), "holder": request.form.get("holder", "")}
    status = 200
    if request.method == "POST":
        try:
            if doc.current is None:
                raise ServiceError(_("This document has no revision in force."))
            copy = register.issue(doc.current, request.form.get("site_id", type=int), request.form.get("holder", ""), current_user)
            db.session.commit()
            flash(_("Controlled copy No. %(n)d registered. Print it now: it carries its number and holder.", n=copy.number), "success")
            return redirect(url_for("printing.copies", code=doc.code), 303)
        except ServiceError as exc:
            db.session.rollback()
            errors[exc.field or "form"] = exc.message
            status = 422
    return render("printing/copies.html", status=status, doc=doc, rows=register.copies_of(doc), sites=_copy_form_choices(),
                  errors=errors, typed=typed)


@bp.route("/documents/<code>/copies/<int:copy_id>.pdf")
@require("documents.copies")
def copy_pdf(code: str, copy_id: int):
    from portal.extensions import db
    from portal.printing.models import ControlledCopy

    copy = db.session.get(ControlledCopy, copy_id)
    if copy is None or copy.revision.document.code_key != code.upper() or copy.status != "issued":
        abort(404)
    pdf, printout = services.render_document_pdf(copy.revision, current_user, copy=copy)
    db.session.commit()
    name = f"{copy.revision.document.code}.Rev.{copy.revision.number}-salinan-{copy.number}.pdf"
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"', "X-Printout-Token": printout.token})


@bp.route("/documents/copies/<int:copy_id>/returned", methods=["POST"])
@require("documents.copies")
def copy_returned(copy_id: int):
    from portal.auth.services import ServiceError
    from portal.extensions import db
    from portal.printing import copies as register
    from portal.printing.models import ControlledCopy

    copy = db.session.get(ControlledCopy, copy_id) or abort(404)
    try:
        register.confirm_return(copy, current_user, request.form.get("note", ""))
        db.session.commit()
        flash(_("Return of copy No. %(n)d confirmed.", n=copy.number), "success")
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    return redirect(request.form.get("next") if (request.form.get("next") or "").startswith("/") else
                    url_for("printing.withdrawals"), 303)


@bp.route("/documents/copies/withdrawals")
@require("documents.copies")
def withdrawals():
    from portal.printing import copies as register

    return render("printing/withdrawals.html", rows=register.withdrawal_tasks())

"""/verify/<token>: anyone holding a printout can learn whether it is still the revision in force."""
from __future__ import annotations

from flask import Blueprint, abort

from portal.core.htmx import render
from portal.core.permissions import public
from portal.printing import services

bp = Blueprint("printing", __name__)


@bp.route("/verify/<token>")
@public
def verify(token: str):
    printout = services.get(token)
    if printout is None:
        abort(404)
    return render("printing/verify.html", verdict=services.verify(printout))

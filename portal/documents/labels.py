"""How revision statuses read on screen and in print: the one source, translated."""
from __future__ import annotations

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from portal.documents.models import APPROVED, CHECKED, DRAFT, EFFECTIVE, SUBMITTED, SUPERSEDED, WITHDRAWN

STATUS_LABELS = {
    DRAFT: _l("Draft"), SUBMITTED: _l("Waiting for check"), CHECKED: _l("Waiting for approval"),
    APPROVED: _l("Approved, not yet effective"), EFFECTIVE: _l("Effective"), SUPERSEDED: _l("Superseded"),
    WITHDRAWN: _l("Withdrawn"),
}


SIGNER_LABELS = {"prepared": _l("preparer"), "checked": _l("checker"), "approved": _l("approver")}


def signer_label(role: str) -> str:
    """A signature's role as a person ("preparer"), in the current language."""
    return str(SIGNER_LABELS.get(role, role))


def status_label(status: str) -> str:
    """The label of one revision status in the current language (translated once per request: a list shows many)."""
    if not has_request_context():
        return str(STATUS_LABELS.get(status, status))
    labels = g.get("_revision_status_labels")
    if labels is None:
        labels = g._revision_status_labels = {k: str(v) for k, v in STATUS_LABELS.items()}
    return labels.get(status, status)


BADGE_KINDS = {DRAFT: "muted", SUBMITTED: "warn", CHECKED: "warn", APPROVED: "info", EFFECTIVE: "ok", SUPERSEDED: "error",
               WITHDRAWN: "error"}


def status_badge(status: str) -> Markup:
    """A revision status as a badge (templates/documents/_status.html): a function, not a Jinja macro, because a
    list calls it once per row and a macro call costs several times more."""
    return Markup(f'<span class="badge badge-{BADGE_KINDS.get(status, "neutral")}">{escape(status_label(status))}</span>')

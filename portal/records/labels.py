"""How record statuses read on screen, in print and in exports: the one source, translated."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from portal.records.models import APPROVED, DISPOSED, DRAFT, SUBMITTED

STATUS_LABELS = {DRAFT: _l("Draft"), SUBMITTED: _l("Submitted"), APPROVED: _l("Approved (locked)"),
                 DISPOSED: _l("Disposed of")}


def status_labels() -> dict[str, str]:
    """Every record status with its label in the current language."""
    return {k: str(v) for k, v in STATUS_LABELS.items()}


def status_label(status: str) -> str:
    """The label of one record status."""
    return str(STATUS_LABELS.get(status, status))


BADGE_KINDS = {DRAFT: "muted", SUBMITTED: "info", APPROVED: "ok", DISPOSED: "error"}


def badge_maker(labels: dict[str, str]):
    """`record_badge(status)` for a template whose context holds `status_labels` (templates/records/_status.html): a
    function, not a Jinja macro, because the records list calls it once per row and a macro call costs several
    times more."""
    def record_badge(status: str) -> Markup:
        return Markup(f'<span class="badge badge-{BADGE_KINDS.get(status, "muted")}" data-status="{escape(status)}">'
                      f"{escape(labels.get(status, ''))}</span>")

    return record_badge

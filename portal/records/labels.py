"""How record statuses read on screen, in print and in exports: the one source, translated."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.records.models import APPROVED, DISPOSED, DRAFT, SUBMITTED

STATUS_LABELS = {DRAFT: _l("Draft"), SUBMITTED: _l("Submitted"), APPROVED: _l("Approved (locked)"),
                 DISPOSED: _l("Disposed of")}


def status_labels() -> dict[str, str]:
    """Every record status with its label in the current language."""
    return {k: str(v) for k, v in STATUS_LABELS.items()}


def status_label(status: str) -> str:
    """The label of one record status."""
    return str(STATUS_LABELS.get(status, status))

"""Labels shown on screen (translated)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l


def course_kind_labels() -> dict:
    return {"initial": _l("Initial training"), "refreshment": _l("Refreshment"),
            "product": _l("Product socialisation"), "sop_refresher": _l("SOP refresher")}


def status_labels() -> dict:
    return {"current": _l("current"), "due_soon": _l("due soon"), "overdue": _l("overdue"), "missing": _l("missing")}


STATUS_TONE = {"current": "ok", "due_soon": "warn", "overdue": "error", "missing": "error"}

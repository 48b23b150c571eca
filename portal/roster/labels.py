"""Labels shown on screen (translated)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l


def absence_labels() -> dict:
    return {"sick": _l("Sick (with a doctor's note)"), "permission": _l("Permission"), "leave": _l("Leave"),
            "unexcused": _l("Unexcused"), "duty": _l("Duty elsewhere"), "unrecorded": _l("No reason recorded")}


def change_kind_labels() -> dict:
    return {"swap": _l("Swap"), "sick_replacement": _l("Sick replacement"), "other": _l("Other")}


def state_labels() -> dict:
    return {"expected": _l("expected"), "in": _l("in"), "out": _l("left"), "late": _l("late"), "absent": _l("absent"),
            "unscheduled": _l("without a shift")}


def status_labels() -> dict:
    return {"draft": _l("draft"), "published": _l("published")}

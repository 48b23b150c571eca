"""Labels shown on screen (translated)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l


def plan_labels() -> dict:
    return {"proposed": _l("proposed"), "approved": _l("approved"), "distributed": _l("distributed"),
            "closed": _l("closed"), "rejected": _l("rejected")}


def outcome_labels() -> dict:
    return {"achieved": _l("target achieved again"), "partly": _l("partly achieved"), "not_achieved": _l("not achieved")}


def period_labels() -> dict:
    return {"interval": _l("interval"), "day": _l("day"), "month": _l("month")}


def source_labels() -> dict:
    return {"manual": _l("entered by hand"), "imported": _l("imported (CSV of the contact-center system)"),
            "tapping_qvs": _l("computed: tapping (QVS)"), "people_staffing": _l("computed: staff (caplan)"),
            "roster_compliance": _l("computed: roster against realisation")}


def reading_source_labels() -> dict:
    return {"manual": _l("entered"), "import": _l("imported"), "computed": _l("computed")}

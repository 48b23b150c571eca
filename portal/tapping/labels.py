"""Labels shown on screen (translated)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l


def stage_labels() -> dict:
    return {"new": _l("waiting for validation"), "returned": _l("returned to the agent"),
            "recalled": _l("recalled, waiting for re-validation"), "valid": _l("valid"), "": "—"}


STAGE_TONE = {"new": "warn", "returned": "error", "recalled": "warn", "valid": "ok", "": "muted"}


def verdict_labels() -> dict:
    return {"VALID": "VALID", "RETURN": "RETURN"}


def answer_labels() -> dict:
    return {"Y": _l("met"), "N": _l("not met"), "NA": _l("not applicable")}


def signoff_labels() -> dict:
    return {"acknowledged": _l("acknowledged"), "disputed": _l("disputed, waiting for QA"), "upheld": _l("dispute upheld"),
            "rejected": _l("dispute rejected"), "": _l("waiting for the agent")}


SIGNOFF_TONE = {"acknowledged": "ok", "disputed": "warn", "upheld": "ok", "rejected": "muted", "": "muted"}

"""Labels shown on screen (translated)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l


def finding_kind_labels() -> dict:
    return {"indiscipline": _l("Indiscipline"), "violation": _l("Rule violation"), "late_login": _l("Late login"),
            "quality": _l("Quality finding")}

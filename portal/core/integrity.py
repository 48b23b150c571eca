"""Signed content changed behind the portal's back: noticed wherever it is shown, printed, exported or verified.

Each module recomputes the hash of the content its signatures vouch for and calls `mismatch()` when it differs:
the change is written once to the audit trail (`integrity.mismatch`, per object and per content found), so the
QMR sees it on the home page and in the audit trail, and the page, the PDF and /verify show a red warning."""
from __future__ import annotations

import json
from types import SimpleNamespace

from flask_babel import gettext as _
from sqlalchemy import select

from portal.core import audit
from portal.core.audit import AuditEvent
from portal.extensions import db

ACTION = "integrity.mismatch"
# Found by the portal itself, not by whoever happened to open the page.
PORTAL = SimpleNamespace(id=None, username="portal")


def warning() -> str:
    """The words of the red warning (page, PDF, /verify)."""
    return _("WARNING: this content differs from what was signed. It was changed outside the portal; do not rely on "
             "it and tell the QMR.")


def mismatch(obj, signed_hash: str, found_hash: str) -> str:
    """Record (once) that `obj`'s content no longer matches its signatures; returns the warning to show."""
    object_type, object_id = audit._object_ref(obj)
    seen = db.session.scalars(select(AuditEvent.new_values).where(
        AuditEvent.action == ACTION, AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)).all()
    if not any(json.loads(v or "{}").get("found") == found_hash for v in seen):
        from portal.core.unit import begin_writing

        begin_writing()
        audit.record(ACTION, obj, old={"signed": signed_hash}, new={"found": found_hash}, actor=PORTAL)
    return warning()


def count_objects() -> int:
    """How many objects have been found changed since they were signed (for the QMR's home page)."""
    from sqlalchemy import distinct, func

    return db.session.scalar(select(func.count(distinct(AuditEvent.object_type + ":" + AuditEvent.object_id)))
                             .where(AuditEvent.action == ACTION)) or 0

"""How the portal's own audit events read (the trail's export, background jobs, integrity): see core/modules.py."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.core.modules import AuditAction, AuditObject

ACTIONS = {
    "audit.exported": AuditAction(_l("Audit trail exported"), _l("%(actor)s exported the audit trail to Excel")),
    "integrity.mismatch": AuditAction(_l("Signed content changed"),
                                      _l("The portal found that the signed content of %(object)s was changed")),
    "job.failed": AuditAction(_l("Background job failed"), _l("%(object)s (%(task)s) failed")),
    "file.orphan_deleted": AuditAction(_l("Orphan file deleted"),
                                       _l("%(actor)s deleted a file no record refers to (%(path)s)")),
    "job.retried": AuditAction(_l("Background job retried"), _l("%(actor)s retried %(object)s (%(task)s)")),
}
OBJECTS = {"job": AuditObject(_l("Background job"), code=lambda value: _l("background job no. %(n)s", n=value))}

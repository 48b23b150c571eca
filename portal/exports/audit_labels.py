"""How the exports module's audit events read (sentences, object codes): see core/modules.py."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import literal, select

from portal.core.modules import AuditAction, AuditObject

ACTIONS = {
    "records.export_started": AuditAction(_l("Export started"),
                                          _l("%(actor)s started %(object)s (%(kind)s, %(records)s records)")),
    "records.exported": AuditAction(_l("Export ready"), _l("%(object)s is ready (%(kind)s, %(records)s records)")),
    "records.export_failed": AuditAction(_l("Export failed"), _l("%(object)s failed")),
    "records.export_downloaded": AuditAction(_l("Export downloaded"), _l("%(actor)s downloaded %(object)s")),
}


def _jobs(ids):
    from portal.exports.models import ExportJob

    return select(ExportJob.id, ExportJob.id, literal("")).where(ExportJob.id.in_(ids))


OBJECTS = {
    "exportjob": AuditObject(
        _l("Export"), codes=_jobs, code=lambda value: _l("export no. %(n)s", n=value), permission="records.export",
        url=lambda id, code, key: url_for("exports.show", job_id=id)),
}

"""The exports module: auditors' exports of records to Excel and PDF bundles, built in the background."""
from flask_babel import lazy_gettext as _l

from portal.exports import audit_labels
from portal.core.modules import Module, NavItem


def _blueprints():
    from portal.exports.views import bp

    return [(bp, "/records/export")]


def _setup(app):
    from portal.exports import services  # noqa: F401 (registers the background task "exports.build")


def _stored_exports():
    from sqlalchemy import select

    from portal.exports.models import ExportJob
    from portal.extensions import db

    return db.session.scalars(select(ExportJob.file_path).where(ExportJob.file_path != ""))


module = Module(name="exports", blueprints=_blueprints, setup=_setup, stored_files={"exports": lambda: _stored_exports()},
                audit_labels=audit_labels.ACTIONS, audit_objects=audit_labels.OBJECTS,
                nav=[NavItem(_l("Export"), "exports.new", "records.export", _l("Records"))])

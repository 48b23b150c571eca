"""The exports module: auditors' exports of records to Excel and PDF bundles, built in the background."""
from flask_babel import lazy_gettext as _l

from portal.exports import audit_labels
from portal.core.modules import Module, NavItem


def _blueprints():
    from portal.exports.views import bp

    return [(bp, "/records/export")]


def _setup(app):
    from portal.exports import services  # noqa: F401 (registers the background task "exports.build")


module = Module(name="exports", blueprints=_blueprints, setup=_setup,
                audit_labels=audit_labels.ACTIONS, audit_objects=audit_labels.OBJECTS,
                nav=[NavItem(_l("Export"), "exports.new", "records.export", _l("Records"))])

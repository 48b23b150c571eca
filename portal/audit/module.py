"""The audit module: the audit trail page, its Excel export and `flask audit verify`."""
from flask_babel import lazy_gettext as _l

from portal.audit import audit_labels
from portal.core.modules import Module, NavItem

READERS = {"audit.view", "audit.export"}


def _blueprints():
    from portal.audit.views import bp

    return [(bp, "/audit")]


def _inbox():
    from portal.core.inbox import providers_of

    return providers_of("portal.audit.inbox")


def _cli():
    from portal.audit.cli import audit_cli

    return [audit_cli]


module = Module(
    name="audit",
    blueprints=_blueprints,
    permissions={"audit.view": _l("Read the audit trail"), "audit.export": _l("Export the audit trail to Excel")},
    grants={"admin": READERS, "qmr": READERS, "auditor": READERS},
    nav=[NavItem(_l("Audit trail"), "audit.events", "audit.view", _l("Audit"))],
    cli=_cli,
    audit_labels=audit_labels.ACTIONS,
    audit_objects=audit_labels.OBJECTS,
    inbox=_inbox,
)

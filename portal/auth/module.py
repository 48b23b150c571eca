"""The auth module: users, roles, sites, services, sessions and sign-in (always on)."""
from flask_babel import lazy_gettext as _l

from portal.auth import audit_labels
from portal.core.modules import Module

ALL_SITES = {"scope.all_sites"}


def _blueprints():
    from portal.auth.views import bp

    return [(bp, None)]


def _demo():
    from portal.auth import demo

    return demo.load()


module = Module(
    name="auth",
    blueprints=_blueprints,
    permissions={"scope.all_sites": _l("See records of every site and service")},
    grants={"dc": ALL_SITES, "qmr": ALL_SITES, "manager": ALL_SITES, "auditor": ALL_SITES, "admin": ALL_SITES},
    demo=_demo,
    audit_labels=audit_labels.ACTIONS,
    audit_objects=audit_labels.OBJECTS,
)

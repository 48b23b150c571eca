"""The auth module: users, roles, sites, services, sessions and sign-in (always on)."""
from flask_babel import lazy_gettext as _l

from portal.auth import audit_labels
from portal.core.modules import Module

ALL_SITES = {"scope.all_sites"}
API_TOKENS = {"auth.api_tokens"}


def _blueprints():
    from portal.auth.views import bp

    return [(bp, None)]


def _demo():
    from portal.auth import demo

    return demo.load()


module = Module(
    name="auth",
    blueprints=_blueprints,
    permissions={"scope.all_sites": _l("See records of every site and service"),
                 "auth.api_tokens": _l("Create personal tokens for the JSON API (tools and reports)")},
    # The API serves reports and integrations: the people who build them hold tokens, not the floor.
    grants={"dc": ALL_SITES | API_TOKENS, "qmr": ALL_SITES | API_TOKENS, "manager": ALL_SITES | API_TOKENS,
            "auditor": ALL_SITES | API_TOKENS, "admin": ALL_SITES | API_TOKENS},
    demo=_demo,
    audit_labels=audit_labels.ACTIONS,
    audit_objects=audit_labels.OBJECTS,
)

"""The admin module: users, sites and services."""
from flask_babel import lazy_gettext as _l

from portal.core.modules import Module, NavItem


def _blueprints():
    from portal.admin.views import bp

    return [(bp, "/admin")]


module = Module(
    name="admin",
    blueprints=_blueprints,
    permissions={"users.manage": _l("Create, edit and deactivate users; reset passwords"),
                 "org.manage": _l("Manage sites and services")},
    grants={"admin": {"users.manage", "org.manage"}},
    nav=[NavItem(_l("Users"), "admin.users", "users.manage", _l("Administration")),
         NavItem(_l("Sites"), "admin.sites", "org.manage", _l("Administration")),
         NavItem(_l("Services"), "admin.services", "org.manage", _l("Administration"))],
)

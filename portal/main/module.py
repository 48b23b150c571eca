"""The main module: the home page, the health check and the language switch (always on)."""
from flask_babel import lazy_gettext as _l

from portal.core.modules import Module, NavItem


def _blueprints():
    from portal.main.views import bp

    return [(bp, None)]


module = Module(name="main", blueprints=_blueprints, nav=[NavItem(_l("Home"), "main.home")])

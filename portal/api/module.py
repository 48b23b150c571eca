"""The api module: the read-only JSON API and its OpenAPI document."""
from portal.core.modules import Module


def _blueprints():
    from portal.api.views import bp

    return [(bp, "/api")]


module = Module(name="api", blueprints=_blueprints)

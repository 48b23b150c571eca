"""The printing module: printouts, their tokens and QR codes, and the public /verify/<token> page."""
from portal.core.modules import Module


def _blueprints():
    from portal.printing.views import bp

    return [(bp, None)]


module = Module(name="printing", blueprints=_blueprints)

"""The printing module: printouts, their tokens and QR codes, and the public /verify/<token> page."""
from portal.core.modules import Module
from portal.printing import audit_labels


def _blueprints():
    from portal.printing.views import bp

    return [(bp, None)]


module = Module(name="printing", blueprints=_blueprints, audit_labels=audit_labels.ACTIONS,
                audit_objects=audit_labels.OBJECTS)

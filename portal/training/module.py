"""The training module (issue 11; coaching and discipline are the coaching module): courses as data, sessions with
an attendance and score grid signed by the trainer, certificates, the training matrix tied to the SOPs in force,
the competence gate (with a supervisor's override) and the hand-off from a hire in the people module.

Who sees whom (permissions.py): trainers and HR every person's training; readers the people module's scope (a TL
their team, a supervisor their site); a person their own."""
from flask_babel import lazy_gettext as _l

from portal.core.modules import Module, NavItem
from portal.training import audit_labels

SECTION = _l("Training")
READERS = {"training.read"}


def _blueprints():
    from portal.training.views import bp

    return [(bp, "/training")]


def _inbox():
    from portal.core.inbox import providers_of

    return providers_of("portal.training.inbox")


def _demo():
    from portal.training import demo

    return demo.load()


def _setup(app):
    from portal.people import recruitment
    from portal.training import gate, paper, sections

    paper.register_kinds()
    sections.register()
    if gate.on_hire not in recruitment.on_hire:
        recruitment.on_hire.append(gate.on_hire)
    from portal.people import services as people

    if gate.service_check not in people.service_checks:
        people.service_checks.append(gate.service_check)




module = Module(
    name="training",
    blueprints=_blueprints,
    permissions={
        "training.read": _l("See courses, sessions, the training matrix and the competence gate of one's scope"),
        "training.manage": _l("Manage courses and sessions, record attendance and scores, sign results"),
        "training.override": _l("Override the competence gate for a person, with a reason"),
        "training.mark": _l("Mark SOP revisions as needing training"),
    },
    grants={
        "trainer": READERS | {"training.manage"},
        "hr": READERS | {"training.manage"},
        "tl": READERS, "spv": READERS | {"training.override"}, "manager": READERS, "auditor": READERS,
        "dc": {"training.mark"}, "qmr": {"training.mark"},
    },
    nav=[
        NavItem(_l("Training sessions"), "training.index", "training.read", SECTION),
        NavItem(_l("Courses"), "training.courses", "training.read", SECTION),
        NavItem(_l("Training matrix"), "training.matrix", "training.read", SECTION),
        NavItem(_l("Competence gate"), "training.gate", "training.read", SECTION),
        NavItem(_l("SOP revisions needing training"), "training.revisions", "training.mark", SECTION),
    ],
    inbox=_inbox,
    audit_labels=audit_labels.ACTIONS,
    audit_objects=audit_labels.OBJECTS,
    demo=_demo,
    setup=_setup,
)

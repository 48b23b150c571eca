"""The training and coaching module (issue 11): courses as data, sessions with an attendance and score grid signed
by the trainer, certificates, the training matrix tied to the SOPs in force, the competence gate; coaching and
discipline ("pembinaan", MNOP-01 §4.1.4, F-03) with findings, coaching sessions and warning levels.

Who sees whom (permissions.py): trainers and HR every person's training; readers the people module's scope (a TL
their team, a supervisor their site); a person their own. Coaching: a person their own and nothing else; a TL
their team; a supervisor, QCO or QA their site; HR and managers everyone."""
from flask_babel import lazy_gettext as _l

from portal.core.modules import Module, NavItem

SECTION = _l("Training")
READERS = {"training.read"}


def _blueprints():
    from portal.training.coaching_views import bp as coaching_bp
    from portal.training.views import bp

    return [(bp, "/training"), (coaching_bp, "/coaching")]


def _inbox():
    from portal.core.inbox import providers_of

    return providers_of("portal.training.inbox")


def _demo():
    from portal.training import demo

    return demo.load()


def _setup(app):
    from portal.people import recruitment
    from portal.training import coaching, gate, paper, sections

    paper.register_kinds()
    sections.register()
    if gate.on_hire not in recruitment.on_hire:
        recruitment.on_hire.append(gate.on_hire)
    if coaching.under_coaching not in recruitment.coaching_checks:
        recruitment.coaching_checks.append(coaching.under_coaching)


module = Module(
    name="training",
    blueprints=_blueprints,
    permissions={
        "training.read": _l("See courses, sessions, the training matrix and the competence gate of one's scope"),
        "training.manage": _l("Manage courses and sessions, record attendance and scores, sign results"),
        "training.override": _l("Override the competence gate for a person, with a reason"),
        "training.mark": _l("Mark SOP revisions as needing training"),
        "coaching.self": _l("See one's own findings, coaching sessions and warnings"),
        "coaching.raise": _l("Raise findings and record coaching sessions"),
        "coaching.site": _l("See the coaching records of one's site"),
        "coaching.all": _l("See the coaching records of everyone"),
        "coaching.warn": _l("Issue warnings (the level says which roles may)"),
        "coaching.decide": _l("Decide escalation proposals"),
    },
    grants={
        "trainer": READERS | {"training.manage", "coaching.self"},
        "hr": READERS | {"training.manage", "coaching.self", "coaching.all"},
        "tl": READERS | {"coaching.self", "coaching.raise", "coaching.warn"},
        "spv": READERS | {"training.override", "coaching.self", "coaching.raise", "coaching.warn", "coaching.decide"},
        "manager": READERS | {"coaching.self", "coaching.all", "coaching.warn", "coaching.decide"},
        "auditor": READERS,
        "qco": {"coaching.self", "coaching.raise", "coaching.site"},
        "qa": {"coaching.self", "coaching.raise", "coaching.site"},
        "agent": {"coaching.self"},
        "dc": {"training.mark"}, "qmr": {"training.mark"},
    },
    nav=[
        NavItem(_l("Training sessions"), "training.index", "training.read", SECTION),
        NavItem(_l("Courses"), "training.courses", "training.read", SECTION),
        NavItem(_l("Training matrix"), "training.matrix", "training.read", SECTION),
        NavItem(_l("Competence gate"), "training.gate", "training.read", SECTION),
        NavItem(_l("SOP revisions needing training"), "training.revisions", "training.mark", SECTION),
        NavItem(_l("Coaching"), "coaching.index", "coaching.self", SECTION),
    ],
    inbox=_inbox,
    audit_labels={
        "training_course.created": _l("A training course was created"),
        "training_course.updated": _l("A training course was changed"),
        "training_session.created": _l("A training session was created"),
        "training_session.attendees_added": _l("Attendees were added to a training session"),
        "training_session.attendee_removed": _l("An attendee was removed from a training session"),
        "training_attendee.updated": _l("Attendance, score or remarks of an attendee were recorded"),
        "training_session.signed": _l("The trainer signed a session's result"),
        "training_session.signature_refused": _l("A signature of a session's result was refused (wrong password)"),
        "training_session.amended": _l("A signed session's result was reopened for an amendment"),
        "training_certificate.printed": _l("A training certificate was printed"),
        "training_gate.overridden": _l("The competence gate was overridden for a person"),
        "training_revision.marked": _l("An SOP revision was marked as needing training"),
        "training_revision.unmarked": _l("An SOP revision no longer needs training"),
        "training.initial_due": _l("A new hire's initial training was started"),
        "finding.raised": _l("A finding was raised against a person"),
        "finding.responded": _l("The response to a finding was recorded"),
        "coaching_session.recorded": _l("A coaching session was recorded"),
        "coaching_session.acknowledged": _l("The coached person acknowledged a coaching session"),
        "warning.issued": _l("A warning was signed and issued"),
        "warning.signature_refused": _l("A warning's signature was refused (wrong password)"),
        "warning.printed": _l("A warning letter was printed"),
    },
    demo=_demo,
    setup=_setup,
)

"""The coaching module (issue 11): coaching and discipline ("pembinaan", MNOP-01 §4.1.4; form IN.OCC.TELK.F-03;
procedure IN.OCC.TELK.P-10 steps 13, 16, 18): findings, coaching sessions acknowledged by the person, warnings
(teguran lisan, SP1-SP3) with their validity as data, signed electronically and printable, escalation rules as data;
"under coaching" read by the people module's screening.

Who sees whom (permissions.py): a person their own records and nothing else; a TL their team; a supervisor, QCO or
QA their site; HR and managers everyone."""
from flask_babel import lazy_gettext as _l

from portal.core.modules import Module, NavItem
from portal.coaching import audit_labels

SECTION = _l("Training")


def _blueprints():
    from portal.coaching.views import bp

    return [(bp, "/coaching")]


def _inbox():
    from portal.core.inbox import providers_of

    return providers_of("portal.coaching.inbox")


def _demo():
    from portal.coaching import demo

    return demo.load()


def _cli():
    from portal.coaching.cli import coaching_cli

    return [coaching_cli]


def _stored_evidence():
    from sqlalchemy import select

    from portal.coaching.models import Finding
    from portal.extensions import db

    return db.session.scalars(select(Finding.evidence_file_path).where(Finding.evidence_file_path != ""))


def _setup(app):
    from portal.coaching import paper, sections
    from portal.coaching import services as coaching
    from portal.people import recruitment

    paper.register_kinds()
    sections.register()
    if coaching.under_coaching not in recruitment.coaching_checks:
        recruitment.coaching_checks.append(coaching.under_coaching)




module = Module(
    name="coaching",
    blueprints=_blueprints,
    permissions={
        "coaching.self": _l("See one's own findings, coaching sessions and warnings"),
        "coaching.raise": _l("Raise findings and record coaching sessions"),
        "coaching.site": _l("See the coaching records of one's site"),
        "coaching.all": _l("See the coaching records of everyone"),
        "coaching.warn": _l("Issue warnings (the level says which roles may)"),
        "coaching.decide": _l("Decide escalation proposals"),
    },
    grants={
        "agent": {"coaching.self"}, "trainer": {"coaching.self"},
        "hr": {"coaching.self", "coaching.all"},
        "tl": {"coaching.self", "coaching.raise", "coaching.warn"},
        "spv": {"coaching.self", "coaching.raise", "coaching.warn", "coaching.decide"},
        "manager": {"coaching.self", "coaching.all", "coaching.warn", "coaching.decide"},
        "qco": {"coaching.self", "coaching.raise", "coaching.site"},
        "qa": {"coaching.self", "coaching.raise", "coaching.site"},
    },
    nav=[
        NavItem(_l("Coaching"), "coaching.index", "coaching.self", SECTION),
        NavItem(_l("Escalation proposals"), "coaching.proposals", "coaching.decide", SECTION),
    ],
    inbox=_inbox,
    audit_labels=audit_labels.ACTIONS,
    audit_objects=audit_labels.OBJECTS,
    demo=_demo,
    cli=_cli,
    setup=_setup,
    stored_files={"findings": lambda: _stored_evidence()},
)

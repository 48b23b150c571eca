"""The tapping module (issue 13): call quality. Outbound call results arrive by Excel/CSV import or manual entry;
QCOs validate every AGREE call (VALID / RETURN with the assessment parameters of the standard in force); a RETURN goes
back to the agent, who records the recall, and the call returns to the worklist; the Quality Validation Score per
month, agent, team, site and service against its target, as a dashboard, Excel, PDF and JSON. Inbound calls (147,
108, social media) sampled by a QCO are scored against the scorecard of their standard (S-03, S-01, S-11: weighted
parameters in sections, critical items that fail the call); QA runs calibration rounds on one call; agents acknowledge
or dispute each result and QA decides the disputes.

Who sees which calls (permissions.py): an agent their own; a team leader their teams'; a supervisor or QCO their
site's; QA, managers and auditors every call. Customer numbers are masked everywhere but for the assigned QCO."""
from flask_babel import lazy_gettext as _l

from portal.core.modules import Module, NavItem
from portal.tapping import audit_labels

SECTION = _l("Call quality")
SELF = {"tapping.self"}
READ = SELF | {"tapping.read"}


def _blueprints():
    from portal.tapping import inbound_views  # noqa: F401 (adds the inbound pages to the blueprint)
    from portal.tapping.views import bp

    return [(bp, "/tapping")]


def _inbox():
    from portal.core.inbox import providers_of

    return providers_of("portal.tapping.inbox")


def _demo():
    from portal.tapping import demo

    return demo.load()


def _cli():
    from portal.tapping.cli import tapping_cli

    return [tapping_cli]


def _setup(app):
    from portal.tapping import paper, sections

    paper.register_kinds()
    sections.register()


module = Module(
    name="tapping",
    blueprints=_blueprints,
    permissions={
        "tapping.self": _l("See one's own call results and record the recall of a returned call"),
        "tapping.read": _l("See the call results and the Quality Validation Score of one's scope"),
        "tapping.site": _l("See the call results of one's whole site"),
        "tapping.all": _l("See the call results of every site"),
        "tapping.validate": _l("Validate AGREE calls (VALID / RETURN)"),
        "tapping.assign": _l("Assign calls to QCOs"),
        "tapping.import": _l("Import and enter call results"),
        "tapping.parameters": _l("Add the assessment parameters of a new revision of the standard"),
        "tapping.score": _l("Sample inbound calls and score them against their standard's scorecard"),
        "tapping.calibration": _l("See the calibration rounds and where the scorers disagree"),
        "tapping.calibrate": _l("Open and close calibration rounds"),
        "tapping.disputes": _l("Decide the agents' disputes of their results"),
    },
    grants={
        "agent": SELF,
        "tl": READ,
        "spv": READ | {"tapping.site", "tapping.assign"},
        "qco": READ | {"tapping.site", "tapping.validate", "tapping.import", "tapping.score", "tapping.calibration"},
        "qa": READ | {"tapping.all", "tapping.validate", "tapping.assign", "tapping.import", "tapping.parameters",
                      "tapping.score", "tapping.calibration", "tapping.calibrate", "tapping.disputes"},
        "manager": READ | {"tapping.all", "tapping.calibration"},
        "auditor": READ | {"tapping.all", "tapping.calibration"},
    },
    nav=[
        NavItem(_l("My call results"), "tapping.mine", "tapping.self", SECTION),
        NavItem(_l("Tapping worklist"), "tapping.index", "tapping.read", SECTION),
        NavItem(_l("Quality Validation Score"), "tapping.qvs", "tapping.read", SECTION),
        NavItem(_l("Inbound scores"), "tapping.scores", "tapping.read", SECTION),
        NavItem(_l("Calibration"), "tapping.calibrations", "tapping.calibration", SECTION),
        NavItem(_l("Disputed results"), "tapping.disputes", "tapping.disputes", SECTION),
        NavItem(_l("Import call results"), "tapping.import_calls", "tapping.import", SECTION),
    ],
    inbox=_inbox,
    audit_labels=audit_labels.ACTIONS,
    audit_objects=audit_labels.OBJECTS,
    demo=_demo,
    cli=_cli,
    setup=_setup,
)

"""The people module: staff, teams with their dated history, positions with their requirements (MNOP-01 §2.1),
employment contracts and their extensions (§4.1.6), the staff import from Excel.

Who sees whom (permissions.py): HR (people.manage) every person; a holder of people.read with scope.all_sites
(manager, auditor) every person; a supervisor the staff of their site; a team leader the members of the teams
they lead; everyone their own page. Personal data (birth date, identity number, phone, address) only HR, the
person's manager chain (team leader, supervisor of the site, manager) and the person."""
from flask_babel import lazy_gettext as _l

from portal.people import audit_labels
from portal.core.modules import Module, NavItem

SECTION = _l("People")
SELF = {"people.self"}
READ = SELF | {"people.read"}
CHAIN = READ | {"people.personal"}


def _blueprints():
    from portal.people import recruitment_views  # noqa: F401 (adds the recruitment pages to the blueprint)
    from portal.people.views import bp

    return [(bp, "/people")]


def _inbox():
    from portal.core.inbox import providers_of

    return providers_of("portal.people.inbox")


def _demo():
    from portal.people import demo

    return demo.load()


def _cli():
    from portal.people.cli import people_cli

    return [people_cli]


def _setup(app):
    from portal.people import paper  # noqa: F401 (registers the staffing report's PDF renderer)
    from portal.people import sections, tasks  # noqa: F401 (tasks registers the daily end of expired contracts)

    sections.register_own()


module = Module(
    name="people",
    blueprints=_blueprints,
    audit_labels=audit_labels.ACTIONS,
    audit_objects=audit_labels.OBJECTS,
    permissions={
        "people.self": _l("See one's own staff page"),
        "people.read": _l("See the staff and teams of one's scope"),
        "people.site": _l("See the staff and teams of one's whole site"),
        "people.personal": _l("See the personal data of the staff one manages"),
        "people.manage": _l("Manage staff, teams and employment contracts, import staff"),
        "people.recruit": _l("Recruit: openings, candidates and their documents, screening, hiring"),
        "people.evaluate": _l("Evaluate a contract before its end and recommend its extension"),
        "people.approve_extension": _l("Decide contract extensions with an electronic signature"),
        "people.extensions": _l("See the contract evaluations waiting for a decision"),
        "people.kpi": _l("See the staffing KPI (Pemenuhan Jumlah SDM)"),
        "people.plan": _l("Enter the capacity plan (caplan)"),
    },
    grants={
        "tl": CHAIN, "spv": CHAIN | {"people.site", "people.kpi", "people.evaluate", "people.extensions"},
        "manager": CHAIN | {"people.kpi", "people.plan", "people.approve_extension", "people.extensions"},
        "hr": CHAIN | {"people.manage", "people.recruit", "people.kpi", "people.plan", "people.evaluate", "people.extensions"},
        "auditor": {"people.read", "people.kpi"},
        "agent": SELF, "qco": SELF, "qa": SELF, "trainer": SELF,
    },
    nav=[
        NavItem(_l("My staff page"), "people.me", "people.self", SECTION),
        NavItem(_l("Staff"), "people.index", "people.read", SECTION),
        NavItem(_l("Teams"), "people.teams", "people.read", SECTION),
        NavItem(_l("Positions"), "people.positions", "people.read", SECTION),
        NavItem(_l("Recruitment"), "people.openings", "people.recruit", SECTION),
        NavItem(_l("Contract extensions"), "people.extensions", "people.extensions", SECTION),
        NavItem(_l("Staffing KPI"), "people.staffing_report", "people.kpi", SECTION),
        NavItem(_l("Capacity plan"), "people.caplan", "people.plan", SECTION),
    ],
    inbox=_inbox,
    demo=_demo,
    cli=_cli,
    setup=_setup,
)

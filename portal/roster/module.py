"""The roster and attendance module (issue 12): shifts and operating hours per service as data, a team's month
grid planned by the team leader and published (signed) by the supervisor, changes after publishing with a reason,
check-in and check-out, absences, today's floor, and the roster against realisation (F-02, IN.OCC.TELK.P-10.R12)
with its compliance. The working-day calendar it uses for HK+3 lives in core (core/workdays.py).

Who sees whom (permissions.py): a person their own shifts; a team leader the teams they lead; a supervisor the teams
of their site; HR, managers and auditors every team."""
from flask_babel import lazy_gettext as _l

from portal.core.modules import Module, NavItem
from portal.roster import audit_labels

SECTION = _l("Roster and attendance")


def _blueprints():
    from portal.roster.views import bp

    return [(bp, "/roster")]


def _inbox():
    from portal.core.inbox import providers_of

    return providers_of("portal.roster.inbox")


def _demo():
    from portal.roster import demo

    return demo.load()


def _setup(app):
    from portal.roster import sections

    sections.register()


STAFFED = {"roster.self"}
module = Module(
    name="roster",
    blueprints=_blueprints,
    permissions={
        "roster.self": _l("See one's own roster; check in and check out"),
        "roster.team": _l("See the rosters of one's teams"),
        "roster.site": _l("See and plan the rosters of one's site"),
        "roster.all": _l("See the rosters of every team"),
        "roster.plan": _l("Plan the roster of one's teams"),
        "roster.publish": _l("Sign and publish the roster of one's site"),
        "roster.attendance": _l("Record the attendance of one's teams"),
        "roster.floor": _l("See today's floor"),
        "roster.setup": _l("Manage the shifts, operating hours and tolerance of the services"),
        "calendar.manage": _l("Manage the company's days off"),
    },
    grants={
        "agent": STAFFED, "qco": STAFFED, "qa": STAFFED, "trainer": STAFFED,
        "tl": STAFFED | {"roster.team", "roster.plan", "roster.attendance", "roster.floor"},
        "spv": STAFFED | {"roster.team", "roster.site", "roster.plan", "roster.publish", "roster.attendance", "roster.floor"},
        "manager": STAFFED | {"roster.team", "roster.all", "roster.floor", "roster.setup"},
        "hr": STAFFED | {"roster.team", "roster.all", "calendar.manage"},
        "auditor": {"roster.team", "roster.all"},
        "admin": {"roster.setup", "calendar.manage"},
    },
    nav=[
        NavItem(_l("My roster"), "roster.me", "roster.self", SECTION),
        NavItem(_l("Team rosters"), "roster.index", "roster.team", SECTION),
        NavItem(_l("Today's floor"), "roster.today", "roster.floor", SECTION),
        NavItem(_l("Shifts and hours"), "roster.shifts", "roster.setup", SECTION),
        NavItem(_l("Company days off"), "roster.days_off", "calendar.manage", SECTION),
    ],
    inbox=_inbox,
    audit_labels=audit_labels.ACTIONS,
    audit_objects=audit_labels.OBJECTS,
    demo=_demo,
    setup=_setup,
)

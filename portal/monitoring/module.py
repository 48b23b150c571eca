"""The monitoring module (issue 14, first half): KPI definitions per service as data, readings (entered, imported
from the contact-center system's CSV export, or computed from the tapping, people and roster modules), the monitoring
page against target with trend charts, recovery plans (P-10 steps 9-20), the desk control's end-of-shift report
(step 11) and the supervisor's daily analysis F-05 (a record of the records module, due HK+3).

Roles: the desk control is a team leader on desk-control duty (P-10 6.1), so team leaders enter and import readings,
propose and distribute recovery plans and print the end-of-shift report; supervisors do the same and approve plans,
compute the portal's KPIs and write the F-05; managers, QA, the QMR and auditors read every service."""
from flask_babel import lazy_gettext as _l

from portal.core.modules import Module, NavItem
from portal.monitoring import audit_labels

SECTION = _l("Performance monitoring")
READ = {"monitoring.read"}
DESK = READ | {"monitoring.enter", "monitoring.plan"}


def _blueprints():
    from portal.monitoring.views import bp

    return [(bp, "/monitoring")]


def _inbox():
    from portal.core.inbox import providers_of

    return providers_of("portal.monitoring.inbox")


def _demo():
    from portal.monitoring import demo

    return demo.load()


def _setup(app):
    from portal.monitoring import capa_link

    capa_link.register(app)


def _cli():
    from portal.monitoring.cli import monitoring_cli

    return [monitoring_cli]


module = Module(
    name="monitoring",
    blueprints=_blueprints,
    permissions={
        "monitoring.read": _l("See the KPIs of one's services against target, and their recovery plans"),
        "monitoring.all": _l("See the KPIs of every service"),
        "monitoring.enter": _l("Enter and import KPI readings; print the end-of-shift report"),
        "monitoring.compute": _l("Compute the KPIs the portal owns (QVS, staffing, roster compliance)"),
        "monitoring.plan": _l("Propose, distribute and close recovery plans"),
        "monitoring.approve": _l("Approve recovery plans"),
        "monitoring.analysis": _l("Write the supervisor's daily analysis (F-05)"),
        "monitoring.setup": _l("Change the KPI definitions (targets, direction, owner)"),
    },
    grants={
        "tl": DESK,
        "spv": DESK | {"monitoring.compute", "monitoring.approve", "monitoring.analysis"},
        "manager": READ | {"monitoring.all", "monitoring.compute", "monitoring.setup"},
        "qa": READ | {"monitoring.all"},
        "qmr": READ | {"monitoring.all"},
        "auditor": READ | {"monitoring.all"},
    },
    nav=[
        NavItem(_l("KPI monitoring"), "monitoring.index", "monitoring.read", SECTION),
        NavItem(_l("Recovery plans"), "monitoring.plans", "monitoring.read", SECTION),
        NavItem(_l("KPI definitions"), "monitoring.kpis", "monitoring.read", SECTION),
        NavItem(_l("Import KPI readings"), "monitoring.import_readings", "monitoring.enter", SECTION),
        NavItem(_l("End-of-shift report"), "monitoring.shift_report", "monitoring.enter", SECTION),
        NavItem(_l("Daily analysis (F-05)"), "monitoring.analyses", "monitoring.read", SECTION),
    ],
    inbox=_inbox,
    audit_labels=audit_labels.ACTIONS,
    audit_objects=audit_labels.OBJECTS,
    demo=_demo,
    cli=_cli,
    setup=_setup,
)

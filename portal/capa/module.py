"""The capa module (issue 14, ISO 9001:2015 8.7 and 10.2): the register of nonconformities (/capa) with where they were
found, containment and correction, root cause (5-why, fishbone), corrective actions with owners, evidence and links,
the effectiveness gate, trends, the register as Excel and PDF, the NC report on paper, and the ISO clause evidence
packs (/capa/evidence). Other modules plug into the closed loop through capa/links.py (sources and criteria).

Who may do what: permissions.py."""

from flask_babel import lazy_gettext as _l

from portal.capa import audit_labels
from portal.core.modules import Module, NavItem

SECTION = _l("Nonconformity")
READ = {"capa.read"}
OWNER = READ | {"capa.raise", "capa.act"}
MANAGER = OWNER | {"capa.manage", "capa.verify"}


def _blueprints():
    from portal.capa.views import bp

    return [(bp, "/capa")]


def _inbox():
    from portal.core.inbox import providers_of

    return providers_of("portal.capa.inbox")


def _demo():
    from portal.capa import demo

    return demo.load()


def _setup(app):
    from portal.capa import evidence, paper, sources  # noqa: F401 (evidence registers its background task)
    from portal.core import jobs

    paper.register_kinds()
    sources.register(app)
    jobs.schedule("capa.read_checks", "capa.read_checks", daily_at="06:00")


def _stored():
    from sqlalchemy import select

    from portal.capa.models import Attachment
    from portal.extensions import db

    return db.session.scalars(select(Attachment.file_path))


def _stored_packs():
    from sqlalchemy import select

    from portal.capa.models import EvidencePack
    from portal.extensions import db

    return db.session.scalars(select(EvidencePack.file_path).where(EvidencePack.file_path != ""))


module = Module(
    name="capa",
    blueprints=_blueprints,
    permissions={
        "capa.read": _l("Read the register of nonconformities and corrective actions"),
        "capa.raise": _l("Raise a nonconformity"),
        "capa.act": _l("Own corrective actions"),
        "capa.manage": _l("Manage the register: root cause, actions, the effectiveness check"),
        "capa.verify": _l("Record the effectiveness check of corrective actions"),
        "capa.evidence": _l("Build ISO clause evidence packs"),
    },
    grants={
        "tl": OWNER, "spv": OWNER,
        "qa": MANAGER, "qmr": MANAGER | {"capa.evidence"},
        "manager": READ,
        "auditor": READ | {"capa.evidence"},
    },
    nav=[
        NavItem(_l("Nonconformities"), "capa.index", "capa.read", SECTION),
        NavItem(_l("Nonconformity trends"), "capa.trends", "capa.read", SECTION),
        NavItem(_l("ISO evidence pack"), "capa.evidence", "capa.evidence", SECTION),
    ],
    inbox=_inbox,
    audit_labels=audit_labels.ACTIONS,
    audit_objects=audit_labels.OBJECTS,
    demo=_demo,
    setup=_setup,
    stored_files={"capa": _stored, "capa-packs": _stored_packs},
)

"""The records module: online forms, records with signatures, retention, disposal and client contracts."""
from flask_babel import lazy_gettext as _l

from portal.records import audit_labels
from portal.core.modules import Module, NavItem

SECTION = _l("Records")
FILL = {"records.fill", "records.read"}


def _blueprints():
    from portal.records.views import bp

    return [(bp, "/records")]


def _inbox():
    from portal.core.inbox import providers_of

    return providers_of("portal.records.inbox")


def _demo():
    from portal.records import demo

    return demo.load()


def _integrity():
    from portal.records.services import check_all_signed

    return check_all_signed()


def _stored_archives():
    from sqlalchemy import select

    from portal.extensions import db
    from portal.records.models import RecordVersion

    return db.session.scalars(select(RecordVersion.pdf_path).where(RecordVersion.pdf_path != ""))


def _setup(app):
    from portal.documents import meta
    from portal.printing import services as printing
    from portal.records import catalogue, paper
    from portal.records import schema as schemas

    printing.register_kind(paper.KIND, paper.verify_record)
    from portal.records.labels import badge_maker

    app.jinja_env.globals["record_badge_maker"] = badge_maker
    from portal.records.models import record_number

    app.jinja_env.filters["record_number"] = record_number
    # Forms (F) carry their field schema in the revision, edited as text in the revision editor.
    meta.register(meta.MetaField(
        "F", "form_schema", parse=schemas.parse_schema,
        text=lambda value, code: schemas.schema_text(value) if value else catalogue.text_for(code)))


module = Module(
    name="records",
    blueprints=_blueprints,
    permissions={
        "records.fill": _l("Fill forms online and submit records"),
        "records.read": _l("Read the records of one's site and services"),
        "records.approve": _l("Approve or return submitted records"),
        "records.export": _l("Export records to Excel and PDF bundles"),
        "records.hold": _l("Place and lift legal holds on records"),
        "records.dispose": _l("Approve the disposal of records past retention"),
        "records.manage": _l("Manage client contracts (retention \"Selama PKS\")"),
    },
    grants={
        "tl": FILL, "qco": FILL, "trainer": FILL, "hr": FILL, "qa": FILL,
        "spv": FILL | {"records.approve"},
        "dc": {"records.read", "records.export", "records.manage"},
        "qmr": {"records.read", "records.export", "records.hold", "records.dispose", "records.manage"},
        "manager": {"records.read", "records.approve", "records.export"},
        "auditor": {"records.read", "records.export"},
    },
    nav=[
        NavItem(_l("Records"), "records.index", "records.read", SECTION),
        NavItem(_l("Disposal"), "records.disposal", "records.dispose", SECTION),
        NavItem(_l("Contracts (PKS)"), "records.contracts", "records.manage", SECTION),
    ],
    inbox=_inbox,
    audit_labels=audit_labels.ACTIONS,
    audit_objects=audit_labels.OBJECTS,
    demo=_demo,
    setup=_setup,
    integrity_check=_integrity,
    stored_files={"records": lambda: _stored_archives()},
)

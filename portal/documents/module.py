"""The documents module: the register of controlled documents (ISO 9001 clause 7.5), paper and copies."""
from flask_babel import lazy_gettext as _l

from portal.documents import audit_labels
from portal.core.modules import Module, NavItem

SECTION = _l("Documents")
READ = {"documents.read"}
EVERY_ROLE = ("agent", "tl", "spv", "qco", "qa", "trainer", "hr", "dc", "qmr", "manager", "auditor", "admin")


def _blueprints():
    from portal.documents import import_views  # noqa: F401 (adds the import pages to the blueprint)
    from portal.documents.views import bp

    return [(bp, "/documents")]


def _inbox():
    from portal.core.inbox import providers_of

    return providers_of("portal.documents.inbox")


def _cli():
    from portal.documents.cli import documents_cli

    return [documents_cli]


def _demo():
    from portal.documents import demo

    return demo.load()


def _integrity():
    from portal.documents.services import check_all_signed

    return check_all_signed()


def _stored_originals():
    from sqlalchemy import select

    from portal.documents.models import Revision
    from portal.extensions import db

    from portal.documents import pending

    kept = list(db.session.scalars(select(Revision.file_path).where(Revision.file_path != "").distinct()))
    return kept + list(pending.stored_originals())  # the originals of files waiting for review too


def _setup(app):
    from portal.documents import paper, tasks  # noqa: F401 (tasks registers the background tasks and schedules)
    from portal.printing import services as printing

    printing.register_kind(paper.KIND, paper.verify_document)
    from portal.documents.blocks import section_blocks

    app.jinja_env.globals["section_blocks"] = section_blocks


grants = {role: set(READ) for role in EVERY_ROLE}
grants["spv"] |= {"documents.check"}
grants["qa"] |= {"documents.check"}
grants["dc"] |= {"documents.import", "documents.draft", "documents.manage", "documents.review", "documents.reports", "documents.copies"}
grants["qmr"] |= {"documents.import", "documents.check", "documents.approve", "documents.manage", "documents.review", "documents.reports",
                  "documents.copies"}
grants["manager"] |= {"documents.check", "documents.approve", "documents.reports"}
grants["auditor"] |= {"documents.reports"}

module = Module(
    name="documents",
    blueprints=_blueprints,
    permissions={
        "documents.read": _l("Read controlled documents"),
        "documents.draft": _l("Register documents, draft and submit revisions"),
        "documents.check": _l("Check submitted revisions"),
        "documents.approve": _l("Approve checked revisions"),
        "documents.manage": _l("Withdraw documents, decide change requests"),
        "documents.review": _l("Record periodic reviews of documents"),
        "documents.reports": _l("See who has read what; export the master list"),
        "documents.copies": _l("Register controlled copies and confirm their withdrawal"),
        "documents.import": _l("Import document files: check what was read, accept it into the register or reject it"),
    },
    grants=grants,
    nav=[
        NavItem(_l("Document register"), "documents.register", "documents.read", SECTION),
        NavItem(_l("Master list"), "documents.master", "documents.read", SECTION),
        NavItem(_l("Signatures"), "documents.work", ("documents.draft", "documents.check", "documents.approve"), SECTION),
        NavItem(_l("Change requests"), "documents.change_requests", "documents.manage", SECTION),
        NavItem(_l("Periodic reviews"), "documents.reviews", "documents.review", SECTION),
        NavItem(_l("Copies to withdraw"), "documents.withdrawals", "documents.copies", SECTION),
        NavItem(_l("Import documents"), "documents.imports", "documents.import", SECTION),
    ],
    inbox=_inbox,
    audit_labels=audit_labels.ACTIONS,
    audit_objects=audit_labels.OBJECTS,
    cli=_cli,
    demo=_demo,
    setup=_setup,
    integrity_check=_integrity,
    stored_files={"originals": lambda: _stored_originals()},
)

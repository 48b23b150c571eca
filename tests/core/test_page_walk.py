"""Every page as every role, counting SQL statements: a page costs the same with the demo data and with thousands
more rows, and stays within its statement budget. New modules are walked automatically (every GET route of the URL
map is visited; routes with parameters get them from the demo data below).

Not a timing test: it counts statements, which do not depend on the machine."""
from __future__ import annotations

import os
import re

import pytest
from flask_migrate import upgrade
from sqlalchemy import event, select

from portal import create_app
from portal.extensions import db
from tests.conftest import database_url, drop_database
from tests.conftest import test_config as _test_config

ROLES = ["agent", "tl", "spv", "qco", "qa", "trainer", "hr", "dc", "qmr", "manager", "auditor", "admin"]
BUDGET = 8  # statements per page, whatever the role and however many rows
# Pages whose cost is known to be over the budget today (still held constant as the rows grow): each entry is a
# debt with its current ceiling, to be paid down to BUDGET (issue "Speed at the shift change").
OVER_BUDGET: dict[str, int] = {}
# Files and downloads: rendered by WeasyPrint/openpyxl; walked by their own tests.
SKIP_ENDPOINTS = {"static", "people.staffing_pdf", "people.contract_document", "documents.current_pdf", "documents.revision_pdf", "documents.copy_pdf", "documents.master_pdf",
                  "documents.master_xlsx", "documents.reading_xlsx", "documents.original", "records.pdf",
                  "records.archived_pdf", "records.disposal_pdf", "audit.export", "exports.download", "main.healthz", "main.favicon",
                  "auth.login", "documents.import_original", "documents.import_page", "people.candidate_document", "training.certificate",
                  "training.matrix_xlsx", "training.grid_template", "coaching.warning_pdf",
                  "coaching.finding_evidence", "roster.grid_xlsx", "roster.grid_pdf",
                   "tapping.qvs_xlsx", "tapping.qvs_pdf", "tapping.import_template", "tapping.scores_xlsx",
                   "tapping.scores_pdf", "tapping.validations_xlsx",
                   "capa.attachment", "capa.report_pdf", "capa.register_xlsx", "capa.register_pdf", "capa.pack_download",
                   "monitoring.import_template", "monitoring.shift_report_pdf"}
MORE_DOCUMENTS, MORE_RECORDS, MORE_STAFF = 600, 1500, 3000
MORE_IMPORTS = 400  # pending imports, waiting and decided
MORE_CALLS = 20000
MORE_INBOUND = 3000
MORE_NCS = 2000
MORE_READING_DAYS = 30  # 30-minute interval readings of every interval KPI of the six services
DEMO_RECORDS_MAX = 100  # the demo loads a handful of records; the grown ones come after


TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)


class StatementCounter:
    """Counts the statements a request sends (transaction control such as SQLite's explicit BEGIN left out, so
    both databases count alike)."""

    def __init__(self, engine):
        self.count = 0
        self.engine = engine
        event.listen(engine, "before_cursor_execute", self._on)

    def _on(self, conn, cursor, statement, *args):
        if not TRANSACTION_CONTROL.match(statement):
            self.count += 1

    def close(self):
        event.remove(self.engine, "before_cursor_execute", self._on)


@pytest.fixture(scope="module")
def walk_app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("walk")
    previous = os.environ.get("PORTAL_INSTANCE")
    os.environ["PORTAL_INSTANCE"] = str(tmp / "instance")
    app = create_app({**_test_config(database_url(tmp, "walk"), tmp), "WTF_CSRF_ENABLED": False, "LOG_LEVEL": "ERROR"})
    if previous is not None:
        os.environ["PORTAL_INSTANCE"] = previous
    with app.app_context():
        upgrade()
        from portal.cli import load_demo

        load_demo()
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    drop_database(app.config["SQLALCHEMY_DATABASE_URI"])


def _values(app) -> dict[str, object]:
    """Route parameters taken from the demo data."""
    from portal.auth.models import Service, Site, User
    from portal.documents.models import Document
    from portal.people.models import Candidate, Opening, Staff, StaffContract, Team
    from portal.records.models import Contract, Record

    with app.app_context():
        doc = db.session.scalar(select(Document).where(Document.code == "IN.OCC.TELK.P-10"))
        # The same record before and after the rows grow: the demo's last approved one.
        record = db.session.scalar(select(Record).where(Record.status == "approved", Record.id <= DEMO_RECORDS_MAX)
                                   .order_by(Record.id.desc()))
        agent = db.session.scalar(select(Staff).join(User, User.id == Staff.user_id).where(User.username == "agent"))
        from portal.coaching.models import CoachingSession, Finding, Warning
        from portal.training.models import Attendee, Course, TrainingSession

        # The demo's refreshment of tl's team (the last demo session) and its first passed attendee.
        tsession = db.session.scalar(select(TrainingSession).order_by(TrainingSession.id.desc()).limit(1))
        training = {
            "course_id": db.session.scalar(select(Course.id).order_by(Course.id)), "session_id": tsession.id,
            "attendee_id": db.session.scalar(select(Attendee.id).where(Attendee.session_id == tsession.id,
                                                                       Attendee.passed.is_(True)).order_by(Attendee.id)),
            "revision_id": doc.current.id, "finding_id": db.session.scalar(select(Finding.id).order_by(Finding.id)),
            "coaching_id": db.session.scalar(select(CoachingSession.id).order_by(CoachingSession.id)),
            "warning_id": db.session.scalar(select(Warning.id).order_by(Warning.id)),
            # The demo agent's latest AGREE call (in tl's team, validated by qco).
            "call_id": _demo_call(agent), **_demo_inbound(agent)}
        return training | {
            "code": doc.code, "number": doc.current.number, "a": "01", "b": doc.current.number,
            "record_id": record.id, "version": 1, "user_id": db.session.scalar(select(User.id).order_by(User.id)),
            "site_id": db.session.scalar(select(Site.id).order_by(Site.id)),
            "service_id": db.session.scalar(select(Service.id).order_by(Service.id)),
            "contract_id": db.session.scalar(select(Contract.id).order_by(Contract.id)),
            "import_id": _pending_import(),
            # The demo agent (in tl's team): the same person before and after the staff grows.
            "employee_no": agent.employee_number,
            "team_id": db.session.scalar(select(Team.id).where(Team.leader_id == db.session.scalar(
                select(Staff.id).join(User, User.id == Staff.user_id).where(User.username == "tl")))),
            "staff_contract_id": db.session.scalar(select(StaffContract.id).where(StaffContract.staff_id == agent.id)
                                                   .order_by(StaffContract.starts_on.desc()).limit(1)),
            "opening_id": db.session.scalar(select(Opening.id).order_by(Opening.id)),
            "position_code": "AGENT",
            # The roster of tl's team this month (published by the demo) and today's attendance of the team.
            "month": f"{_today(app):%Y-%m}", "day": _today(app).isoformat(),
            # The demo candidate who was offered the position (the candidate page with its hire form).
            "candidate_id": db.session.scalar(select(Candidate.id).where(Candidate.stage == "offered").order_by(Candidate.id)),
            # The demo's first nonconformity (actions in progress, one of them overdue for tl).
            "nc_number": _demo_nc(),
            # 147's service level and the demo's recovery plan waiting for tl's acknowledgement.
            **_monitoring(),
        }


def _monitoring() -> dict:
    from portal.auth.models import Service
    from portal.monitoring.models import DISTRIBUTED, Kpi, RecoveryPlan

    return {"kpi_id": db.session.scalar(select(Kpi.id).join(Service, Service.id == Kpi.service_id)
                                        .where(Service.code == "147", Kpi.code == "SL")),
            "plan_id": db.session.scalar(select(RecoveryPlan.id).where(RecoveryPlan.status == DISTRIBUTED)
                                         .order_by(RecoveryPlan.id).limit(1))}


def _today(app):
    from portal.core.i18n import local_today

    return local_today()


def _demo_nc() -> str | None:
    from portal.capa.models import Nonconformity

    return db.session.scalar(select(Nonconformity.number).order_by(Nonconformity.id).limit(1))


def _demo_call(agent) -> int | None:
    from portal.tapping.models import Call

    return db.session.scalar(select(Call.id).where(Call.agent_id == agent.id, Call.result == "AGREE")
                             .order_by(Call.called_at.desc()).limit(1))


def _demo_inbound(agent) -> dict:
    """The demo agent's disputed inbound score (QA's decision form) and the demo's calibration round."""
    from portal.tapping.models import Calibration, InboundCall, Score, SignOff

    disputed = db.session.scalar(select(InboundCall.id).join(Score, Score.call_id == InboundCall.id)
                                 .join(SignOff, SignOff.score_id == Score.id)
                                 .where(InboundCall.agent_id == agent.id, SignOff.status == "disputed").limit(1))
    return {"inbound_id": disputed, "calibration_id": db.session.scalar(select(Calibration.id).order_by(Calibration.id).limit(1))}


def _pending_import() -> int:
    """A file waiting for review (the demo has none): layout_c.md of the corpus, uploaded once by the dc."""
    from pathlib import Path

    from portal.auth.models import User
    from portal.documents import pending
    from portal.documents.models import PendingImport

    found = db.session.scalar(select(PendingImport.id).order_by(PendingImport.id).limit(1))
    if found is not None:
        return found
    corpus = Path(__file__).resolve().parents[1] / "documents" / "corpus"
    dc = db.session.scalar(select(User).where(User.username == "dc"))
    # Named by its code: the browser walk reads every word on the page, and a file name is shown in the heading.
    created = pending.upload([("IK-CS-03.md", (corpus / "layout_c.md").read_bytes())], dc).created[0]
    db.session.commit()
    return created.id


def _pages(app) -> list[tuple[str, str]]:
    """(endpoint, path) of every GET page to walk."""
    values = _values(app)
    special = {"records.new": {"code": "IN.OCC.TELK.F-04"}}
    out = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in SKIP_ENDPOINTS:
            continue
        args = {}
        missing = False
        for name in rule.arguments:
            value = special.get(rule.endpoint, {}).get(name, values.get(name))
            if value is None:
                missing = True
            args[name] = value
        if missing:
            continue
        path = rule.build(args, append_unknown=False)[1]
        out.append((rule.endpoint, path))
    return sorted(out)


def _walk(app) -> dict[tuple[str, str], int]:
    """Statements per (role, endpoint) for every page a role may open (200)."""
    counts = {}
    pages = _pages(app)
    with app.app_context():
        engine = db.engine
    for role in ROLES:
        client = app.test_client()
        assert client.post("/login", data={"username": role, "password": "portal-demo"}).status_code == 303, role
        client.get("/")  # the once-a-minute session touch happens here, not in a counted request
        for endpoint, path in pages:
            counter = StatementCounter(engine)
            try:
                response = client.get(path)
            finally:
                counter.close()
            assert response.status_code < 500, f"{role} GET {path}: {response.status_code}"
            if response.status_code == 200:
                counts[(role, endpoint)] = counter.count
    return counts


def _grow(app) -> None:
    """Thousands more rows: documents with revisions (and their full-text index), approved records, staff with their
    team history and contracts."""
    from tests.bench.bench_documents import build
    from tests.bench.bench_people import build_people
    from tests.bench.bench_records import build_records

    build(app, MORE_DOCUMENTS, 2)
    build_records(app, MORE_RECORDS)
    build_people(app, MORE_STAFF)
    from tests.bench.bench_tapping import build_calls

    build_calls(app, MORE_CALLS)
    from tests.bench.bench_tapping import build_inbound

    build_inbound(app, MORE_INBOUND)
    from tests.bench.bench_roster import grow_rosters

    grow_rosters(app)
    from tests.bench.bench_capa import build_ncs

    build_ncs(app, MORE_NCS)
    _grow_pending_imports(app, MORE_IMPORTS)
    from tests.bench.bench_monitoring import build_readings

    build_readings(app, MORE_READING_DAYS)


def _grow_pending_imports(app, n: int) -> None:
    """Pending imports waiting and decided, half of them for registered codes (the list pages and the review page)."""
    import hashlib

    from portal.core.db import utcnow
    from portal.documents.models import ACCEPTED, PENDING, Document, PendingImport

    with app.app_context():
        codes = list(db.session.scalars(select(Document.code).order_by(Document.id).limit(n // 2)))
        db.session.add_all(PendingImport(
            file_name=f"impor-{i:05d}.txt", file_path="", file_sha256=hashlib.sha256(b"grow%d" % i).hexdigest(),
            file_size=100, file_format="txt", uploaded_at=utcnow(), code=codes[i % len(codes)] if i % 2 else f"SOP/TUMBUH/{i:05d}",
            revision_number="09", parsed_json="{}", source_text="Isi", status=PENDING if i % 3 else ACCEPTED,
            decided_at=None if i % 3 else utcnow(), outcome="" if i % 3 else "imported") for i in range(n))
        db.session.commit()
        db.session.remove()


def test_every_page_costs_the_same_with_more_rows_and_stays_within_budget(walk_app):
    before = _walk(walk_app)
    assert len(before) > 150  # every role walked a real set of pages
    _grow(walk_app)
    after = _walk(walk_app)
    grown = {key: (before[key], after.get(key)) for key in before if after.get(key) != before[key]}
    over = {key: n for key, n in after.items() if n > OVER_BUDGET.get(key[1], BUDGET)}
    report = "\n".join(f"  {role:8} {endpoint:32} {n:5d}" for (role, endpoint), n in sorted(after.items()))
    assert not grown, ("statements grow with the rows (role, page): (demo, more rows)\n"
                       + "\n".join(f"  {k}: {v}" for k, v in sorted(grown.items())) + "\n" + report)
    assert not over, "over the statement budget:\n" + "\n".join(f"  {k}: {v}" for k, v in sorted(over.items()))

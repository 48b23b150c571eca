"""Training services without HTTP: validity and expiry at the boundaries, the grid's cells and the result from the
pass mark, the trainer's signature that locks the result and the amendment with a reason, the matrix (position and
services, unsigned sessions, a failed attempt, a new SOP revision marked as needing training, acknowledgements), the
competence gate and its override, the hand-off from a hire, and the certificate read back with pdftotext."""
from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.core.audit import AuditEvent
from portal.core.service import ServiceError
from portal.extensions import db
from portal.training import gate, matrix, paper, services
from portal.training.models import CURRENT, DUE_SOON, MISSING, OVERDUE
from tests.factories import TEST_PASSWORD
from tests.people_factories import make_staff, make_team
from tests.training_factories import make_course, make_session


def _actions(action: str) -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action))


@pytest.fixture
def world(app, factories):
    site = factories.site(name="Malang")
    service = factories.service(code="147T", name="147")
    other_service = factories.service(code="108T", name="108")
    trainer = factories.user(["trainer"], site=site)
    with app.test_request_context():
        team = make_team(site=site, service=service, name="Tim A")
        a = make_staff(team=team, full_name="Rina")
        b = make_staff(team=team, full_name="Bayu")
        a.services = [service]
        b.services = [other_service]
        db.session.flush()
    return {"site": site, "service": service, "other": other_service, "trainer": trainer, "team": team, "a": a, "b": b}


def test_valid_until_and_the_status_at_the_boundaries():
    assert services.valid_until(date(2026, 1, 15), 6) == date(2026, 7, 14)
    assert services.valid_until(date(2026, 8, 31), 6) == date(2027, 2, 27)  # 28 Feb is the same day six months on
    assert services.valid_until(date(2026, 1, 15), None) is None
    passed = date(2026, 1, 15)
    until = date(2026, 7, 14)
    assert matrix.status_for(passed, 6, until, False).status == DUE_SOON  # the last valid day
    assert matrix.status_for(passed, 6, until + timedelta(days=1), False).status == OVERDUE
    assert matrix.status_for(passed, 6, until - timedelta(days=30), False).status == DUE_SOON
    assert matrix.status_for(passed, 6, until - timedelta(days=31), False).status == CURRENT
    assert matrix.status_for(None, 6, until, False).status == MISSING
    assert matrix.status_for(None, 6, until, True).status == OVERDUE  # failed: a retake is due
    assert matrix.status_for(passed, None, date(2040, 1, 1), False).status == CURRENT


def test_result_from_the_pass_mark():
    mark = Decimal("70")
    assert services.result_of(True, Decimal("70"), mark) is True
    assert services.result_of(True, Decimal("69.99"), mark) is False
    assert services.result_of(False, None, mark) is False
    assert services.result_of(True, None, mark) is None
    assert services.result_of(None, None, mark) is None


def test_grid_cells_score_attendance_and_refusals(app, world):
    with app.test_request_context():
        course = make_course(pass_mark="75")
        session = make_session(course, [world["a"], world["b"]], trainer=world["trainer"])
        a, b = session.attendees
        services.set_cell(a, "score", "80,5", world["trainer"])
        assert a.attended is True and a.score == Decimal("80.50") and a.passed is True
        services.set_cell(b, "score", "74.99", world["trainer"])
        assert b.passed is False
        for bad in ["abc", "101", "-1", "nan"]:
            with pytest.raises(ServiceError):
                services.set_cell(a, "score", bad, world["trainer"])
        services.set_cell(b, "attended", "no", world["trainer"])
        assert b.score is None and b.passed is False
        with pytest.raises(ServiceError):
            services.set_cell(b, "score", "90", world["trainer"])  # absent: no score
        services.set_cell(a, "remarks", "Aktif bertanya", world["trainer"])
        assert _actions("training_attendee.updated") >= 4


def test_sign_locks_and_amend_reopens_with_a_reason(app, world, factories):
    other_trainer = factories.user(["trainer"])
    with app.test_request_context():
        course = make_course()
        session = make_session(course, [world["a"], world["b"]], trainer=world["trainer"], scores=["90"])
        with pytest.raises(ServiceError, match="(?i)attendance|kehadiran"):
            services.sign_session(session, TEST_PASSWORD, world["trainer"])  # Bayu has no result yet
        services.set_cell(session.attendees[1], "attended", "no", world["trainer"])
        with pytest.raises(ServiceError):
            services.sign_session(session, TEST_PASSWORD, other_trainer)  # not this session's trainer
        with pytest.raises(ServiceError):
            services.sign_session(session, "wrong", world["trainer"])
        services.sign_session(session, TEST_PASSWORD, world["trainer"])
        assert session.locked and session.signed_name == world["trainer"].full_name
        with pytest.raises(ServiceError):
            services.set_cell(session.attendees[0], "score", "50", world["trainer"])
        with pytest.raises(ServiceError):
            services.add_attendees(session, [world["a"].id], world["trainer"])
        with pytest.raises(ServiceError):
            services.amend_session(session, "  ", world["trainer"])
        services.amend_session(session, "Nilai Rina salah ketik", world["trainer"])
        assert not session.locked and session.version == 2
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "training_session.amended"))
        assert event.reason == "Nilai Rina salah ketik"


def test_matrix_by_position_and_services_signed_sessions_only_and_a_failed_retake(app, world):
    today = date(2026, 11, 30)
    with app.test_request_context():
        initial = make_course(code="INIT", kind="initial")
        refresh = make_course(code="REF", kind="refreshment", services_=[world["service"]], validity=6)
        _cols, rows = matrix.compute([world["a"], world["b"]], today)
        ra, rb = rows
        assert ra.cells["INIT"].status == MISSING and ra.cells["REF"].status == MISSING
        assert "REF" not in rb.cells  # Bayu does not work on 147
        assert ra.flagged and ra.gate == ["INIT"]
        make_session(initial, [world["a"]], scores=["90"], held_on=date(2026, 3, 1))  # not signed: does not count
        _cols, (ra, _rb) = matrix.compute([world["a"], world["b"]], today)
        assert ra.cells["INIT"].status == MISSING
        make_session(initial, [world["a"]], scores=["90"], held_on=date(2026, 3, 2), signed=True, trainer=world["trainer"])
        make_session(refresh, [world["a"]], scores=["40"], held_on=date(2026, 6, 1), signed=True, trainer=world["trainer"])
        _cols, (ra, _rb) = matrix.compute([world["a"], world["b"]], today)
        assert ra.cells["INIT"].status == CURRENT and ra.cells["INIT"].valid_until is None and not ra.flagged
        assert ra.cells["REF"].status == OVERDUE  # failed, retake due
        make_session(refresh, [world["a"]], scores=["80"], held_on=date(2026, 6, 15), signed=True, trainer=world["trainer"])
        _cols, (ra, _rb) = matrix.compute([world["a"], world["b"]], today)
        assert ra.cells["REF"].status == DUE_SOON and ra.cells["REF"].valid_until == date(2026, 12, 14)
        _cols, (ra, _rb) = matrix.compute([world["a"], world["b"]], date(2026, 11, 13))
        assert ra.cells["REF"].status == CURRENT
        _cols, (ra, _rb) = matrix.compute([world["a"], world["b"]], date(2026, 12, 14))
        assert ra.cells["REF"].status == DUE_SOON
        _cols, (ra, _rb) = matrix.compute([world["a"], world["b"]], date(2026, 12, 15))
        assert ra.cells["REF"].status == OVERDUE


def test_matrix_after_a_new_sop_revision_marked_as_needing_training_takes_effect(app, world, factories):
    from portal.documents import services as docs
    from portal.documents.models import APPROVED
    from tests.documents_factories import effective_document

    dc = factories.user(["dc"])
    agent_user = factories.user(["agent"])
    with app.test_request_context():
        world["a"].user_id = agent_user.id
        db.session.flush()
        course = make_course(code="SOP-P90", kind="sop_refresher", positions=[], sop_code="IN.OCC.TELK.P-90", validity=12)
        doc = effective_document(code="IN.OCC.TELK.P-90", effective=date(2026, 1, 5))
        make_session(course, [world["a"], world["b"]], scores=["85", "85"], held_on=date(2026, 3, 1), signed=True,
                     trainer=world["trainer"])
        # Before any mark: the course is not required (no positions or services), the acknowledgement is.
        cols, (ra, rb) = matrix.compute([world["a"], world["b"]], date(2026, 11, 30))
        assert "SOP-P90" not in ra.cells and ra.cells["ACK:IN.OCC.TELK.P-90"].status == MISSING
        assert "ACK:IN.OCC.TELK.P-90" not in rb.cells  # Bayu does not sign in: nothing to acknowledge online
        # Revision 01 becomes effective on 1 Nov and is marked as needing the refresher.
        rev = docs.new_draft(doc, dc)
        docs.save_draft(rev, {"effective_date": date(2026, 11, 1), "change_description": "Langkah baru",
                              "sections": [], "records": []})
        rev.status = APPROVED
        docs.make_effective(rev)
        gate.mark_revision(rev, course, dc)
        cols, (ra, rb) = matrix.compute([world["a"], world["b"]], date(2026, 11, 30))
        assert ra.cells["SOP-P90"].status == MISSING and rb.cells["SOP-P90"].status == MISSING  # passed before 1 Nov
        assert ra.cells["ACK:IN.OCC.TELK.P-90"].status == MISSING
        make_session(course, [world["a"]], scores=["88"], held_on=date(2026, 11, 10), signed=True, trainer=world["trainer"])
        from portal.documents.models import Acknowledgement

        db.session.add(Acknowledgement(revision_id=rev.id, user_id=agent_user.id))
        db.session.flush()
        cols, (ra, rb) = matrix.compute([world["a"], world["b"]], date(2026, 11, 30))
        assert ra.cells["SOP-P90"].status == CURRENT and ra.cells["SOP-P90"].valid_until == date(2027, 11, 9)
        assert ra.cells["ACK:IN.OCC.TELK.P-90"].status == CURRENT
        assert rb.cells["SOP-P90"].status == MISSING
        assert _actions("training_revision.marked") == 1


def test_gate_flags_agents_and_a_supervisor_overrides_with_a_reason(app, world, factories):
    spv = factories.user(["spv"])
    with app.test_request_context():
        make_course(code="INIT", kind="initial")
        today = date(2026, 11, 30)
        _c, rows = matrix.compute([world["a"], world["b"]], today)
        assert [r.flagged for r in rows] == [True, True]
        assert matrix.gate_count(None, today) == 2
        with pytest.raises(ServiceError):
            gate.override(world["a"], " ", None, spv)
        gate.override(world["a"], "Kebutuhan layanan mendesak; pelatihan dijadwalkan minggu depan", today + timedelta(days=7), spv)
        _c, rows = matrix.compute([world["a"], world["b"]], today)
        assert [r.flagged for r in rows] == [False, True] and rows[0].gate == ["INIT"]
        assert matrix.gate_count(None, today) == 1
        assert matrix.gate_count(None, today + timedelta(days=8)) == 2  # the override ran out
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "training_gate.overridden"))
        assert "mendesak" in event.reason


def test_the_gate_count_is_each_agents_own(app, world, factories):
    """The statement behind the home page's count and the roster's warning judges each agent by their own passes,
    acknowledgements and services — not by whether anybody passed or acknowledged (its subqueries are correlated to
    the agent at every depth)."""
    factories.user(["dc"])
    a_user, b_user = factories.user(["agent"]), factories.user(["agent"])
    with app.test_request_context():
        world["a"].user_id, world["b"].user_id = a_user.id, b_user.id
        db.session.flush()
        today = date(2026, 11, 30)
        course = make_course(code="INIT", kind="initial")
        make_session(course, [world["a"], world["b"]], scores=["85", "40"], held_on=date(2026, 3, 1), signed=True,
                     trainer=world["trainer"])
        _c, rows = matrix.compute([world["a"], world["b"]], today)
        assert [r.flagged for r in rows] == [False, True]
        assert matrix.gate_count(None, today) == 1
        assert matrix.flagged_ids(None, today) == {world["b"].id}
        # An SOP taught by a course, for the 147 service (Rina's): Rina must acknowledge it, Bayu (108) need not.
        from portal.documents.models import Acknowledgement
        from tests.documents_factories import effective_document

        make_course(code="SOP-P91", kind="sop_refresher", positions=[], sop_code="IN.OCC.TELK.P-91")
        doc = effective_document(code="IN.OCC.TELK.P-91", effective=date(2026, 1, 5))
        doc.services = [world["service"]]
        db.session.flush()
        make_session(course, [world["b"]], scores=["90"], held_on=date(2026, 4, 1), signed=True, trainer=world["trainer"])
        _c, rows = matrix.compute([world["a"], world["b"]], today)
        assert [r.flagged for r in rows] == [True, False]
        assert matrix.flagged_ids(None, today) == {world["a"].id}
        # Somebody else's acknowledgement does not count for Rina; her own does.
        db.session.add(Acknowledgement(revision_id=doc.current.id, user_id=b_user.id))
        db.session.flush()
        assert matrix.flagged_ids(None, today) == {world["a"].id}
        db.session.add(Acknowledgement(revision_id=doc.current.id, user_id=a_user.id))
        db.session.flush()
        assert matrix.flagged_ids(None, today) == set() and matrix.gate_count(None, today) == 0


def test_a_hire_joins_the_next_initial_session(app, world):
    from portal.people import recruitment

    assert gate.on_hire in recruitment.on_hire
    with app.test_request_context():
        course = make_course(code="INIT", kind="initial")
        session = make_session(course, [world["b"]], held_on=date(2026, 12, 7), trainer=world["trainer"])
        new = make_staff(team=world["team"], full_name="Putri", hire_date=date(2026, 12, 1))
        gate.on_hire(None, new, world["trainer"])
        assert new.id in {a.staff_id for a in session.attendees}
        assert _actions("training.initial_due") == 1


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_certificate_pdf_reads_back_and_verify_follows_amendments(app, world, tmp_path):
    from portal.printing import services as printing

    with app.test_request_context():
        course = make_course(code="REF-147", name="Refreshment layanan 147", kind="refreshment", validity=6)
        session = make_session(course, [world["a"]], scores=["88"], held_on=date(2026, 6, 1), trainer=world["trainer"])
        services.sign_session(session, TEST_PASSWORD, world["trainer"])
        pdf, printout = paper.render_certificate(session.attendees[0], world["trainer"])
        path = tmp_path / "c.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
        assert "SERTIFIKAT PELATIHAN" in text and "Rina" in text and "Refreshment layanan 147" in text and "88" in text
        assert "/verify/" + printout.token in text
        assert printing.verify(printout).valid
        services.amend_session(session, "Koreksi nilai", world["trainer"])
        assert not printing.verify(printout).valid


def test_grid_imported_from_excel_all_rows_or_none(app, world):
    from openpyxl import Workbook
    from werkzeug.datastructures import FileStorage

    from portal.training import imports

    def upload(rows):
        wb = Workbook()
        wb.active.append(imports.HEADERS)
        for row in rows:
            wb.active.append(row)
        buffer = io.BytesIO()
        wb.save(buffer)
        buffer.seek(0)
        return FileStorage(buffer, filename="nilai.xlsx")

    with app.test_request_context():
        course = make_course(pass_mark="70")
        session = make_session(course, [world["a"], world["b"]], trainer=world["trainer"])
        a_no, b_no = world["a"].employee_number, world["b"].employee_number
        with pytest.raises(ServiceError, match="Baris 3|Row 3"):
            imports.import_grid(session, upload([[a_no, "Rina", "hadir", 80, ""], ["X999", "?", "hadir", 90, ""]]), world["trainer"])
        with pytest.raises(ServiceError, match="Baris 3|Row 3"):
            imports.import_grid(session, upload([[a_no, "Rina", "hadir", 80, ""], [b_no, "Bayu", "hadir", 180, ""]]), world["trainer"])
        assert imports.import_grid(session, upload([[a_no, "Rina", "hadir", 80, "Baik"], [b_no, "Bayu", "tidak hadir", None, ""]]),
                                   world["trainer"]) == 2
        a, b = session.attendees
        assert (a.passed, a.remarks, b.attended, b.passed) == (True, "Baik", False, False)
        assert b_no in load_template(imports.template_bytes(session))


def load_template(data: bytes) -> str:
    from openpyxl import load_workbook

    return " ".join(str(c) for row in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True) for c in row)


def test_a_person_is_put_on_a_service_only_after_its_initial_training_or_an_override(app, world, factories):
    """The people module asks the gate when services are added to someone already on the staff: refused by the
    services field while the initial training that service requires is missing; allowed after a pass or an
    override; a hire still starts on the service they were recruited for."""
    from portal.people import services as people
    from portal.people.services import STAFF_FIELDS

    spv = factories.user(["spv"])
    hr = factories.user(["hr"])
    assert gate.service_check in people.service_checks
    with app.test_request_context():
        course = make_course(code="INIT-108", kind="initial", services_=[world["other"]])
        rina = world["a"]

        def put_on(*services_):
            data = {k: getattr(rina, k) for k in STAFF_FIELDS}
            data["service_ids"] = [s.id for s in services_]
            return people.save_staff(rina, data, hr)

        with pytest.raises(ServiceError) as refused:
            put_on(world["service"], world["other"])
        assert refused.value.field == "service_ids" and "INIT-108" in str(refused.value)
        put_on(world["service"])  # (a request rolls the refusal back; here the service is taken off again)
        assert {s.code for s in rina.services} == {"147T"}
        make_session(course, [rina], scores=["85"], held_on=date(2026, 3, 2), signed=True, trainer=world["trainer"])
        put_on(world["service"], world["other"])
        assert {s.code for s in rina.services} == {"147T", "108T"}
        bayu = world["b"]
        gate.override(bayu, "Kebutuhan layanan mendesak", None, spv)
        data = {k: getattr(bayu, k) for k in STAFF_FIELDS}
        data["service_ids"] = [world["other"].id, world["service"].id]
        people.save_staff(bayu, data, hr)  # overridden: allowed

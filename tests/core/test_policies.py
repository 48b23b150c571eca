"""Deny by default: every route declares a policy; every role is checked against every route."""
from __future__ import annotations

from datetime import date

import pytest

from portal.core.permissions import ROLE_PERMISSIONS, ROLES, Policy, policy_of

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}

# Who may open what, written out by hand (not derived from the code under test).
ADMIN_ONLY = {"admin"}
AUDIT_READERS = {"admin", "qmr", "auditor"}
EVERYONE = {"agent", "tl", "spv", "qco", "qa", "trainer", "hr", "dc", "qmr", "manager", "auditor", "admin"}
DRAFTERS = {"dc"}
CHECKERS = {"spv", "qa", "qmr", "manager"}
APPROVERS = {"qmr", "manager"}
DOC_MANAGERS = {"dc", "qmr"}
REPORT_READERS = {"dc", "qmr", "manager", "auditor"}
FILLERS = {"tl", "spv", "qco", "qa", "trainer", "hr"}
RECORD_READERS = FILLERS | {"dc", "qmr", "manager", "auditor"}
RECORD_APPROVERS = {"spv", "manager"}
EXPORTERS = {"dc", "qmr", "manager", "auditor"}
HR = {"hr"}
PEOPLE_READERS = {"tl", "spv", "manager", "hr", "auditor"}
KPI_READERS = {"spv", "manager", "hr", "auditor"}
PEOPLE_SELF = {"agent", "tl", "spv", "qco", "qa", "trainer", "hr", "manager"}
TRAINING_READERS = {"tl", "spv", "manager", "hr", "auditor", "trainer"}
TRAINERS = {"trainer", "hr"}
MON_READ = {"tl", "spv", "manager", "qa", "qmr", "auditor"}
MON_DESK = {"tl", "spv"}  # the desk control is a team leader on duty (P-10 6.1); supervisors too
COACHING_SELF = {"agent", "tl", "spv", "qco", "qa", "trainer", "hr", "manager"}
COACHES = {"tl", "spv", "qco", "qa"}
ROSTER_SELF = {"agent", "tl", "spv", "qco", "qa", "trainer", "hr", "manager"}
ROSTER_TEAM = {"tl", "spv", "manager", "hr", "auditor"}
ROSTER_PLAN = {"tl", "spv"}
TAPPING_SELF = {"agent", "tl", "spv", "qco", "qa", "manager", "auditor"}
TAPPING_READERS = {"tl", "spv", "qco", "qa", "manager", "auditor"}
TAPPING_QC = {"qco", "qa"}
CAPA_READERS = {"tl", "spv", "qa", "qmr", "manager", "auditor"}
CAPA_ACT = {"tl", "spv", "qa", "qmr"}
CAPA_MANAGERS = {"qa", "qmr"}
CAPA_EVIDENCE = {"qmr", "auditor"}
TAPPING_CALIBRATION = {"qco", "qa", "manager", "auditor"}
EXPECTED_ROLES = {
    "admin.users": ADMIN_ONLY,
    "admin.user_new": ADMIN_ONLY,
    "admin.user_edit": ADMIN_ONLY,
    "admin.user_deactivate": ADMIN_ONLY,
    "admin.user_reactivate": ADMIN_ONLY,
    "admin.user_reset_password": ADMIN_ONLY,
    "admin.sites": ADMIN_ONLY,
    "admin.site_new": ADMIN_ONLY,
    "admin.site_edit": ADMIN_ONLY,
    "admin.services": ADMIN_ONLY,
    "admin.service_new": ADMIN_ONLY,
    "admin.service_edit": ADMIN_ONLY,
    "audit.events": AUDIT_READERS,
    "audit.export": AUDIT_READERS,
    "documents.register": EVERYONE,
    "documents.master": EVERYONE,
    "documents.show": EVERYONE,
    "documents.revision": EVERYONE,
    "documents.original": EVERYONE,
    "documents.diff": EVERYONE,
    "documents.acknowledge": EVERYONE,
    "documents.propose": EVERYONE,
    "documents.my_requests": EVERYONE,
    "documents.to_read": EVERYONE,
    "documents.new": DRAFTERS,
    "documents.settings": DRAFTERS,
    "documents.start_draft": DRAFTERS,
    "documents.edit_revision": DRAFTERS,
    "documents.autosave_revision": DRAFTERS,
    "documents.upload": DRAFTERS,
    "documents.submit": DRAFTERS,
    "documents.discard": DRAFTERS,
    "documents.check": CHECKERS,
    "documents.return_revision": CHECKERS,
    "documents.approve": APPROVERS,
    "documents.withdraw": DOC_MANAGERS,
    "documents.change_requests": DOC_MANAGERS,
    "documents.accept_request": DOC_MANAGERS,
    "documents.reject_request": DOC_MANAGERS,
    "documents.reviews": DOC_MANAGERS,
    "documents.review": DOC_MANAGERS,
    "documents.reading": REPORT_READERS,
    "documents.reading_xlsx": REPORT_READERS,
    "documents.master_xlsx": REPORT_READERS,
    "documents.master_pdf": REPORT_READERS,
    "documents.current_pdf": EVERYONE,
    "documents.revision_pdf": EVERYONE,
    "documents.copies": DOC_MANAGERS,
    "documents.copy_pdf": DOC_MANAGERS,
    "documents.copy_returned": DOC_MANAGERS,
    "documents.withdrawals": DOC_MANAGERS,
    "documents.imports": DOC_MANAGERS,
    "documents.import_review": DOC_MANAGERS,
    "documents.import_accept": DOC_MANAGERS,
    "documents.import_reject": DOC_MANAGERS,
    "documents.import_original": DOC_MANAGERS,
    "documents.import_check": DOC_MANAGERS,
    "documents.import_page": DOC_MANAGERS,
    "records.index": RECORD_READERS,
    "records.show": RECORD_READERS,
    "records.pdf": RECORD_READERS,
    "records.archived_pdf": RECORD_READERS,
    "records.amend": RECORD_READERS,
    "records.new": FILLERS,
    "records.save": FILLERS,
    "records.submit": FILLERS,
    "records.discard": FILLERS,
    "records.approve": RECORD_APPROVERS,
    "records.return_record": RECORD_APPROVERS,
    "records.hold": {"qmr"},
    "records.disposal": {"qmr"},
    "records.disposal_record": {"qmr"},
    "records.disposal_pdf": {"qmr"},
    "records.contracts": DOC_MANAGERS,
    "records.contract_edit": DOC_MANAGERS,
    "exports.new": EXPORTERS,
    "exports.show": EXPORTERS,
    "exports.download": EXPORTERS,
    "auth.tokens": REPORT_READERS | ADMIN_ONLY,
    "auth.revoke_token": REPORT_READERS | ADMIN_ONLY,
    "people.me": PEOPLE_SELF,
    "people.index": PEOPLE_READERS,
    "people.show": PEOPLE_READERS,
    "people.teams": PEOPLE_READERS,
    "people.team": PEOPLE_READERS,
    "people.positions": PEOPLE_READERS,
    "people.new": HR,
    "people.edit": HR,
    "people.move": HR,
    "people.contract_new": HR,
    "people.contract_document_upload": HR,
    "people.contract_extend": {"hr", "spv"},
    "people.extension_decide": {"manager"},
    "people.extensions": {"hr", "spv", "manager"},
    "people.team_new": HR,
    "people.team_edit": HR,
    "people.import_staff": HR,
    "people.import_template": HR,
    "people.requirements_new": HR,
    "people.openings": HR,
    "people.opening": HR,
    "people.candidate": HR,
    "people.candidate_experience": HR,
    "people.candidate_upload": HR,
    "people.candidate_document": HR,
    "people.candidate_results": HR,
    "people.candidate_screen": HR,
    "people.candidate_stage": HR,
    "people.candidate_hire": HR,
    "people.staffing_report": KPI_READERS,
    "people.staffing_xlsx": KPI_READERS,
    "people.staffing_pdf": KPI_READERS,
    "people.caplan": {"hr", "manager"},
    "people.caplan_import": {"hr", "manager"},
    "people.caplan_template": {"hr", "manager"},
    "api.people_staffing": KPI_READERS,
    "api.training_matrix": TRAINING_READERS,
    "training.index": TRAINING_READERS,
    "training.courses": TRAINING_READERS,
    "training.course_new": TRAINERS,
    "training.course_edit": TRAINERS,
    "training.session_new": TRAINERS,
    "training.session": TRAINING_READERS,
    "training.session_attendees": TRAINERS,
    "training.attendee_remove": TRAINERS,
    "training.cell": TRAINERS,
    "training.session_sign": TRAINERS,
    "training.grid_template": TRAINERS,
    "training.grid_import": TRAINERS,
    "training.session_amend": TRAINERS,
    "training.matrix": TRAINING_READERS,
    "training.matrix_xlsx": TRAINING_READERS,
    "training.gate": TRAINING_READERS,
    "training.gate_override": {"spv"},
    "training.revisions": {"dc", "qmr"},
    "training.revision_mark": {"dc", "qmr"},
    "coaching.index": COACHING_SELF,
    "coaching.finding": COACHING_SELF,
    "coaching.finding_evidence": COACHING_SELF,
    "coaching.finding_respond": COACHING_SELF,
    "coaching.show": COACHING_SELF,
    "coaching.acknowledge": COACHING_SELF,
    "coaching.warning": COACHING_SELF,
    "coaching.warning_pdf": COACHING_SELF,
    "coaching.finding_new": COACHES,
    "coaching.session_new": COACHES,
    "coaching.warning_new": {"tl", "spv", "manager"},
    "coaching.proposals": {"spv", "manager"},
    "coaching.person_section": COACHING_SELF,
    "tapping.index": TAPPING_READERS,
    "tapping.assign": {"spv", "qa"},
    "tapping.call": TAPPING_SELF,
    "tapping.validate": TAPPING_QC,
    "tapping.recall": TAPPING_SELF,
    "tapping.number": TAPPING_QC,
    "tapping.mine": TAPPING_SELF,
    "tapping.person_section": TAPPING_SELF,
    "tapping.import_calls": TAPPING_QC,
    "tapping.import_template": TAPPING_QC,
    "tapping.import_report": TAPPING_QC,
    "tapping.import_confirm": TAPPING_QC,
    "tapping.import_discard": TAPPING_QC,
    "tapping.call_new": TAPPING_QC,
    "tapping.parameters": TAPPING_READERS,
    "tapping.qvs": TAPPING_READERS,
    "tapping.qvs_xlsx": TAPPING_READERS,
    "tapping.qvs_pdf": TAPPING_READERS,
    "api.tapping_qvs": TAPPING_READERS,
    "tapping.scores": TAPPING_READERS,
    "tapping.scores_xlsx": TAPPING_READERS,
    "tapping.scores_pdf": TAPPING_READERS,
    "tapping.scorecards": TAPPING_READERS,
    "tapping.validations_xlsx": TAPPING_READERS,
    "tapping.inbound_new": TAPPING_QC,
    "tapping.inbound_call": TAPPING_SELF,
    "tapping.inbound_score": TAPPING_QC,
    "tapping.inbound_number": TAPPING_QC,
    "tapping.calibration_open": {"qa"},
    "tapping.calibrations": TAPPING_CALIBRATION,
    "tapping.calibration": TAPPING_CALIBRATION,
    "tapping.calibration_score": TAPPING_QC,
    "tapping.calibration_close": {"qa"},
    "tapping.sign_validation": TAPPING_SELF,
    "tapping.sign_score": TAPPING_SELF,
    "tapping.disputes": {"qa"},
    "tapping.decide": {"qa"},
    "api.documents": EVERYONE,
    "api.document": EVERYONE,
    "roster.index": ROSTER_TEAM,
    "roster.grid": ROSTER_TEAM,
    "roster.totals": ROSTER_TEAM,
    "roster.compare": ROSTER_TEAM,
    "roster.compliance": ROSTER_TEAM,
    "roster.f02_record": ROSTER_PLAN,
    "roster.grid_xlsx": ROSTER_TEAM,
    "roster.grid_pdf": ROSTER_TEAM,
    "roster.compliance_xlsx": ROSTER_TEAM,
    "roster.grid_import": ROSTER_PLAN,
    "roster.attendance_import": ROSTER_PLAN,
    "roster.day": ROSTER_TEAM,
    "roster.cell": ROSTER_PLAN,
    "roster.fill": ROSTER_PLAN,
    "roster.copy_week": ROSTER_PLAN,
    "roster.change": ROSTER_PLAN,
    "roster.publish": {"spv"},
    "roster.record_times": ROSTER_PLAN,
    "roster.record_absence": ROSTER_PLAN,
    "roster.me": ROSTER_SELF,
    "roster.check_in": ROSTER_SELF,
    "roster.check_out": ROSTER_SELF,
    "roster.today": {"tl", "spv", "manager"},
    "roster.shifts": {"manager", "admin"},
    "roster.hours": {"manager", "admin"},
    "roster.days_off": {"admin", "hr"},
    "roster.day_off_delete": {"admin", "hr"},
    "api.roster_compliance": ROSTER_TEAM,
    "capa.index": CAPA_READERS,
    "capa.new": CAPA_ACT,
    "capa.show": CAPA_READERS,
    "capa.edit": CAPA_MANAGERS,
    "capa.root_cause": CAPA_MANAGERS,
    "capa.action_add": CAPA_MANAGERS,
    "capa.action_done": CAPA_ACT,
    "capa.action_evidence": CAPA_ACT,
    "capa.action_link": CAPA_ACT,
    "capa.attachment": CAPA_READERS,
    "capa.check_set": CAPA_MANAGERS,
    "capa.verify": CAPA_MANAGERS,
    "capa.read_check": CAPA_MANAGERS,
    "capa.report_pdf": CAPA_READERS,
    "capa.trends": CAPA_READERS,
    "capa.register_xlsx": CAPA_READERS,
    "capa.register_pdf": CAPA_READERS,
    "capa.evidence": CAPA_EVIDENCE,
    "capa.pack": CAPA_EVIDENCE,
    "capa.pack_download": CAPA_EVIDENCE,
    "monitoring.index": MON_READ,
    "monitoring.kpi": MON_READ,
    "monitoring.kpis": MON_READ,
    "monitoring.kpi_edit": {"manager"},
    "monitoring.enter": MON_DESK,
    "monitoring.compute": {"spv", "manager"},
    "monitoring.import_readings": MON_DESK,
    "monitoring.import_report": MON_DESK,
    "monitoring.import_confirm": MON_DESK,
    "monitoring.import_discard": MON_DESK,
    "monitoring.import_template": MON_DESK,
    "monitoring.plans": MON_READ,
    "monitoring.plan_new": MON_DESK,
    "monitoring.plan": MON_READ,
    "monitoring.plan_approve": {"spv"},
    "monitoring.plan_distribute": MON_DESK,
    "monitoring.plan_acknowledge": MON_READ,
    "monitoring.plan_close": MON_READ,
    "monitoring.shift_report": MON_DESK,
    "monitoring.shift_report_pdf": MON_DESK,
    "monitoring.analyses": MON_READ,
    "monitoring.analysis_open": {"spv"},
    "api.monitoring_kpis": MON_READ,
}
# Sample values per endpoint where the general ones would not show the page (a draft to edit).
ARG_OVERRIDES = {"documents.edit_revision": {"number": "01"}, "records.new": {"code": "IN.OCC.TELK.F-04"},
                 "records.archived_pdf": {"version": 1}}
# An export job is its owner's: another allowed user gets 404 (not 403) for the matrix's sample job.
OWN_OBJECT = {"exports.show", "exports.download", "printing.pdf_progress", "people.candidate_document",
              "people.contract_document", "tapping.import_report", "capa.pack", "capa.pack_download",
              "monitoring.import_report", "monitoring.plan_new", "monitoring.shift_report_pdf"}  # 404 when not such an object
# A person or team is seen within a scope (HR and the all-sites readers: everyone; a supervisor: their site; a team
# leader: their teams): an allowed role outside the sample's scope gets 403. tests/people checks each scope.
# A personal file (a signed contract) opens for HR, the person and their manager chain only; 404 when none is stored.
PERSONAL_FILE = {"people.contract_document", "coaching.finding_evidence"}
SCOPED_OBJECT = {"people.show", "people.team", "people.contract_extend", "training.certificate", "coaching.finding",
                 "coaching.show", "coaching.warning", "coaching.warning_pdf", "training.person_section",
                 "coaching.person_section", "roster.grid", "roster.totals", "roster.compare", "roster.compliance", "roster.day",
                 "roster.person_section", "roster.grid_xlsx", "roster.grid_pdf", "roster.compliance_xlsx",
                 "tapping.call", "tapping.person_section", "tapping.inbound_call", "tapping.calibration",
                 "monitoring.kpi", "monitoring.plan", "monitoring.kpi_edit"}
PUBLIC = {"static", "auth.login", "auth.logout", "main.healthz", "main.favicon", "main.set_language", "api.openapi", "printing.verify"}


def _rules(app):
    return [r for r in app.url_map.iter_rules()]


def _sample_args(rule, ids) -> dict:
    args = {}
    for name in rule.arguments:
        if name not in ids:
            pytest.fail(f"route {rule.endpoint} has argument {name!r}: add a sample value to this test")
        args[name] = ARG_OVERRIDES.get(rule.endpoint, {}).get(name, ids[name])
    return args


@pytest.fixture
def ids(app, factories):
    from portal.auth.services import create_api_token
    from portal.documents import services as docs
    from portal.extensions import db
    from tests.documents_factories import effective_document

    site = factories.site()
    service = factories.service()
    user = factories.user(["agent"], site=site)
    dc = factories.user(["dc"])
    with app.test_request_context():
        doc = effective_document(code="IN.OCC.TELK.P-77", with_file=True)
        docs.new_draft(doc, dc)
        cr = docs.propose_change(doc, user, "Tambah langkah", "Klausul baru")
        create_api_token(user, "matrix")
        from portal.auth.models import ApiToken
        from sqlalchemy import select

        token = db.session.scalar(select(ApiToken).limit(1))
        from tests.records_factories import approved_record, online_form
        from portal.records.models import Contract, Disposal
        from portal.exports.models import ExportJob

        online_form("IN.OCC.TELK.F-04")
        author = factories.user(["tl"], site=site)
        approver = factories.user(["spv"], site=site)
        record = approved_record(author, approver)
        contract = Contract(name="PKS uji")
        disposal = Disposal(approved_by_id=dc.id, approved_by_name=dc.full_name, manifest_json="[]")
        job = ExportJob(user_id=dc.id, kind="xlsx")
        db.session.add_all([contract, disposal, job])
        from portal.documents import copies

        copy = copies.issue(doc.current, site.id, "Supervisor 147", dc)
        from pathlib import Path

        from portal.documents import pending

        corpus = Path(__file__).resolve().parents[1] / "documents" / "corpus"
        # A scan: its review page, original and first-page image are all there to be refused or opened.
        waiting = pending.upload([("scanned.pdf", (corpus / "scanned.pdf").read_bytes())], dc).created[0]
        from tests.people_factories import make_staff, make_team

        team = make_team(site=site, service=service)
        staff = make_staff(site=site, team=team, with_contract=True)
        from tests.people_factories import make_candidate

        candidate, document = make_candidate(site=site)
        from portal.people.models import ContractExtension

        extension = ContractExtension(contract_id=staff.contracts[0].id, evaluation="Baik", recommendation="end")
        db.session.add(extension)
        from tests.training_factories import make_course, make_session

        course = make_course()
        tsession = make_session(course, [staff], signed=True, scores=["90"])
        from portal.coaching import services as coachings
        from portal.coaching.models import WarningLevel

        coachings.seed()

        finding = coachings.raise_finding(staff, {"kind": "late_login", "found_on": date(2026, 11, 2), "description": "Terlambat"}, author)
        coached = coachings.record_session(staff, {"held_on": date(2026, 11, 3), "topic": "Login"}, author)
        warning_row = coachings.write_warning(staff, db.session.scalar(select(WarningLevel).where(WarningLevel.code == "SP1")),
                                              {"issued_on": date(2026, 11, 3), "reason": "Uji"}, approver)
        from portal.core.workdays import CompanyDayOff
        from portal.roster import demo as roster_demo, services as rosters

        roster_demo.seed(dc)
        month_row = rosters.month_for(team, date(2026, 11, 1), author)
        rosters.set_cell(month_row, staff, date(2026, 11, 2), "P", author)
        rosters.write_publication(month_row, rosters.snapshot(month_row), approver)
        day_off = CompanyDayOff(day=date(2026, 12, 24), name="Cuti bersama")
        db.session.add(day_off)

        from tests.tapping_factories import make_call, make_import

        call_row = make_call(staff)
        call_import = make_import(dc)
        from portal.capa import services as capas
        from portal.capa.models import EvidencePack
        from tests.capa_factories import make_nc

        qmr = factories.user(["qmr"], site=site)
        nc = make_nc(qmr)
        nc_action = capas.add_action(nc, "Sosialisasi", author, date(2026, 11, 20), qmr)
        nc_file = capas.attach(nc_action, b"%PDF-1.4 bukti", "bukti.pdf", author)
        pack = EvidencePack(user_id=dc.id, clause="8.7", period_from=date(2026, 1, 1), period_to=date(2026, 11, 30))
        db.session.add(pack)
        from portal.tapping.models import Calibration, Score, SignOff, Validation
        from tests.tapping_factories import make_inbound, make_scorecard

        inbound = make_inbound(staff)
        scorecard = make_scorecard(inbound.service)
        validation = Validation(call_id=call_row.id, verdict="VALID")
        calibration = Calibration(call_id=inbound.id, reference_name="QA")
        db.session.add_all([validation, calibration])
        db.session.flush()
        score = Score(call_id=inbound.id, parameter_set_id=scorecard.id, total=90, answers_json="{}")
        db.session.add(score)
        db.session.flush()
        signed = SignOff(score_id=score.id, agent_id=staff.id, status="disputed", reason="Uji")
        db.session.add(signed)
        from datetime import datetime

        from portal.monitoring.models import DailyAnalysis, Kpi, PlanStep, Reading, RecoveryPlan

        kpi = Kpi(service_id=service.id, code="SL", name="Service Level", target=80, period="interval", source="imported")
        db.session.add(kpi)
        db.session.flush()
        reading = Reading(kpi_id=kpi.id, period="day", starts_at=datetime(2026, 11, 2), day=date(2026, 11, 2), value=70,
                          target=80)
        db.session.add(reading)
        db.session.flush()
        plan_row = RecoveryPlan(kpi_id=kpi.id, reading_id=reading.id, problem="SL di bawah target",
                                steps=[PlanStep(action="Tambah agent", owner_id=author.id, due_at=datetime(2026, 11, 2, 12))])
        analysis = DailyAnalysis(service_id=service.id, day=date(2026, 11, 2), due_on=date(2026, 11, 5))
        db.session.add_all([plan_row, analysis])
        db.session.commit()
    return {"month": "2026-11", "day": "2026-11-02", "staff_id": staff.id, "day_off_id": day_off.id,
            "course_id": course.id, "session_id": tsession.id, "attendee_id": tsession.attendees[0].id,
            "revision_id": doc.current.id, "finding_id": finding.id, "coaching_id": coached.id, "warning_id": warning_row.id,
            "user_id": user.id, "site_id": site.id, "service_id": service.id, "filename": "css/portal.css",
            "code": doc.code, "number": "00", "a": "00", "b": "00", "cr_id": cr.id, "token_id": token.id, "token": "unknown-token",
            "record_id": record.id, "version": 1, "disposal_id": disposal.id, "contract_id": contract.id, "job_id": job.id,
            "copy_id": copy.id, "import_id": waiting.id, "employee_no": staff.employee_number, "team_id": team.id,
            "staff_contract_id": staff.contracts[0].id, "opening_id": candidate.opening_id, "candidate_id": candidate.id,
            "document_id": document.id, "extension_id": extension.id, "position_code": "AGENT",
            "call_id": call_row.id, "call_import_id": call_import.id, "inbound_id": inbound.id,
            "calibration_id": calibration.id, "validation_id": validation.id, "score_id": score.id, "signoff_id": signed.id,
            "nc_number": nc.number, "action_id": nc_action.id, "attachment_id": nc_file.id, "pack_id": pack.id,
            "kpi_id": kpi.id, "plan_id": plan_row.id, "reading_import_id": 999999, "analysis_id": analysis.id}


def test_every_route_declares_a_policy(app):
    missing = [r.endpoint for r in _rules(app) if policy_of_in(app, r.endpoint) is None]
    assert missing == [], f"routes without a declared policy: {missing}"


def policy_of_in(app, endpoint) -> Policy | None:
    with app.test_request_context():
        return policy_of(endpoint)


def test_every_non_public_route_is_in_the_expectations(app):
    for rule in _rules(app):
        policy = policy_of_in(app, rule.endpoint)
        if rule.endpoint in PUBLIC:
            assert policy.kind == "public", rule.endpoint
        elif policy.kind == "permission":
            assert rule.endpoint in EXPECTED_ROLES, f"{rule.endpoint} needs {policy.permission}: list who may use it here"
        else:
            assert policy.kind == "login", rule.endpoint


def test_undeclared_route_is_refused_at_run_time(app, client, factories):
    user = factories.user(["admin"])
    app.view_functions["main.home"].__dict__.pop("policy")
    try:
        client.login(user.username)
        assert client.get("/").status_code == 403
    finally:
        from portal.core.permissions import Policy

        app.view_functions["main.home"].policy = Policy("login")


@pytest.mark.parametrize("role", sorted(ROLES))
def test_role_route_matrix(app, make_client, factories, ids, role):
    user = factories.user([role])
    client = make_client()
    assert client.login(user.username).status_code == 303
    checked = 0
    for rule in _rules(app):
        if rule.endpoint in PUBLIC:
            continue
        allowed = EXPECTED_ROLES.get(rule.endpoint)
        may = allowed is None or role in allowed
        url = rule.build(_sample_args(rule, ids), append_unknown=False)[1]
        if "GET" in rule.methods:
            status = client.get(url).status_code
            expected = ({200, 403, 404} if rule.endpoint in PERSONAL_FILE else {200, 404} if rule.endpoint in OWN_OBJECT else {200, 403} if rule.endpoint in SCOPED_OBJECT
                        else {200}) if may else {403}
            assert status in expected, f"{role} GET {url}: {status}"
            checked += 1
        if rule.methods & MUTATING and not may:
            token = client.token("/account")
            status = client.post(url, data={"csrf_token": token}).status_code
            assert status == 403, f"{role} POST {url}: {status}"
            checked += 1
    assert checked >= 12


def test_anonymous_is_sent_to_login_everywhere_but_public_routes(app, client, ids):
    for rule in _rules(app):
        if rule.endpoint in PUBLIC or "GET" not in rule.methods:
            continue
        url = rule.build(_sample_args(rule, ids), append_unknown=False)[1]
        response = client.get(url)
        if rule.endpoint.startswith("api."):
            assert response.status_code == 401 and response.is_json, url
            continue
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"]


def test_permission_table_matches_the_expectations():
    for endpoint, roles in EXPECTED_ROLES.items():
        assert roles <= set(ROLES), endpoint
    assert ROLE_PERMISSIONS["agent"] == frozenset({"documents.read", "people.self", "coaching.self", "roster.self", "tapping.self"})


def test_csrf_refused_on_every_mutating_route(app, client, factories, ids):
    from portal.core.audit import AuditEvent
    from portal.extensions import db
    from sqlalchemy import func, select

    admin = factories.user(["admin"])
    client.login(admin.username)
    before = db.session.scalar(select(func.count(AuditEvent.id)))
    mutating = [r for r in _rules(app) if r.methods & MUTATING]
    assert len(mutating) >= 10
    for rule in mutating:
        url = rule.build(_sample_args(rule, ids), append_unknown=False)[1]
        response = client.post(url, data={"reason": "no token", "locale": "en", "code": "X1", "name": "X",
                                          "username": "admin2", "full_name": "X"})
        assert response.status_code == 400, f"POST {url} without CSRF token: {response.status_code}"
        html = response.get_data(as_text=True)
        assert 'data-testid="csrf-refused"' in html and "kirim formulir kembali" in html.lower()
    assert db.session.scalar(select(func.count(AuditEvent.id))) == before


@pytest.mark.parametrize("path", [
    "/records/?site=99999999999999999999999999", "/records/?service=-1", "/records/?person=1e9", "/records/?page=99999999999999",
    "/documents/?site=99999999999999999999999999", "/documents/?service=abc", "/admin/users?site=99999999999999999999999999",
    "/audit/?before=99999999999999999999", "/audit/?end=9999-12-31", "/audit/?start=0001-01-01",
])
def test_out_of_range_filters_never_break_a_page(client, factories, path):
    """Filters a database cannot hold are ignored (or reported), never a 500 — on PostgreSQL too."""
    client.login(factories.user(["admin", "qmr", "auditor", "dc"]).username)
    assert client.get(path).status_code in (200, 422), path


@pytest.mark.parametrize("target", ["//evil.example/phish", "/\t/evil.example", "/\\evil.example", "https://evil.example/",
                                    " //evil.example", "/\r\n/evil.example"])
def test_next_never_leaves_the_site(client, factories, target):
    """One helper decides whether a `next` stays on this site, after normalising whitespace and backslashes."""
    from portal.core.urls import safe_next

    assert safe_next(target, "/home") == "/home"
    response = client.post_form("/language", {"locale": "id", "next": target}, token_from="/login")
    assert response.status_code == 303 and "evil" not in response.headers["Location"]


def test_next_keeps_a_local_path():
    from portal.core.urls import safe_next

    assert safe_next("/documents/IN.OCC.TELK.P-10?x=1", "/") == "/documents/IN.OCC.TELK.P-10?x=1"

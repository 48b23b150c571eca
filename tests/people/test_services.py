"""People services without HTTP: staff, dated team moves and their history, contracts and extensions, contracts that
end (the login stops the day after), the reminders' counts, the positions of MNOP-01 §2.1, the Excel import."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from portal.core.audit import AuditEvent
from portal.core.service import ServiceError
from portal.extensions import db
from portal.people import imports, services
from portal.people.models import (ACTIVE, ENDED, EXPERIENCE, MAX_AGE, PERMANENT, PKWT, PROBATION, Position, Staff,
                                  StaffContract, Team, TeamMembership)
from portal.people.seed import seed_positions
from tests.people_factories import make_position, make_staff, make_team


def _actions(action: str) -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action))


@pytest.fixture
def world(app, factories):
    site = factories.site(name="Malang")
    other = factories.site(name="Semarang")
    service = factories.service(code="147X", name="147")
    hr = factories.user(["hr"])
    with app.test_request_context():
        a = make_team(site=site, service=service, name="Tim A")
        b = make_team(site=site, service=service, name="Tim B")
        far = make_team(site=other, service=service, name="Tim Jauh")
    return {"site": site, "other": other, "service": service, "hr": hr, "a": a, "b": b, "far": far}


def _data(world, **over) -> dict:
    data = {"employee_number": "1509100", "full_name": "Rina Marlina", "position_id": make_position("AGENT").id,
            "site_id": world["site"].id, "service_ids": [world["service"].id], "team_id": world["a"].id,
            "hire_date": date(2025, 1, 6), "status": ACTIVE, "education": "D3", "birth_date": date(2000, 5, 17),
            "identity_number": "3507123456780001", "phone": "0812", "address": "Jl. Merdeka 1"}
    data.update(over)
    return data


def test_add_a_person_with_a_first_team_and_an_audit_event_without_personal_data(app, world):
    with app.test_request_context():
        staff = services.save_staff(None, _data(world), world["hr"])
        assert staff.team.name == "Tim A" and staff.current_membership.starts_on == date(2025, 1, 6)
        assert [s.name for s in staff.services] == ["147"]
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "staff.created"))
        assert "1509100" in event.new_values and "3507123456780001" not in event.new_values
        services.save_staff(staff, {**_data(world), "phone": "0813"}, world["hr"])
        changed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "staff.updated"))
        assert "(diubah)" in changed.new_values and "0813" not in changed.new_values


@pytest.mark.parametrize("over, field", [
    ({"employee_number": ""}, "employee_number"),
    ({"employee_number": "12/34"}, "employee_number"),
    ({"employee_number": "teams"}, "employee_number"),
    ({"full_name": "  "}, "full_name"),
    ({"birth_date": date(2026, 1, 1)}, "birth_date"),
    ({"education": "SD"}, "education"),
])
def test_bad_staff_data_is_refused_with_its_field(app, world, over, field):
    with app.test_request_context():
        with pytest.raises(ServiceError) as refused:
            services.save_staff(None, _data(world, **over), world["hr"])
        assert refused.value.field == field


def test_never_a_duplicate_person_nor_an_account_linked_twice(app, world, factories):
    user = factories.user(["agent"])
    with app.test_request_context():
        services.save_staff(None, _data(world, user_id=user.id), world["hr"])
        with pytest.raises(ServiceError) as dup:
            services.save_staff(None, _data(world, full_name="Orang Lain"), world["hr"])
        assert dup.value.field == "employee_number"
        with pytest.raises(ServiceError) as twice:
            services.save_staff(None, _data(world, employee_number="1509101", user_id=user.id), world["hr"])
        assert twice.value.field == "user_id"
        with pytest.raises(ServiceError) as far:
            services.save_staff(None, _data(world, employee_number="1509102", team_id=world["far"].id), world["hr"])
        assert far.value.field == "team_id"


def test_team_moves_are_dated_and_the_history_answers_who_was_in_the_team(app, world):
    with app.test_request_context():
        staff = services.save_staff(None, _data(world), world["hr"])
        services.move_to_team(staff, world["b"], date(2026, 4, 1), world["hr"], "Penguatan tim B")
        assert staff.team.name == "Tim B"
        rows = db.session.scalars(select(TeamMembership).where(TeamMembership.staff_id == staff.id)
                                  .order_by(TeamMembership.starts_on)).all()
        assert [(r.team.name, r.starts_on, r.ends_on) for r in rows] == [
            ("Tim A", date(2025, 1, 6), date(2026, 3, 31)), ("Tim B", date(2026, 4, 1), None)]
        assert staff in services.members_on(world["a"], date(2026, 3, 15))  # "who was in this team in March"
        assert staff not in services.members_on(world["a"], date(2026, 4, 1))
        assert staff in services.members_on(world["b"], date(2026, 4, 1))
        assert staff not in services.members_on(world["b"], date(2026, 3, 31))
        assert _actions("staff.moved") == 1
        for team, day, field in [(world["b"], date(2026, 5, 1), "team_id"),  # already there
                                 (world["a"], date(2026, 4, 1), "starts_on"),  # not after the current start
                                 (world["far"], date(2026, 6, 1), "team_id")]:  # another site
            with pytest.raises(ServiceError) as refused:
                services.move_to_team(staff, team, day, world["hr"])
            assert refused.value.field == field
        assert db.session.scalar(select(func.count()).select_from(TeamMembership).where(
            TeamMembership.staff_id == staff.id, TeamMembership.ends_on.is_(None))) == 1  # one team at a time


def test_one_open_membership_a_person_is_enforced_by_the_database(app, world):
    from sqlalchemy.exc import IntegrityError

    with app.test_request_context():
        staff = make_staff(team=world["a"])
        with pytest.raises(IntegrityError):
            with db.session.begin_nested():
                db.session.add(TeamMembership(staff_id=staff.id, team_id=world["b"].id, starts_on=date(2026, 1, 1)))
                db.session.flush()


def test_contracts_do_not_overlap_and_an_extension_follows_the_day_after(app, world):
    with app.test_request_context():
        staff = services.save_staff(None, _data(world), world["hr"])
        first = services.add_contract(staff, {"kind": PROBATION, "starts_on": date(2025, 1, 6), "ends_on": date(2025, 4, 5)}, world["hr"])
        for data, field in [({"kind": PKWT, "starts_on": date(2025, 3, 1), "ends_on": date(2025, 12, 31)}, "starts_on"),
                            ({"kind": PKWT, "starts_on": date(2025, 5, 1)}, "ends_on"),
                            ({"kind": PERMANENT, "starts_on": date(2025, 5, 1), "ends_on": date(2025, 6, 1)}, "ends_on"),
                            ({"kind": PKWT, "starts_on": date(2024, 1, 1), "ends_on": date(2024, 6, 1)}, "starts_on"),
                            ({"kind": "other", "starts_on": date(2025, 5, 1)}, "kind")]:
            with pytest.raises(ServiceError) as refused:
                services.add_contract(staff, data, world["hr"])
            assert refused.value.field == field, data
        with pytest.raises(ServiceError) as no_evaluation:
            services.extend_contract(first, {"kind": PKWT, "ends_on": date(2026, 4, 5), "evaluation": " "}, world["hr"])
        assert no_evaluation.value.field == "evaluation"
        second = services.extend_contract(first, {"kind": PKWT, "ends_on": date(2026, 4, 5),
                                                  "evaluation": "Kinerja baik, kehadiran 98 %"}, world["hr"])
        assert second.starts_on == date(2025, 4, 6) and second.extends_id == first.id
        assert _actions("staff_contract.extended") == 1
        with pytest.raises(ServiceError):
            services.extend_contract(first, {"kind": PKWT, "ends_on": date(2027, 1, 1), "evaluation": "x"}, world["hr"])


def test_a_contract_that_ends_without_extension_ends_the_person_and_their_login_the_day_after(app, world, factories):
    from portal.auth import services as auth

    user = factories.user(["agent"])
    with app.test_request_context():
        staff = services.save_staff(None, _data(world, user_id=user.id), world["hr"])
        services.add_contract(staff, {"kind": PKWT, "starts_on": date(2025, 1, 6), "ends_on": date(2026, 6, 30)}, world["hr"])
        assert services.end_expired(date(2026, 6, 30)) == []  # the last day: still working, still signs in
        assert auth.authenticate(user.username, "correct-horse-battery", "127.0.0.1").user is not None
        assert services.end_expired(date(2026, 7, 1)) == [staff]
        assert staff.status == ENDED and staff.ended_on == date(2026, 6, 30)
        assert staff.memberships[0].ends_on == date(2026, 6, 30) and staff.team is None
        assert auth.authenticate(user.username, "correct-horse-battery", "127.0.0.1").user is None
        assert services.end_expired(date(2026, 7, 2)) == []  # once


def test_an_extended_contract_keeps_the_person(app, world):
    with app.test_request_context():
        staff = services.save_staff(None, _data(world), world["hr"])
        first = services.add_contract(staff, {"kind": PKWT, "starts_on": date(2025, 1, 6), "ends_on": date(2026, 6, 30)}, world["hr"])
        services.extend_contract(first, {"kind": PKWT, "ends_on": date(2027, 6, 30), "evaluation": "Baik"}, world["hr"])
        assert services.end_expired(date(2026, 7, 1)) == []
        assert staff.status == ACTIVE


def test_reminder_counts_take_only_the_last_contract_of_working_people(app, world):
    today = date(2026, 11, 30)
    with app.test_request_context():
        soon = make_staff(team=world["a"], with_contract=True, contract_end=today + timedelta(days=5))
        make_staff(team=world["a"], with_contract=True, contract_end=today + timedelta(days=45))
        make_staff(team=world["a"], with_contract=True, contract_end=today + timedelta(days=90))
        make_staff(team=world["a"], with_contract=True, contract_end=today + timedelta(days=10), status=ENDED)
        extended = make_staff(team=world["a"], with_contract=True, contract_end=today + timedelta(days=20))
        db.session.add(StaffContract(staff_id=extended.id, kind=PKWT, starts_on=today + timedelta(days=21),
                                     ends_on=today + timedelta(days=400), position_id=extended.position_id,
                                     site_id=extended.site_id))
        db.session.flush()
        assert services.contracts_ending(None, today, 60, 7) == (2, 1)
        assert services.contracts_ending_by_window(None, today, (7, 30, 60)) == {7: 1, 30: 1, 60: 2}
        assert services.contracts_ending(Staff.site_id == world["other"].id, today, 60, 7) == (0, 0)
        assert soon.id


def test_positions_of_the_manual_are_data_with_their_source_and_seeding_twice_changes_nothing(app):
    with app.test_request_context():
        seed_positions()
        again = seed_positions()
        assert again == []
        tl = db.session.scalar(select(Position).where(Position.code == "TL"))
        (rs,) = tl.requirement_sets
        assert rs.source == "OB.IN.CC.TELK.MNOP-01.Rev.00 §2.1"
        kinds = {r.kind: r.params for r in rs.requirements}
        assert kinds[MAX_AGE] == {"years": 35}
        assert kinds[EXPERIENCE]["options"][0]["positions"] == ["AGENT"] and kinds[EXPERIENCE]["options"][0]["months"] == 12
        spv = db.session.scalar(select(Position).where(Position.code == "SPV-OPS"))
        options = next(r for r in spv.requirement_sets[0].requirements if r.kind == EXPERIENCE).params["options"]
        assert [(o["positions"], o["months"]) for o in options] == [(["TL"], 24), (["SPV-OPS", "SPV-QUALITY"], 12)]
        codes = set(db.session.scalars(select(Position.code)))
        assert {"AGENT", "TL", "SPV-OPS", "QCO", "QA", "SPV-QUALITY", "TRAINER", "QC-T2", "HD-SUPPORT"} <= codes


# ---------------------------------------------------------------- the Excel import
class Upload(io.BytesIO):
    def __init__(self, data: bytes, filename: str = "karyawan.xlsx"):
        super().__init__(data)
        self.filename = filename


def workbook(rows: list[list], headers: list[str] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers or imports.HEADERS)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _row(number, name="Ayu Pratama", team="Tim Impor", position="Agent", site="MLGX", **over):
    values = dict(zip(imports.HEADERS, [number, name, position, site, "147X", team, "2025-03-03", "Aktif", "D3", "",
                                        "PKWT", "2025-03-03", "2026-03-02"]))
    values.update(over)
    return [values[h] for h in imports.HEADERS]


@pytest.fixture
def import_world(app, factories):
    site = factories.site(code="MLGX", name="Malang X")
    factories.service(code="147X", name="147 X")
    hr = factories.user(["hr"])
    with app.test_request_context():
        make_position("AGENT", "Agent")
        make_position("TL", "Team Leader", "tl")
    return {"site": site, "hr": hr}


def test_import_saves_every_row_with_teams_and_contracts(app, import_world):
    rows = [_row("2001", "Bayu Leader", position="TL"), _row("2002"), _row("2003", "Citra", team="Tim Dua")]
    with app.test_request_context():
        report = imports.import_staff(Upload(workbook(rows)), import_world["hr"])
        assert report.ok and report.created == 3 and sorted(report.teams_created) == ["Tim Dua (Malang X)", "Tim Impor (Malang X)"]
        team = db.session.scalar(select(Team).where(Team.name == "Tim Impor"))
        assert team.leader.employee_number == "2001"
        assert {s.employee_number for s in services.current_members(team)} == {"2001", "2002"}
        assert db.session.scalar(select(func.count()).select_from(StaffContract)) == 3


def test_import_is_all_or_nothing_with_a_report_row_by_row(app, import_world):
    with app.test_request_context():
        make_staff(site=import_world["site"], employee_number="2009")
        rows = [_row("2001"), _row("2002", site="Atlantis"), _row("2001", "Dobel"), _row("2009", "Sudah Ada"),
                _row("2004", **{"Tanggal Masuk": "kemarin"}), _row("2005", **{"Jenis Kontrak": "Harian"}), _row("2006")]
        report = imports.import_staff(Upload(workbook(rows)), import_world["hr"])
        assert not report.ok and report.created == 0
        assert [(row, number) for row, number, _msg in report.errors] == [(3, "2002"), (4, "2001"), (5, "2009"),
                                                                          (6, "2004"), (7, "2005")]
        assert "Atlantis" in report.errors[0][2] and "2001" in report.errors[1][2]
        assert db.session.scalar(select(func.count()).select_from(Staff)) == 1  # only the one that was there
        assert db.session.scalar(select(Team.id).where(Team.name == "Tim Impor")) is None


@pytest.mark.parametrize("data, filename", [(b"not a workbook", "x.xlsx"), (None, "x.xlsx"), (b"", "")])
def test_import_refuses_what_is_not_a_usable_workbook(app, import_world, data, filename):
    if data is None:
        data = workbook([], headers=["Nama", "Site"])
    with app.test_request_context():
        with pytest.raises(ServiceError) as refused:
            imports.import_staff(Upload(data, filename), import_world["hr"])
        assert refused.value.field == "file"


def test_import_reads_excel_dates_and_numbers_as_typed(app, import_world):
    from datetime import datetime

    rows = [_row(2010.0, **{"Tanggal Masuk": datetime(2025, 3, 3), "Kontrak Mulai": "03/03/2025",
                            "Kontrak Berakhir": date(2026, 3, 2)})]
    with app.test_request_context():
        report = imports.import_staff(Upload(workbook(rows)), import_world["hr"])
        assert report.ok, report.errors
        staff = services.get_staff("2010")
        assert staff.hire_date == date(2025, 3, 3) and staff.contracts[0].ends_on == date(2026, 3, 2)


def test_template_has_the_indonesian_headers(app):
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(imports.template_bytes())).active
    assert [c.value for c in ws[1]][:7] == ["NIK Karyawan", "Nama", "Jabatan", "Site", "Layanan", "Tim", "Tanggal Masuk"]


def test_extension_is_evaluated_then_signed_by_a_manager(app, world, factories):
    manager = factories.user(["manager"], position="Manager Operasional")
    with app.test_request_context():
        staff = services.save_staff(None, _data(world), world["hr"])
        contract = services.add_contract(staff, {"kind": PKWT, "starts_on": date(2025, 1, 6), "ends_on": date(2026, 6, 30)}, world["hr"])
        with pytest.raises(ServiceError) as no_end:
            services.propose_extension(contract, {"recommendation": "extend", "kind": PKWT, "evaluation": "Baik"}, world["hr"])
        assert no_end.value.field == "ends_on"
        proposal = services.propose_extension(contract, {"recommendation": "extend", "kind": PKWT, "ends_on": date(2027, 6, 30),
                                                         "evaluation": "Kinerja 102 %, kehadiran 98 %"}, world["hr"])
        with pytest.raises(ServiceError):  # one evaluation waiting at a time
            services.propose_extension(contract, {"recommendation": "end", "evaluation": "x"}, world["hr"])
        with pytest.raises(ServiceError) as own:
            services.decide_extension(proposal, True, "correct-horse-battery", "", world["hr"])
        assert "sekaligus menyetujui" in own.value.message
        with pytest.raises(ServiceError) as wrong:
            services.decide_extension(proposal, True, "salah", "", manager)
        assert wrong.value.field == "password" and wrong.value.keep is not None
        with pytest.raises(ServiceError) as no_reason:
            services.decide_extension(proposal, False, "correct-horse-battery", " ", manager)
        assert no_reason.value.field == "note"
        new = services.decide_extension(proposal, True, "correct-horse-battery", "", manager)
        assert new.starts_on == date(2026, 7, 1) and new.ends_on == date(2027, 6, 30) and new.extends_id == contract.id
        assert proposal.status == "approved" and proposal.decided_name == manager.full_name and proposal.new_contract_id == new.id
        assert _actions("contract_extension.approved") == 1
        assert services.end_expired(date(2026, 7, 1)) == []


def test_a_signed_decision_to_let_the_contract_end_ends_the_person_after_it(app, world, factories):
    manager = factories.user(["manager"])
    with app.test_request_context():
        staff = services.save_staff(None, _data(world), world["hr"])
        contract = services.add_contract(staff, {"kind": PKWT, "starts_on": date(2025, 1, 6), "ends_on": date(2026, 6, 30)}, world["hr"])
        proposal = services.propose_extension(contract, {"recommendation": "end", "evaluation": "Kehadiran 70 %"}, world["hr"])
        assert services.decide_extension(proposal, True, "correct-horse-battery", "", manager) is None
        assert len(staff.contracts) == 1
        assert services.end_expired(date(2026, 7, 1)) == [staff]


def test_a_person_marked_as_left_signs_in_until_their_last_day(app, world, factories):
    from portal.auth import services as auth

    user = factories.user(["agent"])
    with app.test_request_context():
        staff = services.save_staff(None, _data(world, user_id=user.id), world["hr"])
        services.save_staff(staff, {**_data(world, user_id=user.id), "status": ENDED, "ended_on": date(2026, 8, 31)}, world["hr"])
        assert staff.team is None and staff.memberships[0].ends_on == date(2026, 8, 31)
        services.end_expired(date(2026, 8, 31))
        assert auth.authenticate(user.username, "correct-horse-battery", "127.0.0.1").user is not None
        services.end_expired(date(2026, 9, 1))
        assert auth.authenticate(user.username, "correct-horse-battery", "127.0.0.1").user is None

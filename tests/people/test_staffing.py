"""The staffing KPI "Pemenuhan Jumlah SDM": the arithmetic (no plan, a person leaving mid-month counted by the days
covered, a move between services, leave, a gap between contracts), the target as data, the report and the API."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.core.service import ServiceError
from portal.extensions import db
from portal.people import staffing
from portal.people.models import KpiTarget, StaffContract, TeamMembership
from tests.people_factories import make_staff, make_team

NOV = date(2026, 11, 1)  # 30 days


@pytest.fixture
def kpi(app, factories):
    mlg = factories.site(code="MLGK", name="Malang K")
    smg = factories.site(code="SMGK", name="Semarang K")
    s147 = factories.service(code="147K", name="147 K")
    ct0 = factories.service(code="CT0K", name="CT-0 K")
    hr = factories.user(["hr"])
    with app.test_request_context():
        team = make_team(site=mlg, service=s147, name="A")
        other = make_team(site=mlg, service=ct0, name="B")
        far = make_team(site=smg, service=s147, name="C")
        for _ in range(3):
            make_staff(team=team, with_contract=True, since=date(2025, 1, 6), contract_end=date(2027, 12, 31))
        db.session.commit()
    return {"mlg": mlg, "smg": smg, "s147": s147, "ct0": ct0, "hr": hr, "team": team, "other": other, "far": far}


def _row(rows, service, site, month=NOV):
    return next(r for r in rows if r.service_id == service.id and r.site_id == site.id and r.month == month)


def test_full_month_agents_against_the_plan(app, kpi):
    with app.test_request_context():
        staffing.save_plan(kpi["s147"].id, kpi["mlg"].id, NOV, 4, kpi["hr"])
        row = _row(staffing.staffing(NOV), kpi["s147"], kpi["mlg"])
        assert (row.planned, row.available, row.fulfilment, row.target) == (4, Decimal("3.00"), Decimal("75.00"), Decimal("95.00"))
        assert row.under_target and row.missing == Decimal("1.00")
        assert row.as_json() == {"month": "2026-11", "service": "147K", "service_name": "147 K", "site": "MLGK",
                                 "site_name": "Malang K", "planned": 4, "available": 3.0, "fulfilment": 75.0, "target": 95.0}


def test_no_plan_means_no_fulfilment(app, kpi):
    with app.test_request_context():
        row = _row(staffing.staffing(NOV), kpi["s147"], kpi["mlg"])
        assert row.planned is None and row.fulfilment is None and not row.under_target and row.available == Decimal("3.00")
        staffing.save_plan(kpi["ct0"].id, kpi["smg"].id, NOV, 5, kpi["hr"])
        empty = _row(staffing.staffing(NOV), kpi["ct0"], kpi["smg"])
        assert empty.available == Decimal("0.00") and empty.fulfilment == Decimal("0.00")


def test_a_person_leaving_mid_month_counts_for_the_days_covered_and_is_named(app, kpi):
    with app.test_request_context():
        leaver = make_staff(team=kpi["team"], full_name="Pergi Tengah", with_contract=True, contract_end=date(2026, 11, 15),
                            status="ended", ended_on=date(2026, 11, 15))
        staffing.save_plan(kpi["s147"].id, kpi["mlg"].id, NOV, 4, kpi["hr"])
        row = _row(staffing.staffing(NOV), kpi["s147"], kpi["mlg"])
        assert row.available == Decimal("3.50") and row.fulfilment == Decimal("87.50")  # 3 + 15/30
        assert row.left == [(leaver.employee_number, "Pergi Tengah", date(2026, 11, 15))]
        assert row.partial == [(leaver.employee_number, "Pergi Tengah", 15)]
        december = staffing.staffing(date(2026, 12, 1))
        assert _row(december, kpi["s147"], kpi["mlg"], date(2026, 12, 1)).available == Decimal("3.00")


def test_a_move_between_services_splits_the_month_and_leave_or_no_contract_does_not_count(app, kpi):
    with app.test_request_context():
        mover = make_staff(team=kpi["team"], with_contract=True, since=date(2025, 1, 6), contract_end=date(2027, 1, 1))
        open_row = db.session.scalar(select(TeamMembership).where(TeamMembership.staff_id == mover.id))
        open_row.ends_on = date(2026, 11, 20)
        db.session.add(TeamMembership(staff_id=mover.id, team_id=kpi["other"].id, starts_on=date(2026, 11, 21)))
        make_staff(team=kpi["team"], with_contract=True, status="on_leave")
        gap = make_staff(team=kpi["team"], with_contract=True, contract_end=date(2026, 11, 9))
        db.session.add(StaffContract(staff_id=gap.id, kind="pkwt", starts_on=date(2026, 11, 25), ends_on=date(2027, 11, 24),
                                     position_id=gap.position_id, site_id=gap.site_id))
        db.session.flush()
        rows = staffing.staffing(NOV)
        # 147: 3 full + mover 20 days + gap 9 + 6 days; CT-0: mover 10 days
        assert _row(rows, kpi["s147"], kpi["mlg"]).available == (Decimal(3) + Decimal(35) / 30).quantize(Decimal("0.01"))
        assert _row(rows, kpi["ct0"], kpi["mlg"]).available == Decimal("0.33")


def test_the_target_is_data_and_a_range_of_months_costs_the_same(app, kpi):
    with app.test_request_context():
        db.session.add(KpiTarget(code="staffing", valid_from=date(2026, 12, 1), target=Decimal("97.5")))
        db.session.flush()
        rows = staffing.staffing(NOV, date(2027, 1, 1))
        assert {r.month: r.target for r in rows if r.service_id == kpi["s147"].id} == {
            NOV: Decimal("95.00"), date(2026, 12, 1): Decimal("97.50"), date(2027, 1, 1): Decimal("97.50")}


def test_a_plan_is_checked_and_changed_in_place(app, kpi):
    with app.test_request_context():
        with pytest.raises(ServiceError) as refused:
            staffing.save_plan(kpi["s147"].id, kpi["mlg"].id, NOV, -1, kpi["hr"])
        assert refused.value.field == "planned"
        first = staffing.save_plan(kpi["s147"].id, kpi["mlg"].id, date(2026, 11, 17), 4, kpi["hr"])
        again = staffing.save_plan(kpi["s147"].id, kpi["mlg"].id, NOV, 6, kpi["hr"])
        assert first.id == again.id and again.planned == 6 and again.month == NOV


def test_report_and_api_for_hr_and_a_supervisor_of_one_site(client, make_client, kpi, factories):
    with client.application.test_request_context():
        staffing.save_plan(kpi["s147"].id, kpi["mlg"].id, NOV, 4, kpi["hr"])
        staffing.save_plan(kpi["s147"].id, kpi["smg"].id, NOV, 2, kpi["hr"])
        db.session.commit()
    client.login(kpi["hr"].username)
    page = client.get("/people/staffing?month=2026-11")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "75,00 %" in html and 'data-testid="under-target"' in html
    data = client.get("/api/people/staffing?month=2026-11").get_json()
    rows = {(r["service"], r["site"]): r for r in data["staffing"]}
    assert rows[("147K", "MLGK")]["fulfilment"] == 75.0 and rows[("147K", "SMGK")]["available"] == 0.0
    assert client.get("/api/people/staffing?month=11-2026").status_code == 400
    assert client.get("/people/staffing.xlsx?month=2026-11").status_code == 200
    pdf = client.get("/people/staffing.pdf?month=2026-11")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-") and "attachment" in pdf.headers["Content-Disposition"]
    import subprocess

    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.data, capture_output=True, check=True).stdout.decode()
    assert "Pemenuhan Jumlah SDM" in text and "2026-11" in text
    spv = make_client()
    spv.login(factories.user(["spv"], site=kpi["smg"]).username)
    only = spv.get("/api/people/staffing?month=2026-11").get_json()["staffing"]
    assert {r["site"] for r in only} == {"SMGK"}
    agent = make_client()
    agent.login(factories.user(["agent"]).username)
    assert agent.get("/api/people/staffing?month=2026-11").status_code == 403
    assert agent.get("/people/staffing").status_code == 403
    assert agent.get("/people/staffing.pdf").status_code == 403
    spec = client.get("/api/openapi.json").get_json()
    assert set(spec["components"]["schemas"]["Staffing"]["properties"]) >= {
        "service", "site", "planned", "available", "fulfilment", "target"}
    assert "/people/staffing" in spec["paths"]


def test_caplan_form_keeps_the_typing_on_an_error(client, kpi):
    client.login(kpi["hr"].username)
    bad = client.post_form("/people/caplan", {"month": "2026-13", "site_id": kpi["mlg"].id, "service_id": kpi["s147"].id,
                                              "planned": "7"})
    assert bad.status_code == 422 and "2026-13" in bad.get_data(as_text=True)
    ok = client.post_form("/people/caplan", {"month": "2026-12", "site_id": kpi["mlg"].id, "service_id": kpi["s147"].id,
                                             "planned": "7"})
    assert ok.status_code == 303


def test_caplan_import_is_all_or_nothing(client, kpi):
    import io

    from tests.people.test_services import workbook
    from portal.people.models import CapacityPlan

    client.login(kpi["hr"].username)
    token = client.token("/people/caplan")
    headers = ["Bulan", "Layanan", "Site", "Rencana"]
    bad = workbook([["2026-12", "147K", "MLGK", 9], ["2026-13", "147K", "MLGK", 9], ["2026-12", "147K", "Atlantis", 2],
                    ["2026-12", "147K", "MLGK", 4]], headers=headers)
    response = client.post("/people/caplan/import", data={"csrf_token": token, "file": (io.BytesIO(bad), "caplan.xlsx")},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Baris 3" in html and "Atlantis" in html and "Baris 5" in html
    assert db.session.scalar(select(CapacityPlan.id)) is None
    good = workbook([["2026-12", "147K", "MLGK", 9], ["2027-01", "147 K", "Malang K", 10]], headers=headers)
    response = client.post("/people/caplan/import", data={"csrf_token": token, "file": (io.BytesIO(good), "caplan.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    plans = db.session.scalars(select(CapacityPlan).order_by(CapacityPlan.month)).all()
    assert [(p.month, p.planned) for p in plans] == [(date(2026, 12, 1), 9), (date(2027, 1, 1), 10)]
    assert client.get("/people/caplan/template.xlsx").status_code == 200

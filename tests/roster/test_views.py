"""Roster pages through the test client: a team leader edits only their own team's grid (403 on another's, no
inputs there), the cell comes back as the person's row (422 with the typing kept when refused), the supervisor
publishes with their password (the team leader sees no publish button), changes after publishing need a reason,
an agent sees only their own roster and checks in from the home panel, the floor and F-02 show the late arrival,
the JSON API, the HK+3 panel, the company days off."""
from __future__ import annotations

import io

from datetime import date, datetime, timedelta

from sqlalchemy import select

from portal.core.i18n import local_today
from portal.extensions import db
from portal.roster import realisation
from portal.roster import services as roster
from portal.roster.models import Attendance, RosterEntry
from tests.factories import TEST_PASSWORD

HX = {"HX-Request": "true"}


def _text(response) -> str:
    return response.get_data(as_text=True)


def _grid_url(org, month="2026-12", team="team"):
    return f"/roster/{org[team].id}/{month}"


def test_team_leader_edits_only_their_team(client, org):
    client.login(org["tl"].username)
    page = _text(client.get(_grid_url(org)))
    assert 'data-cell-url=' in page and "Rina Marlina" in page and 'data-testid="fill-form"' in page
    assert 'data-testid="publish-form"' not in page  # the team leader does not publish
    response = client.post_form(f"{_grid_url(org)}/cell", {"staff_id": org["agent_staff"].id, "day": "2026-12-01",
                                                           "code": "p"}, headers=HX)
    assert response.status_code == 200
    body = _text(response)
    assert f'id="row-{org["agent_staff"].id}"' in body and 'value="P"' in body and 'hx-swap-oob="true"' in body
    # refused: the typing is kept, the message is next to the person, 422
    response = client.post_form(f"{_grid_url(org)}/cell", {"staff_id": org["short"].id, "day": "2026-12-02",
                                                           "code": "S"}, headers=HX)
    assert response.status_code == 422 and 'data-testid="cell-error"' in _text(response)  # no contract in December
    response = client.post_form(f"{_grid_url(org)}/cell", {"staff_id": org["agent_staff"].id, "day": "2026-12-02",
                                                           "code": "zz"}, headers=HX)
    assert response.status_code == 422
    assert 'data-testid="cell-error"' in _text(response) and 'aria-invalid="true"' in _text(response)
    assert 'value="ZZ"' in _text(response)  # what was typed stays in the cell
    # another team's grid: readable by nobody but its leader's chain; no change
    assert client.get(_grid_url(org, team="team_b")).status_code == 403
    assert client.post_form(f"{_grid_url(org, team='team_b')}/cell", {"staff_id": org["other"].id, "day": "2026-12-01",
                                                                     "code": "P"}, headers=HX).status_code == 403
    assert db.session.scalar(select(RosterEntry.id).where(RosterEntry.staff_id == org["other"].id)) is None


def test_fill_range_and_copy_week_by_form(client, org):
    client.login(org["tl"].username)
    response = client.post_form(f"{_grid_url(org)}/fill", {"staff_id": org["bayu"].id, "start": "2026-12-01",
                                                           "end": "2026-12-05", "code": "S"})
    assert response.status_code == 303
    response = client.post_form(f"{_grid_url(org)}/fill", {"staff_id": org["bayu"].id, "start": "2026-12-09",
                                                           "end": "2026-12-07", "code": "QQ"})
    assert response.status_code == 422 and 'value="QQ"' in _text(response)
    assert client.post_form(f"{_grid_url(org)}/copy-week", {"week": "2026-12-07"}).status_code == 303
    days = set(db.session.scalars(select(RosterEntry.day).where(RosterEntry.staff_id == org["bayu"].id)))
    assert date(2026, 12, 8) in days and date(2026, 12, 12) in days


def test_supervisor_publishes_and_changes_need_a_reason(client, make_client, org):
    with client.application.test_request_context():
        m = roster.month_for(org["team"], date(2026, 12, 1), org["tl"])
        roster.fill_range(m, org["agent_staff"], date(2026, 12, 1), date(2026, 12, 5), "P", org["tl"])
        db.session.commit()
    spv = client
    spv.login(org["spv"].username)
    page = _text(spv.get(_grid_url(org)))
    assert 'data-testid="publish-form"' in page
    assert spv.post_form(f"{_grid_url(org)}/publish", {"password": "nope"}).status_code == 422
    assert spv.post_form(f"{_grid_url(org)}/publish", {"password": TEST_PASSWORD}).status_code == 303
    tl = make_client()
    tl.login(org["tl"].username)
    page = _text(tl.get(_grid_url(org)))
    assert "data-cell-url" not in page and 'data-testid="change-form"' in page and 'data-testid="compare-link"' in page
    assert tl.post_form(f"{_grid_url(org)}/cell", {"staff_id": org["agent_staff"].id, "day": "2026-12-08", "code": "P"},
                        headers=HX).status_code == 422
    response = tl.post_form(f"{_grid_url(org)}/change", {"staff_id": org["agent_staff"].id, "day": "2026-12-02",
                                                         "code": "S", "kind": "swap", "reason": ""})
    assert response.status_code == 422
    response = tl.post_form(f"{_grid_url(org)}/change", {"staff_id": org["agent_staff"].id, "day": "2026-12-02",
                                                         "code": "S", "kind": "sick_replacement", "reason": "Menggantikan Bayu sakit"})
    assert response.status_code == 303
    page = _text(tl.get(f"{_grid_url(org)}/compare"))
    assert "Menggantikan Bayu sakit" in page and "Rina Marlina" in page
    assert tl.post_form(f"{_grid_url(org)}/publish", {"password": TEST_PASSWORD}).status_code == 403


def test_agent_sees_only_their_own_roster_and_checks_in(client, org):
    today = local_today()
    with client.application.test_request_context():
        m = roster.month_for(org["team"], today.replace(day=1), org["tl"])
        roster.set_cell(m, org["agent_staff"], today, "P", org["tl"])
        roster.set_cell(m, org["bayu"], today, "S", org["tl"])
        db.session.commit()
    client.login(org["agent"].username)
    assert client.get(_grid_url(org, f"{today:%Y-%m}")).status_code == 403
    assert client.get("/roster/today").status_code == 403
    mine = _text(client.get("/roster/me"))
    assert "<td>P <span" in mine and "<td>S <span" not in mine  # their P, not Bayu's S
    home = _text(client.get("/"))
    assert 'data-testid="home-panel"' in home
    panel = _text(client.get("/roster/home", headers=HX))
    assert 'data-testid="check-in"' in panel
    assert client.post_form("/roster/check-in", token_from="/roster/me").status_code == 303
    row = db.session.scalar(select(Attendance).where(Attendance.staff_id == org["agent_staff"].id))
    assert row is not None and row.check_in is not None and row.source == "self" and row.in_address
    panel = _text(client.get("/roster/home", headers=HX))
    assert 'data-testid="check-out"' in panel and 'data-testid="check-in"' not in panel
    assert client.post_form("/roster/check-in", token_from="/roster/me").status_code == 303  # refused, flashed
    assert db.session.scalar(select(Attendance).where(Attendance.staff_id == org["agent_staff"].id)).check_in == row.check_in


def test_floor_f02_and_the_coaching_link(client, org):
    today = local_today()
    with client.application.test_request_context():
        m = roster.month_for(org["team"], today.replace(day=1), org["tl"])
        roster.set_cell(m, org["agent_staff"], today, "P", org["tl"])
        roster.set_cell(m, org["bayu"], today, "P", org["tl"])
        realisation.record_times(org["agent_staff"], today, datetime.combine(today, datetime.min.time()).replace(hour=7, minute=25),
                                 None, org["tl"])
        realisation.record_absence(org["bayu"], today, "permission", "Urusan keluarga", org["tl"])
        db.session.commit()
    client.login(org["tl"].username)
    floor = _text(client.get("/roster/today"))
    assert "Rina Marlina" in floor and "25 menit terlambat" in floor
    assert f'data-testid="floor-coaching-{org["agent_staff"].id}"' in floor
    assert "/coaching/findings/new?staff=" in floor
    # The team selector offers the teams the user sees (tl: their own, not team_b of the other leader) and keeps the choice.
    chosen = _text(client.get(f"/roster/today?team={org['team'].id}"))
    teams = chosen.split('data-testid="floor-team"', 1)[1].split("</select>", 1)[0]
    assert f'<option value="{org["team"].id}" selected>' in teams and f'value="{org["team_b"].id}"' not in teams
    assert "Rina Marlina" in chosen
    assert _text(client.get("/roster/today", headers={**HX, "HX-Trigger": "floor"})).lstrip().startswith("<section")
    f02 = _text(client.get(f"{_grid_url(org, f'{today:%Y-%m}')}/f02"))
    assert "Rina Marlina" in f02 and 'data-testid="f02-exceptions"' in f02
    # Its Excel: the person's row with the counts and the compliance as a number, the total, the exceptions sheet.
    from openpyxl import load_workbook

    xlsx = client.get(f"{_grid_url(org, f'{today:%Y-%m}')}/f02.xlsx")
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(xlsx.data))
    rows = list(wb["F-02"].iter_rows(min_row=5, values_only=True))
    rina = next(r for r in rows if r[1] == "Rina Marlina")
    assert rina[2:6] == (1, 1, 0, 1) and rina[9] == 0  # scheduled, present, on time, late; compliance 0 %
    assert rows[-1][1] == "Total"
    exceptions = list(wb.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert any(r[2] == "Rina Marlina" and r[4] == "07.25" and "25" in r[6] for r in exceptions)
    assert client.get(f"/roster/{org['team_b'].id}/{today:%Y-%m}/f02.xlsx").status_code == 403
    day = _text(client.get(f"/roster/{org['team'].id}/day/{today.isoformat()}"))
    assert f'data-testid="times-{org["agent_staff"].id}"' in day
    # the supervisor of the site sees the floor; HR may read the grid but records nothing
    hr = client.application.test_client()
    hr.login(org["hr"].username)
    day = _text(hr.get(f"/roster/{org['team'].id}/day/{today.isoformat()}"))
    assert "Rina Marlina" in day and 'data-testid="times-' not in day


def test_api_compliance(client, org):
    with client.application.test_request_context():
        m = roster.month_for(org["team"], date(2026, 11, 1), org["tl"])
        roster.set_cell(m, org["agent_staff"], date(2026, 11, 2), "P", org["tl"])
        roster.set_cell(m, org["bayu"], date(2026, 11, 2), "P", org["tl"])
        realisation.record_times(org["agent_staff"], date(2026, 11, 2), datetime(2026, 11, 2, 7, 9), None, org["tl"])
        realisation.record_absence(org["bayu"], date(2026, 11, 2), "sick", "Surat dokter", org["tl"])
        db.session.commit()
    client.login(org["tl"].username)
    data = client.get(f"/api/roster/compliance?date=2026-11-02&team={org['team'].id}").get_json()
    people = {p["employee_number"]: p for p in data["people"]}
    rina = people[org["agent_staff"].employee_number]
    assert rina == {"employee_number": org["agent_staff"].employee_number, "name": "Rina Marlina", "shift": "P",
                    "scheduled": True, "present": True, "late_minutes": 9, "on_time": False, "absence_reason": None}
    assert people[org["bayu"].employee_number]["absence_reason"] == "sick"
    assert people[org["short"].employee_number]["scheduled"] is False
    assert data["compliance"] == 0.0
    assert client.get(f"/api/roster/compliance?date=2026-11-03&team={org['team'].id}").get_json()["compliance"] is None
    assert client.get(f"/api/roster/compliance?date=2026-11-02&team={org['team_b'].id}").status_code == 403
    assert client.get("/api/roster/compliance?date=02-11-2026").status_code == 400
    assert "/roster/compliance" in client.get("/api/openapi.json").get_json()["paths"]


def test_hk3_on_the_team_leaders_home_panel(client, org):
    today = local_today()
    with client.application.test_request_context():
        for back in (1, 10):
            day = today - timedelta(days=back)
            m = roster.month_for(org["team"], day.replace(day=1), org["tl"])
            roster.set_cell(m, org["agent_staff"], day, "P", org["tl"])
        db.session.commit()
    client.login(org["tl"].username)
    panel = _text(client.get("/roster/home", headers=HX))
    assert 'data-testid="hk3-overdue"' in panel and 'data-testid="hk3-due"' in panel


def test_company_days_off_page(client, org):
    client.login(org["admin"].username)
    assert client.post_form("/roster/days-off", {"day": "2026-12-24", "name": "Cuti bersama Natal"}).status_code == 303
    page = _text(client.get("/roster/days-off"))
    assert "Cuti bersama Natal" in page and "Hari Raya Natal" in page
    assert client.post_form("/roster/days-off", {"day": "2026-12-24", "name": "Lagi"}).status_code == 422
    tl = client.application.test_client()
    tl.login(org["tl"].username)
    assert tl.get("/roster/days-off").status_code == 403


def test_the_months_f02_is_a_record_signed_by_the_tl_and_approved_by_the_supervisor(client, make_client, org):
    from portal.records import services as records
    from portal.records.models import Record
    from portal.roster.models import RosterMonth
    from tests.records_factories import online_form

    with client.application.test_request_context():
        online_form("IN.OCC.TELK.F-02")
        org["tl"].services = [org["inbound"]]
        org["spv"].services = [org["inbound"]]
        m = roster.month_for(org["team"], date(2026, 11, 1), org["tl"])
        roster.fill_range(m, org["agent_staff"], date(2026, 11, 2), date(2026, 11, 3), "P", org["tl"])
        realisation.record_times(org["agent_staff"], date(2026, 11, 2), datetime(2026, 11, 2, 7, 0), None, org["tl"])
        realisation.record_times(org["agent_staff"], date(2026, 11, 3), datetime(2026, 11, 3, 7, 30), None, org["tl"])
        db.session.commit()
    client.login(org["tl"].username)
    page = _text(client.get(f"{_grid_url(org, '2026-11')}/f02"))
    assert 'data-testid="make-f02"' in page and "50,00 %" in page
    response = client.post_form(f"{_grid_url(org, '2026-11')}/f02", token_from=f"{_grid_url(org, '2026-11')}/f02")
    assert response.status_code == 303 and "/records/" in response.headers["Location"]
    record = db.session.scalar(select(Record).where(Record.form_code == "IN.OCC.TELK.F-02"))
    assert record.data["kesesuaian_tim"] == "50,00" and record.data["rekap"][0]["terlambat"] == "1"
    assert "terlambat 30 menit" in record.data["pengecualian"]
    assert record.period_start == date(2026, 11, 1) and record.period_end == date(2026, 11, 30)
    assert db.session.scalar(select(RosterMonth.f02_record_id).where(RosterMonth.id == m.id)) == record.id
    # a second one is refused; the page links the record instead of the button
    assert client.post_form(f"{_grid_url(org, '2026-11')}/f02", token_from=f"{_grid_url(org, '2026-11')}/f02").status_code == 303
    assert db.session.query(Record).filter(Record.form_code == "IN.OCC.TELK.F-02").count() == 1
    assert 'data-testid="f02-record"' in _text(client.get(f"{_grid_url(org, '2026-11')}/f02"))
    with client.application.test_request_context():
        record = db.session.get(Record, record.id)
        records.submit(record, db.session.get(type(org["tl"]), org["tl"].id), TEST_PASSWORD)
        records.approve(record, db.session.get(type(org["spv"]), org["spv"].id), TEST_PASSWORD)
        assert record.status == "approved" and record.retention_text
    # the supervisor finds the record from the roster's F-02 page; the agent does not open it
    spv = make_client()
    spv.login(org["spv"].username)
    assert 'data-testid="f02-record"' in _text(spv.get(f"{_grid_url(org, '2026-11')}/f02"))
    agent = make_client()
    agent.login(org["agent"].username)
    assert agent.get(f"{_grid_url(org, '2026-11')}/f02").status_code == 403


def test_team_leader_records_times_and_absences_of_the_day(client, org):
    with client.application.test_request_context():
        m = roster.month_for(org["team"], date(2026, 11, 1), org["tl"])
        roster.set_cell(m, org["agent_staff"], date(2026, 11, 30), "M", org["tl"])
        roster.set_cell(m, org["bayu"], date(2026, 11, 30), "P", org["tl"])
        db.session.commit()
    client.login(org["tl"].username)
    day = f"/roster/{org['team'].id}/day/2026-11-30"
    base = f"{day}/{org['agent_staff'].id}"
    response = client.post_form(f"{base}/times", {"check_in": "23:10", "check_out": "06:45"}, token_from=day)
    assert response.status_code == 303
    row = db.session.scalar(select(Attendance).where(Attendance.staff_id == org["agent_staff"].id))
    assert (row.check_in, row.check_out) == (datetime(2026, 11, 30, 16, 10), datetime(2026, 11, 30, 23, 45))  # WIB -> UTC
    assert row.source == "tl"
    response = client.post_form(f"{day}/{org['bayu'].id}/absence", {"reason": "sick", "note": ""}, token_from=day)
    assert response.status_code == 422 and "surat dokter" in _text(response)
    response = client.post_form(f"{day}/{org['bayu'].id}/absence", {"reason": "sick", "note": "SKD 12/XI"}, token_from=day)
    assert response.status_code == 303
    page = _text(client.get(day))
    assert "Sakit (dengan surat dokter)" in page and "15 menit lebih cepat" in page
    # another team's person, and another leader
    assert client.post_form(f"{day}/{org['other'].id}/absence", {"reason": "leave"}, token_from=day).status_code == 404
    other = client.application.test_client()
    other.login(org["tl_b"].username)
    assert other.post_form(f"{base}/times", {"check_in": "07:00"}, token_from="/roster/").status_code == 403


def test_shifts_and_hours_are_data_managed_by_admin(client, org):
    client.login(org["admin"].username)
    page = _text(client.get("/roster/shifts"))
    assert "147" in page and "23.00–07.00 (+1)" in page
    response = client.post_form("/roster/shifts", {"service_id": org["inbound"].id, "code": "N2", "name": "Malam 2",
                                                   "starts": "22:00", "ends": "06:00", "break_minutes": "60", "active": "y"})
    assert response.status_code == 303
    response = client.post_form("/roster/shifts", {"service_id": org["inbound"].id, "code": "N2", "starts": "22:00",
                                                   "ends": "06:00", "break_minutes": "60"})
    assert response.status_code == 422 and 'value="N2"' in _text(response)
    assert client.post_form(f"/roster/hours/{org['outbound'].id}", {"opens": "08:00", "closes": "18:00", "late_tolerance": "10",
                                                                    "early_tolerance": "5"}).status_code == 303
    assert "08.00–18.00" in _text(client.get("/roster/shifts"))
    tl = client.application.test_client()
    tl.login(org["tl"].username)
    assert tl.get("/roster/shifts").status_code == 403


def test_the_roster_section_of_the_persons_page(client, org):
    with client.application.test_request_context():
        m = roster.month_for(org["team"], local_today().replace(day=1), org["tl"])
        roster.set_cell(m, org["agent_staff"], local_today(), "P", org["tl"])
        db.session.commit()
    client.login(org["agent"].username)
    section = _text(client.get(f"/roster/people/{org['agent_staff'].employee_number}", headers=HX))
    assert 'data-testid="roster-section"' in section and "<td>P <span" in section
    assert client.get(f"/roster/people/{org['bayu'].employee_number}").status_code == 403

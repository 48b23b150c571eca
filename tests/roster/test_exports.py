"""Excel and PDF of the grid, and the import of a realistic roster workbook (title rows, NIK and name, one column
per date) with errors in it: every bad cell is named (sheet, address, why) and nothing is written until none is left."""
from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from portal.extensions import db
from portal.roster import services as roster
from portal.roster.models import RosterEntry

DEC = date(2026, 12, 1)


def _workbook(org, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Jadwal Des"
    ws["A1"] = "JADWAL DINAS AGENT LAYANAN 147 - DESEMBER 2026"
    ws["A2"] = "Tim MLG 147-A · TL Dewi"
    ws.append([])
    ws.append(["No", "NIK", "Nama"] + [datetime(2026, 12, d) for d in range(1, 32)])
    for i, (nik, name, codes) in enumerate(rows, start=1):
        ws.append([i, nik, name] + codes)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _week(code, days=31, off=(5, 6)):
    return [None if (d % 7) in off else code for d in range(days)]


def test_export_xlsx_and_pdf(client, org):
    with client.application.test_request_context():
        m = roster.month_for(org["team"], DEC, org["tl"])
        roster.fill_range(m, org["agent_staff"], date(2026, 12, 1), date(2026, 12, 4), "P", org["tl"])
        db.session.commit()
    client.login(org["tl"].username)
    response = client.get(f"/roster/{org['team'].id}/2026-12/export.xlsx")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.data)).active
    assert ws.freeze_panes == "C5"
    header = [c.value for c in ws[4]]
    assert header[:2] == ["NIK", "Nama"] and header[2] == datetime(2026, 12, 1) and len(header) == 33
    row = next(r for r in ws.iter_rows(min_row=5, values_only=True) if r[1] == "Rina Marlina")
    assert row[2:7] == ("P", "P", "P", "P", None)
    pdf = client.get(f"/roster/{org['team'].id}/2026-12/export.pdf?size=A3")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.get(f"/roster/{org['team_b'].id}/2026-12/export.xlsx").status_code == 403


def test_import_reports_every_bad_cell_and_writes_nothing(client, org):
    client.login(org["tl"].username)
    url = f"/roster/{org['team'].id}/2026-12/import"
    bad = _workbook(org, [
        (org["agent_staff"].employee_number, "Rina Marlina", _week("P")),
        ("", "Bayu Saputra", ["S", "S", "X9"] + _week("S")[3:]),  # found by name; an unknown code in E5+1
        ("T999999", "Siapa Ini", _week("P")),  # not in the team
        (org["short"].employee_number, "Citra Pendek", _week("P")),  # no contract in December
    ])
    response = client.post_form(url, {"file": (io.BytesIO(bad), "roster-desember.xlsx")}, content_type="multipart/form-data",
                                token_from=f"/roster/{org['team'].id}/2026-12")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'data-testid="import-problems"' in page and "Jadwal Des" in page
    assert "<td>F6</td>" in page and "X9" in page  # Bayu's third day
    assert "<td>B7</td>" in page and "T999999" in page
    assert "<td>D8</td>" in page and "kontrak" in page  # Citra's first rostered day
    assert db.session.scalar(select(func.count(RosterEntry.id))) == 0  # all or nothing
    good = _workbook(org, [
        (org["agent_staff"].employee_number, "Rina Marlina", _week("P")),
        ("", "Bayu Saputra", _week("S")),
    ])
    response = client.post_form(url, {"file": (io.BytesIO(good), "roster-desember.xlsx")}, content_type="multipart/form-data",
                                token_from=f"/roster/{org['team'].id}/2026-12")
    assert response.status_code == 303
    n = db.session.scalar(select(func.count(RosterEntry.id)).where(RosterEntry.staff_id == org["bayu"].id))
    assert n == sum(1 for c in _week("S") if c)
    # not an Excel file
    response = client.post_form(url, {"file": (io.BytesIO(b"NIK;Nama\n"), "roster.xlsx")}, content_type="multipart/form-data",
                                token_from=f"/roster/{org['team'].id}/2026-12")
    assert response.status_code == 422
    # another team leader may not import into this team
    other = client.application.test_client()
    other.login(org["tl_b"].username)
    assert other.post_form(url, {"file": (io.BytesIO(good), "r.xlsx")}, content_type="multipart/form-data").status_code == 403


def test_attendance_import_from_the_login_system(client, org):
    from portal.roster.models import Attendance

    with client.application.test_request_context():
        m = roster.month_for(org["team"], date(2026, 11, 1), org["tl"])
        roster.fill_range(m, org["agent_staff"], date(2026, 11, 2), date(2026, 11, 3), "P", org["tl"])
        roster.set_cell(m, org["bayu"], date(2026, 11, 2), "M", org["tl"])
        db.session.commit()
    client.login(org["tl"].username)
    page = f"/roster/{org['team'].id}/2026-11/f02"
    url = f"/roster/{org['team'].id}/2026-11/attendance-import"
    a, b = org["agent_staff"].employee_number, org["bayu"].employee_number
    bad = (f"Laporan login CMS\nNIK;Tanggal;Masuk;Pulang\n{a};2026-11-02;06:58;15:02\n{a};2026-11-03;7.25;\n"
           f"T999;2026-11-02;07:00;15:00\n{b};2026-12-02;23:00;07:00\n{b};2026-11-02;jam tujuh;07:00\n").encode()
    response = client.post_form(url, {"file": (io.BytesIO(bad), "login-nov.csv")}, content_type="multipart/form-data",
                                token_from=page)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "<td>A5</td>" in text and "<td>B6</td>" in text and "<td>C7</td>" in text
    assert db.session.scalar(select(func.count(Attendance.id))) == 0  # all or nothing
    good = (f"Laporan login CMS\nNIK;Tanggal;Masuk;Pulang\n{a};2026-11-02;06:58;15:02\n{a};2026-11-03;7.25;\n"
            f"{b};02/11/2026;23:04;06:30\n").encode()
    response = client.post_form(url, {"file": (io.BytesIO(good), "login-nov.csv")}, content_type="multipart/form-data",
                                token_from=page)
    assert response.status_code == 303
    rows = {(r.staff_id, r.day): r for r in db.session.scalars(select(Attendance))}
    night = rows[(org["bayu"].id, date(2026, 11, 2))]
    assert night.source == "import" and night.check_out.date() == date(2026, 11, 2)  # 06.30 WIB on 3 Nov = 23.30 UTC
    from portal.roster import realisation

    days = {(d.staff.id, d.day): d for d in realisation.days_of([org["agent_staff"].id, org["bayu"].id], date(2026, 11, 2),
                                                                date(2026, 11, 3), now_utc=datetime(2026, 11, 30))}
    assert days[(org["agent_staff"].id, date(2026, 11, 3))].late_minutes == 25
    assert days[(org["bayu"].id, date(2026, 11, 2))].early_minutes == 30
    agent = client.application.test_client()
    agent.login(org["agent"].username)
    assert agent.post_form(url, {"file": (io.BytesIO(good), "x.csv")}, content_type="multipart/form-data",
                           token_from="/roster/me").status_code == 403

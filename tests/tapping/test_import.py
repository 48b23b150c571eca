"""Import of call results from Excel or CSV: headers matched without regard to case or spaces, the row-by-row check
first (bad dates, unknown agents, duplicates of ID Rekaman in the file and in the portal), then all the valid rows or
nothing; an empty file; wrong headers; the history import with Status and Alasan; 50,000 rows without a statement
per row."""
from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import event, func, select
from werkzeug.datastructures import FileStorage

from portal.core.audit import AuditEvent
from portal.core.service import ServiceError
from portal.extensions import db
from portal.tapping import imports
from portal.tapping.models import Call, CallImport, Validation


def _csv(rows, header="Tanggal;Waktu;Agent;Layanan;Produk;Nomor Pelanggan;Hasil;ID Rekaman") -> FileStorage:
    text = header + "\n" + "\n".join(";".join(r) for r in rows) + "\n"
    return FileStorage(stream=io.BytesIO(text.encode("utf-8")), filename="hasil.csv")


def _row(rec, agent="1509001", day="2026-11-02", at="09.15", result="AGREE", number="0812-3456-7789", *extra):
    return [day, at, agent, "TAM-CT0", "Retensi PraNPC", number, result, rec, *extra]


def _check(app, storage, user, history=False) -> CallImport:
    with app.test_request_context():
        return imports.check_file(storage, history, user)


def test_headers_in_any_case_and_spacing_and_all_valid_rows_imported(app, org):
    header = "TANGGAL;waktu;agent;LAYANAN;produk;nomorpelanggan;HASIL;Id  Rekaman"
    rows = [_row("VR-1"), _row("VR-2", agent=org["colleague_user"].username, result="decline"),
            _row("VR-3", day="03/11/2026", at="14:05:10", result="Follow up", number="+62 812 3456 7000")]
    imp = _check(app, _csv(rows, header), org["qco"])
    assert (imp.rows, imp.valid_rows, imp.error_count) == (3, 3, 0)
    assert db.session.scalar(select(func.count(Call.id))) == 0  # nothing before the decision
    with app.test_request_context():
        assert imports.confirm(imp, org["qco"]) == 3
    calls = {c.recording_id: c for c in db.session.scalars(select(Call))}
    assert calls["VR-1"].stage == "new" and calls["VR-1"].team_id == org["team"].id
    assert calls["VR-1"].called_at.hour == 2 and calls["VR-1"].called_at.minute == 15  # 09.15 WIB is 02.15 UTC
    assert calls["VR-2"].result == "DECLINE" and calls["VR-2"].stage == ""
    assert calls["VR-3"].result == "FOLLOW UP" and calls["VR-3"].customer_number == "081234567000"
    assert imp.status == "imported" and imp.data == b""
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("call_import.%"))))
    assert actions == ["call_import.checked", "call_import.imported"]


def test_bad_rows_are_reported_row_by_row_and_only_valid_rows_import(app, org):
    from tests.tapping_factories import make_call

    make_call(org["agent_staff"], org["service"], recording_id="VR-OLD")
    rows = [_row("VR-1"), _row("VR-2", day="31/02/2026"), _row("VR-3", agent="nobody"), _row("VR-1"),
            _row("VR-OLD"), _row("VR-6", at="25.99"), _row("VR-7", result="MAYBE"), _row("VR-8", number="12ab"), _row("")]
    imp = _check(app, _csv(rows), org["qco"])
    errors = json.loads(imp.errors_json)
    assert imp.valid_rows == 1 and imp.error_count == 8
    by_row = {n: message for n, _rec, message in errors}
    assert "Tanggal" in by_row[3] and "agen" in by_row[4] and "baris 2" in by_row[5] and "sudah pernah diimpor" in by_row[6]
    assert "Waktu" in by_row[7] and "Hasil" in by_row[8] and "Nomor Pelanggan" in by_row[9] and "ID Rekaman" in by_row[10]
    assert [e[0] for e in errors] == sorted(e[0] for e in errors)
    with app.test_request_context():
        imports.discard(imp, org["qco"])
        assert imp.data == b""  # the raw bytes (unmasked customer numbers) go once the file is decided
        with pytest.raises(ServiceError):
            imports.confirm(imp, org["qco"])  # decided: nothing more
    assert db.session.scalar(select(func.count(Call.id))) == 1


def test_wrong_headers_and_empty_files_are_refused(app, org):
    with pytest.raises(ServiceError, match="ID Rekaman"):
        _check(app, _csv([_row("VR-1")], header="Tanggal;Waktu;Agent;Layanan;Produk;Nomor Pelanggan;Hasil"), org["qco"])
    with pytest.raises(ServiceError, match="kosong"):
        _check(app, FileStorage(stream=io.BytesIO(b""), filename="kosong.csv"), org["qco"])
    with pytest.raises(ServiceError, match="tidak berisi baris"):
        _check(app, _csv([]), org["qco"])
    with pytest.raises(ServiceError):
        _check(app, FileStorage(stream=io.BytesIO(b"PK\x03\x04not a workbook"), filename="x.xlsx"), org["qco"])
    assert db.session.scalar(select(func.count(CallImport.id))) == 0


def test_excel_template_round_trip(app, org):
    from openpyxl import load_workbook

    data = imports.template_bytes()
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [c.value for c in ws[1]] == imports.HEADERS
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    sheet.append(imports.HEADERS)
    from datetime import date, time

    sheet.append([date(2026, 11, 2), time(9, 15), 1509001, "TAM-CT0", "Add-On Minipack", 81234567789, "AGREE", "VR-X1"])
    buffer = io.BytesIO()
    wb.save(buffer)
    imp = _check(app, FileStorage(stream=io.BytesIO(buffer.getvalue()), filename="hasil.xlsx"), org["qco"])
    assert imp.valid_rows == 1, imp.errors_json


def test_history_import_keeps_the_verdicts_out_of_the_worklist(app, org):
    header = "Tanggal;Waktu;Agent;Layanan;Produk;Nomor Pelanggan;Hasil;ID Rekaman;Status;Alasan"
    rows = [_row("H-1", "1509001", "2026-08-04", "09.00", "AGREE", "081234567789", "VALID", ""),
            _row("H-2", "1509001", "2026-08-05", "09.00", "AGREE", "081234567789", "RETURN", "R02"),
            _row("H-3", "1509001", "2026-08-05", "09.00", "AGREE", "081234567789", "RETURN", "R99"),
            _row("H-4", "1509001", "2026-08-05", "09.00", "AGREE", "081234567789", "", ""),
            _row("H-5", "1509001", "2026-08-05", "09.00", "DECLINE", "081234567789", "", "")]
    imp = _check(app, _csv(rows, header), org["qa"], history=True)
    assert imp.valid_rows == 3 and imp.error_count == 2
    with app.test_request_context():
        imports.confirm(imp, org["qa"])
    calls = {c.recording_id: c for c in db.session.scalars(select(Call))}
    assert calls["H-1"].stage == "valid" and calls["H-2"].stage == "returned" and calls["H-2"].history
    assert db.session.scalar(select(Validation.reason_code).where(Validation.call_id == calls["H-2"].id)) == "R02"
    from portal.tapping import qvs
    from datetime import date

    m = qvs.month_figures(date(2026, 8, 1))
    assert (m.totals.agree, m.totals.valid, m.totals.returned) == (2, 1, 1)
    from portal.tapping.services import returns_waiting

    assert returns_waiting(None) == 0  # a past RETURN is not a recall to make


def test_fifty_thousand_rows_without_a_statement_per_row(app, org):
    lines = ["Tanggal,Waktu,Agent,Layanan,Produk,Nomor Pelanggan,Hasil,ID Rekaman"]
    for i in range(50_000):
        lines.append(f"2026-11-{1 + i % 28:02d},{8 + i % 10:02d}.{i % 60:02d},1509001,TAM-CT0,Add-On,0812{i:08d},"
                     f"{'AGREE' if i % 2 else 'DECLINE'},BIG-{i:06d}")
    data = ("\n".join(lines) + "\n").encode()
    engine = db.session.get_bind()
    count = {"n": 0}

    def on(*args):
        count["n"] += 1

    event.listen(engine, "before_cursor_execute", on)
    try:
        imp = _check(app, FileStorage(stream=io.BytesIO(data), filename="besar.csv"), org["qco"])
        checked = count["n"]
        with app.test_request_context():
            assert imports.confirm(imp, org["qco"]) == 50_000
    finally:
        event.remove(engine, "before_cursor_execute", on)
    assert imp.error_count == 0
    assert checked < 80, checked  # lookups + 50 duplicate checks + the audit event
    assert count["n"] < 250, count["n"]
    assert db.session.scalar(select(func.count(Call.id))) == 50_000

"""The master list (Daftar Induk Dokumen) on screen, in Excel and in PDF: the document hierarchy, real dates,
filters, a frozen header and overdue reviews flagged."""
from __future__ import annotations

import io
import subprocess
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from portal.extensions import db
from tests.documents_factories import effective_document

CODES = ["IN.OCC.TELK.F-04", "IN.OCC.TELK.W-02", "IN.OCC.TELK.P-10", "IN.OCC.TELK.PM-01", "IN.OCC.TELK.S-01"]


def _register(app):
    with app.test_request_context():
        for code in CODES:
            # The procedure's review (every 24 months from 2017) is long overdue; the others were just issued.
            effective_document(code=code, effective=date(2017, 6, 5) if code.endswith("P-10") else date(2026, 11, 2))
        db.session.commit()


def test_master_list_follows_the_hierarchy_and_flags_overdue_reviews(app, client, factories):
    _register(app)
    client.login(factories.user(["auditor"]).username)
    html = client.get("/documents/master").get_data(as_text=True)
    positions = [html.index(f">{code}<") for code in ["IN.OCC.TELK.PM-01", "IN.OCC.TELK.P-10", "IN.OCC.TELK.W-02",
                                                      "IN.OCC.TELK.F-04", "IN.OCC.TELK.S-01"]]
    assert positions == sorted(positions)
    assert html.count('data-testid="review-overdue"') == 1

    sheet = load_workbook(io.BytesIO(client.get("/documents/master.xlsx").data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["IN.OCC.TELK.PM-01", "IN.OCC.TELK.P-10", "IN.OCC.TELK.W-02",
                                        "IN.OCC.TELK.F-04", "IN.OCC.TELK.S-01"]
    header = rows[0]
    effective, due, flag = header.index("Tanggal berlaku"), header.index("Jadwal tinjauan"), header.index("Tinjauan terlambat")
    procedure = rows[2]
    assert isinstance(procedure[effective], datetime) and procedure[effective].date() == date(2017, 6, 5)
    assert isinstance(procedure[due], datetime) and procedure[flag] == "Terlambat"
    assert all(r[flag] in ("", None) for r in rows[1:] if r[0] != "IN.OCC.TELK.P-10")
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:M{len(rows)}"
    assert sheet.cell(row=3, column=effective + 1).number_format == "DD/MM/YYYY"
    assert sheet.cell(row=3, column=due + 1).fill.fgColor.rgb.endswith("FFC7CE")


def test_master_list_pdf_names_itself_once(app, client, factories, tmp_path):
    if subprocess.run(["which", "pdftotext"], capture_output=True).returncode:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    _register(app)
    client.login(factories.user(["auditor"]).username)
    pdf = tmp_path / "master.pdf"
    pdf.write_bytes(client.get("/documents/master.pdf").data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert text.count("Daftar Induk Dokumen") == 1, text[:400]
    assert "Terlambat" in text
    firsts = [line.split()[0] for line in text.splitlines() if line.strip().startswith("IN.OCC.TELK.")]
    order = [code for code in firsts if code in CODES]
    assert order[:3] == ["IN.OCC.TELK.PM-01", "IN.OCC.TELK.P-10", "IN.OCC.TELK.W-02"], firsts

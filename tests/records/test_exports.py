"""Auditor exports: Excel (formula-looking text stays text), the PDF bundle and its SHA-256 manifest,
the progress page, and who may export what."""
from __future__ import annotations

import csv
import hashlib
import io
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.extensions import db
from portal.records import services
from tests.records_factories import approved_record, f04_data, online_form


@pytest.fixture
def exported(app, factories):
    site = factories.site()
    tl = factories.user(["tl"], site=site, full_name="Dewi Lestari")
    spv = factories.user(["spv"], site=site)
    with app.test_request_context():
        online_form()
        first = approved_record(tl, spv)
        data = f04_data(tl.id)
        data["sampling"][0]["no_tiket"] = "=HYPERLINK(\"http://evil\")"
        data["rekomendasi"] = "+62 812 dibaca sebagai rumus?"
        draft = services.create("IN.OCC.TELK.F-04", tl, tl.site_id, None, first.period_start)
        services.save_draft(draft, tl, data)
        db.session.commit()
        ids = (first.id, draft.id)
    yield {"tl": tl, "spv": spv, "ids": ids}


def test_excel_export_writes_text_never_formulas(app, client, factories, exported):
    auditor = factories.user(["auditor"])
    client.login(auditor.username)
    page = client.get("/records/export/new?form=IN.OCC.TELK.F-04")
    assert page.status_code == 200 and 'data-testid="export-count"' in page.get_data(as_text=True)
    started = client.post_form("/records/export/new", {"form": "IN.OCC.TELK.F-04", "kind": "xlsx"})
    assert started.status_code == 303
    progress = client.get(started.headers["Location"], headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'data-status="done"' in progress and "every 1s" not in progress  # polling stops when done
    download = client.get(started.headers["Location"] + "/download")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "No. rekaman" and len(rows) == 3
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert all(c.data_type != "f" for c in cells)
    content = [r[-1] for r in rows[1:]]
    assert any("'=HYPERLINK" in c for c in content) is False  # the formula text sits inside the content cell
    assert any('=HYPERLINK("http://evil")' in c for c in content)
    assert {r[8] for r in rows[1:]} == {"Disetujui (terkunci)", "Draf"}
    # Indonesian words only: "Penahanan hukum", not "Legal hold"; times as 09.00, not 09:00.
    assert "Penahanan hukum" in rows[0] and "Legal hold" not in rows[0]
    assert all("Jam mulai sampling: 09.00" in c and "09:00" not in c for c in content)
    assert hashlib.sha256(download.data).hexdigest() in progress


def test_formula_prefixes_are_neutralised_in_every_cell():
    from portal.core.xlsx import safe_value

    for text in ("=1+1", "+62", "-5", "@SUM(A1)"):
        assert safe_value(text) == "'" + text
    assert safe_value("Dewi") == "Dewi" and safe_value(5) == 5


def test_pdf_bundle_has_a_manifest_of_hashes(app, client, factories, exported):
    auditor = factories.user(["auditor"])
    client.login(auditor.username)
    started = client.post_form("/records/export/new", {"kind": "bundle"})
    download = client.get(started.headers["Location"] + "/download")
    bundle = zipfile.ZipFile(io.BytesIO(download.data))
    manifest = list(csv.DictReader(io.StringIO(bundle.read("manifest.csv").decode())))
    assert len(manifest) == 2
    for row in manifest:
        assert hashlib.sha256(bundle.read(row["Berkas"])).hexdigest() == row["SHA-256 PDF"]
    assert {row["Sumber"] for row in manifest} == {"arsip PDF/A", "dicetak saat ekspor"}
    # Every word of the manifest is Indonesian: its headings and the statuses.
    assert list(manifest[0]) == ["Berkas", "No. rekaman", "Kode formulir", "Periode", "Status", "Versi", "SHA-256 PDF",
                                 "SHA-256 isi", "Sumber"]
    assert {row["Status"] for row in manifest} <= {"Disetujui (terkunci)", "Diserahkan", "Draf"}
    sums = bundle.read("SHA256SUMS").decode().split("\n")
    assert len([s for s in sums if s]) == 2


def test_exports_are_the_exporters_own(app, client, make_client, factories, exported):
    auditor = factories.user(["auditor"])
    client.login(auditor.username)
    location = client.post_form("/records/export/new", {"kind": "xlsx"}).headers["Location"]
    other = make_client()
    other.login(factories.user(["qmr"]).username)
    assert other.get(location).status_code == 404 and other.get(location + "/download").status_code == 404
    tl = make_client()
    tl.login(exported["tl"].username)
    assert tl.get(location).status_code == 403
    bad = client.post_form("/records/export/new", {"kind": "csv"})
    assert bad.status_code == 422


def test_a_failed_export_is_reported_and_audited(app, client, factories, exported, monkeypatch):
    from portal.core.audit import AuditEvent
    from portal.exports import services as exports
    from sqlalchemy import select

    auditor = factories.user(["auditor"])
    client.login(auditor.username)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(exports, "write_workbook", broken)
    location = client.post_form("/records/export/new", {"kind": "xlsx"}).headers["Location"]
    html = client.get(location).get_data(as_text=True)
    assert 'data-status="failed"' in html and "disk full" in html
    assert client.get(location + "/download").status_code == 404
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "records.export_failed")) is not None


def test_a_disposed_record_is_listed_in_the_bundle_manifest_with_the_reason_it_has_no_pdf(app, client, factories, exported):
    from portal.core.db import utcnow
    from portal.records.models import Record

    with app.app_context():
        approved = db.session.get(Record, exported["ids"][0])
        approved.status, approved.disposed_at = "disposed", utcnow()
        db.session.commit()
    auditor = factories.user(["auditor"])
    client.login(auditor.username)
    started = client.post_form("/records/export/new", {"kind": "bundle"})
    bundle = zipfile.ZipFile(io.BytesIO(client.get(started.headers["Location"] + "/download").data))
    manifest = list(csv.DictReader(io.StringIO(bundle.read("manifest.csv").decode())))
    assert len(manifest) == 2  # both records listed, one of them without a PDF
    disposed = next(row for row in manifest if not row["Berkas"])
    assert disposed["Status"] == "Dimusnahkan" and "dimusnahkan" in disposed["Sumber"] and disposed["SHA-256 PDF"] == ""
    assert len([n for n in bundle.namelist() if n.endswith(".pdf")]) == 1


def test_excel_times_are_the_exporters_local_time_with_the_zone_named(app, client, factories, exported):
    from datetime import timedelta

    from portal.records.models import Record

    auditor = factories.user(["auditor"], site=exported["tl"].site)  # a WIB site
    client.login(auditor.username)
    started = client.post_form("/records/export/new", {"form": "IN.OCC.TELK.F-04", "kind": "xlsx"})
    download = client.get(started.headers["Location"] + "/download")
    sheet = load_workbook(io.BytesIO(download.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    headers = rows[0]
    assert "Diserahkan (WIB)" in headers and "Disetujui (WIB)" in headers
    col = headers.index("Disetujui (WIB)")
    approved_row = next(r for r in rows[1:] if r[col] is not None)
    with app.app_context():
        record = db.session.scalar(select(Record).where(Record.id == exported["ids"][0]))
        signed_utc = record.signature("approved").signed_at
    assert approved_row[col].replace(microsecond=0) == (signed_utc + timedelta(hours=7)).replace(microsecond=0)
    name = download.headers["Content-Disposition"]
    assert "rekaman-" in name


def test_export_reads_content_that_only_the_standard_json_reads():
    """orjson refuses NaN and integers beyond 64 bits, which `json.dumps` writes: the export falls back, never fails."""
    from portal.exports.services import _content

    data = _content('{"nilai": NaN, "tiket": 123456789012345678901234567890, "catatan": "ok"}')
    assert data["tiket"] == 123456789012345678901234567890 and data["catatan"] == "ok" and data["nilai"] != data["nilai"]
    assert _content('{"a": "b"}') == {"a": "b"}

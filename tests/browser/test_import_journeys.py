"""Issue 9 in a real browser: the document controller uploads four files (one a scan), corrects what was misread while
the warnings follow the typing, accepts them into the register (codes with slashes too) or as a new draft revision of
a registered document, fills the records table and change log of the demo's Word file; search then finds each body."""
from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, login

CORPUS = Path(__file__).resolve().parents[1] / "documents" / "corpus"
EXISTING = "OB.IN.OCC.TELK.P-02"  # CT-0 and PRANPC, imported from the seeds at revision 00
DEMO_FILE = "SOP-CC-001 Penanganan Keluhan Pelanggan.docx"  # the demo's pending import (portal/documents/demo_import.py)


def _newer_p02() -> bytes:
    """Seed 000 of the corpus, as its revision 01."""
    text = (CORPUS / "seed000.txt").read_text(encoding="utf-8")
    text = text.replace("P-02.Rev.00", "P-02.Rev.01").replace("Revisi : 00", "Revisi : 01")
    return text.replace("Sebagai panduan", "Sebagai pedoman", 1).encode()


def _open(page, file_name: str) -> None:
    page.get_by_test_id("pending-imports").get_by_role("link", name=file_name).click()
    expect(page.locator("h1")).to_contain_text(file_name)


def _accept(page) -> None:
    page.get_by_test_id("import-accept").click()
    expect(page).to_have_url(re.compile(r"/documents/import$"))
    expect(page.locator(".flash-success").first).to_contain_text("diterima")


def test_dc_uploads_corrects_and_accepts_three_files(browser, base_url):
    context = browser.new_context(locale="id-ID", bypass_csp=True)  # bypass only to inject axe-core below
    page = context.new_page()
    login(page, base_url, "dc")
    page.goto(f"{base_url}/documents/")
    page.get_by_test_id("import-documents").click()
    expect(page).to_have_url(re.compile(r"/documents/import$"))

    page.get_by_test_id("import-files").set_input_files([
        {"name": "layout_a.txt", "mimeType": "text/plain", "buffer": (CORPUS / "layout_a.txt").read_bytes()},
        {"name": "layout_c.md", "mimeType": "text/markdown", "buffer": (CORPUS / "layout_c.md").read_bytes()},
        {"name": "p02-rev01.txt", "mimeType": "text/plain", "buffer": _newer_p02()},
        {"name": "pindaian.pdf", "mimeType": "application/pdf", "buffer": (CORPUS / "scanned.pdf").read_bytes()},
    ])
    page.get_by_test_id("import-upload").click()
    expect(page.locator(".flash-success")).to_contain_text("4 berkas menunggu pemeriksaan")
    waiting = page.get_by_test_id("pending-imports")
    for name in ("layout_a.txt", "layout_c.md", "p02-rev01.txt", "pindaian.pdf", DEMO_FILE):
        expect(waiting).to_contain_text(name)

    # layout_a: the warnings follow the typing (a cleared title gets one, typed again it goes); a code whose address
    # would be another page is refused next to the field, the typing kept; its own code, slashes and all, is accepted.
    _open(page, "layout_a.txt")
    expect(page.get_by_test_id("import-source")).to_contain_text("Nomor Dokumen: SOP/HRD/01")
    expect(page.get_by_test_id("import-code")).to_have_value("SOP/HRD/01")
    assert axe_violations(page) == []
    warnings = page.get_by_test_id("import-warnings-card")
    expect(warnings).not_to_contain_text("Judul belum ada")
    page.get_by_test_id("import-title").fill("")
    expect(warnings).to_contain_text("Judul belum ada")
    page.get_by_test_id("import-title").fill("Prosedur Rekrutmen Karyawan")
    expect(warnings).not_to_contain_text("Judul belum ada")
    page.get_by_test_id("import-code").fill("import/1")
    page.get_by_test_id("import-accept").click()
    expect(page.locator("#f-code-err")).to_be_visible()
    expect(page.get_by_test_id("import-title")).to_have_value("Prosedur Rekrutmen Karyawan")
    page.get_by_test_id("import-code").fill("SOP/HRD/01")
    _accept(page)

    # layout_c: read well, accepted as it is.
    _open(page, "layout_c.md")
    expect(page.get_by_test_id("import-accept")).to_have_text("Terima ke register")
    _accept(page)

    # The newer revision of a registered document is offered, and accepted, as a draft.
    _open(page, "p02-rev01.txt")
    expect(page.get_by_test_id("import-accept")).to_contain_text(f"Terima sebagai draf revisi 01 dari {EXISTING}")
    _accept(page)

    # A scan: its first page shown beside the form, typed by hand; each typed field loses its warning.
    _open(page, "pindaian.pdf")
    image = page.get_by_test_id("import-page-image")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    expect(page.get_by_test_id("import-no-text")).to_be_visible()
    expect(warnings).to_contain_text("Kode dokumen belum ada")
    page.get_by_test_id("import-code").fill("SOP-PINDAI-01")
    expect(warnings).not_to_contain_text("Kode dokumen belum ada")
    page.get_by_test_id("import-title").fill("Prosedur Arsip Pindaian")
    page.get_by_test_id("import-revision").fill("00")
    page.get_by_test_id("import-date").fill("2024-03-01")
    page.locator("#f-doc_type").select_option("P")
    page.locator("#sn-1").fill("1")
    page.locator("#st-1").fill("Tujuan")
    page.locator("#sb-1").fill("Setiap arsip pindaian dicatat dan diketik ulang oleh pengendali dokumen.")
    expect(warnings).not_to_contain_text("Isi dokumen masih kosong")
    _accept(page)

    # The demo's Word file of another organisation: its type chosen (the warning goes), its records table and
    # change log typed in the tables, saved, then accepted under its slashed code.
    _open(page, DEMO_FILE)
    expect(page.get_by_test_id("import-code")).to_have_value("SOP/CC/001")
    expect(warnings).to_contain_text("Jenis dokumen tidak terbaca")
    page.locator("#f-doc_type").select_option("P")
    expect(warnings).not_to_contain_text("Jenis dokumen tidak terbaca")
    page.locator("#record_code-1").fill("FRM/CC/001-01")
    page.locator("#record_name-1").fill("Log Book Eskalasi Keluhan")
    page.locator("#record_retention-1").fill("2 Tahun")
    page.locator("#record_owner-1").fill("Team Leader")
    page.locator("#change_revision-1").fill("00")
    page.locator("#change_date-1").fill("2024-03-12")
    page.locator("#change_description-1").fill("Penerbitan pertama")
    page.get_by_test_id("import-save").click()
    expect(page.locator(".flash-success").first).to_contain_text("disimpan")
    expect(page.locator("#record_name-1")).to_have_value("Log Book Eskalasi Keluhan")
    expect(page.locator("#change_description-1")).to_have_value("Penerbitan pertama")
    _accept(page)
    expect(page.get_by_test_id("pending-imports")).to_contain_text("Tidak ada impor yang menunggu pemeriksaan.")
    expect(page.get_by_test_id("decided-imports")).to_contain_text("SOP/HRD/01")

    # In the register: the new documents in force (slashed codes open), the draft revision on the existing one.
    page.goto(f"{base_url}/documents/SOP/HRD/01")
    expect(page.locator("main")).to_contain_text("Prosedur Rekrutmen Karyawan")
    page.goto(f"{base_url}/documents/SOP/CC/001")
    expect(page.locator("main")).to_contain_text("Log Book Eskalasi Keluhan")
    expect(page.locator("main")).to_contain_text("Penerbitan pertama")
    page.goto(f"{base_url}/documents/{EXISTING}/rev/01")
    expect(page.locator("main")).to_contain_text("Draf")

    # Search finds a word from each body.
    for word, code in (("kantor pusat", "SOP/HRD/01"), ("headset", "IK-CS-03"), ("Infratel", EXISTING),
                       ("pengendali dokumen", "SOP-PINDAI-01"), ("keluhan berulang", "SOP/CC/001")):
        page.goto(f"{base_url}/documents/?text={word}")
        expect(page.locator("#document-results")).to_contain_text(code)

    # On a phone the source stacks under the form.
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{base_url}/documents/import")
    page.get_by_test_id("decided-imports").get_by_role("link", name="layout_c.md").click()
    form_box = page.locator("#import-form").bounding_box()
    source_box = page.get_by_test_id("import-source").bounding_box()
    assert source_box["y"] > form_box["y"] + form_box["height"] - 1
    context.close()

"""Issue 9 in a real browser: the document controller uploads three files, corrects what was misread, accepts two
into the register and one as a new draft revision of a registered document; search then finds each body."""
from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, login

CORPUS = Path(__file__).resolve().parents[1] / "documents" / "corpus"
EXISTING = "OB.IN.OCC.TELK.P-02"  # CT-0 and PRANPC, imported from the seeds at revision 00


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
    ])
    page.get_by_test_id("import-upload").click()
    expect(page.locator(".flash-success")).to_contain_text("3 berkas menunggu pemeriksaan")
    waiting = page.get_by_test_id("pending-imports")
    for name in ("layout_a.txt", "layout_c.md", "p02-rev01.txt"):
        expect(waiting).to_contain_text(name)

    # layout_a: a code with slashes is refused next to the field, the typing kept; corrected, it is accepted.
    _open(page, "layout_a.txt")
    expect(page.get_by_test_id("import-source")).to_contain_text("Nomor Dokumen: SOP/HRD/01")
    expect(page.get_by_test_id("import-code")).to_have_value("SOP/HRD/01")
    assert axe_violations(page) == []
    page.get_by_test_id("import-title").fill("Prosedur Rekrutmen Karyawan")
    page.get_by_test_id("import-accept").click()
    expect(page.locator("#f-code-err")).to_be_visible()
    expect(page.get_by_test_id("import-title")).to_have_value("Prosedur Rekrutmen Karyawan")
    page.get_by_test_id("import-code").fill("SOP-HRD-01")
    _accept(page)

    # layout_c: read well, accepted as it is.
    _open(page, "layout_c.md")
    expect(page.get_by_test_id("import-accept")).to_have_text("Terima ke register")
    _accept(page)

    # The newer revision of a registered document is offered, and accepted, as a draft.
    _open(page, "p02-rev01.txt")
    expect(page.get_by_test_id("import-accept")).to_contain_text(f"Terima sebagai draf revisi 01 dari {EXISTING}")
    _accept(page)
    expect(page.get_by_test_id("pending-imports")).to_contain_text("Tidak ada impor yang menunggu pemeriksaan.")
    expect(page.get_by_test_id("decided-imports")).to_contain_text("SOP-HRD-01")

    # In the register: the two new documents in force, the draft revision on the existing one.
    page.goto(f"{base_url}/documents/SOP-HRD-01")
    expect(page.locator("main")).to_contain_text("Prosedur Rekrutmen Karyawan")
    page.goto(f"{base_url}/documents/{EXISTING}/rev/01")
    expect(page.locator("main")).to_contain_text("Draf")

    # Search finds a word from each body.
    for word, code in (("kantor pusat", "SOP-HRD-01"), ("headset", "IK-CS-03"), ("Infratel", EXISTING)):
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

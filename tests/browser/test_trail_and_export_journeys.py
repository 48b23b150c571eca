"""Issue 15 in a real browser: the auditor reads the audit trail as sentences and finds a record by its number;
exports show a live count, the filters used, a visible progress bar and the history with hashes; the QMR's
disposal asks for a witness who signs with their own password. No CSP violation or console error on the way."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD, login


def _watch(page) -> list[str]:
    problems: list[str] = []
    # A refused form answers 422 by design; the browser logs that status, which is not a problem of the page.
    page.on("console", lambda msg: problems.append(msg.text)
            if msg.type == "error" and "status of 422" not in msg.text else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return problems


def test_auditor_reads_the_trail_as_sentences_and_finds_a_record(page, base_url):
    problems = _watch(page)
    login(page, base_url, "auditor")
    page.goto(base_url + "/audit/")
    results = page.locator("#audit-results")
    expect(page.locator("#f-type option", has_text="Rekaman")).to_have_count(1)
    page.locator("#f-object").fill("R-000002")
    expect(page).to_have_url(re.compile(r"object=R-000002"), timeout=10_000)
    expect(results).to_contain_text("menyimpan draf R-000002")
    page.locator("#f-object").fill("R-000001")
    expect(page).to_have_url(re.compile(r"object=R-000001"), timeout=10_000)
    expect(results).to_contain_text("R-000001")
    expect(results).not_to_contain_text("R-000002")
    expect(results.locator("a", has_text="R-000001").first).to_have_attribute("href", "/records/1")
    assert "copy_status" not in results.inner_text() and "record.draft_saved" not in results.inner_text()
    page.locator("#f-action").select_option("record.approved")
    expect(results.locator("tbody tr")).to_have_count(1)
    expect(results).to_contain_text("menyetujui dan mengunci R-000001")
    assert problems == []


def test_auditor_exports_with_a_live_count_a_progress_bar_and_a_history(browser, base_url):
    context = browser.new_context(locale="id-ID", accept_downloads=True)
    page = context.new_page()
    problems = _watch(page)
    login(page, base_url, "auditor")
    page.goto(base_url + "/records/export/new")
    count = page.get_by_test_id("export-count")
    before = int(count.get_attribute("data-count"))
    page.locator("#x-status").select_option("draft")
    expect(count).not_to_have_attribute("data-count", str(before))
    expect(count).to_contain_text("cocok dengan filter yang dipilih")
    page.locator("#x-status").select_option("approved")
    page.get_by_test_id("export-xlsx").click()
    expect(page).to_have_url(re.compile(r"/records/export/\d+$"))
    expect(page.get_by_test_id("export-filters")).to_contain_text("Disetujui (terkunci)")
    expect(page.get_by_test_id("export-progress")).to_have_attribute("data-status", "done", timeout=20_000)
    bar = page.locator("progress.progress").bounding_box()
    assert bar["height"] >= 16 and bar["width"] >= 200  # not the browser's thin default
    with page.expect_download() as download:
        page.get_by_test_id("export-download").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    sha = page.locator("#export-progress code.hash").inner_text().strip()
    page.goto(base_url + "/records/export/new")
    expect(page.get_by_test_id("export-history")).to_contain_text(sha)
    assert problems == []
    context.close()


def test_qmr_disposal_asks_for_a_witness_who_signs_with_their_own_password(page, base_url):
    problems = _watch(page)
    login(page, base_url, "qmr")
    page.goto(base_url + "/records/disposal")
    expect(page.locator("#witness_id option", has_text="Andika Ardiansah")).to_have_count(1)
    expect(page.locator("#witness_id option", has_text="Suyanti")).to_have_count(0)
    page.locator("input[name=record_ids]").first.check()
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("#witness_id").select_option(label=page.locator("#witness_id option", has_text="Andika Ardiansah")
                                              .inner_text())
    page.locator("#witness_password").fill("bukan-sandinya")
    page.get_by_test_id("dispose").click()
    expect(page.locator("#witness_password-err")).to_be_visible()  # refused by the witness's password, nothing done
    assert problems == []

"""Issue 4 in a real browser: a team leader fills F-04 online (autosaved draft), submits it with a signature,
the supervisor approves it, and the auditor exports it to Excel with the background job's progress bar."""
from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD, login

FORM = "IN.OCC.TELK.F-04"


def _as(browser, base_url, username):
    context = browser.new_context(locale="id-ID", accept_downloads=True)
    page = context.new_page()
    login(page, base_url, username)
    return context, page


def _pick(page, select: str, text: str) -> None:
    """Choose the option whose label contains `text` (the staff picker shows name and position)."""
    value = page.locator(f"{select} option", has_text=text).first.get_attribute("value")
    page.locator(select).select_option(value)


def test_tl_fills_f04_spv_approves_auditor_exports(browser, base_url):
    ctx, page = _as(browser, base_url, "tl")
    page.goto(base_url + "/records/")
    page.get_by_test_id(f"fill-{FORM}").click()
    expect(page.locator("h1")).to_contain_text("Real Monitoring Call Handling")
    page.get_by_test_id("create-record").click()
    expect(page).to_have_url(re.compile(r"/records/\d+$"))
    record_url = page.url
    number = page.locator("h1").inner_text().split(" ")[0]

    page.locator("#f-layanan_line").select_option("147")
    _pick(page, "#f-desk_control", "Dewi Lestari")
    page.locator("#f-jam_mulai").fill("09:00")
    page.locator("#f-jam_selesai").fill("10:00")
    _pick(page, "#f-sampling-0-agent", "Rina Marlina")
    page.locator("#f-sampling-0-jam").fill("09:12")
    page.locator("#f-sampling-0-no_tiket").fill("IN-2611-0099")
    page.locator("#f-sampling-0-jenis").select_option("Keluhan")
    for name in ("salam", "verifikasi", "solusi"):
        page.locator(f"input[name='f-sampling-0-{name}'][value='yes']").check()
    page.locator("#f-sampling-0-nilai").fill("sembilan puluh")  # a mistake, caught at submission
    page.locator("input[name='f-recovery_plan'][value='no']").check()
    expect(page.get_by_test_id("save-status")).to_contain_text("tersimpan", timeout=10_000)
    # Autosaves queue behind each other (never aborted: the server may already have saved one): wait past the longest
    # debounce (800 ms) for the last one to be sent, then for it to finish.
    page.wait_for_timeout(1000)
    page.wait_for_function("() => !document.querySelector('#record-form.htmx-request')", timeout=10_000)
    expect(page.get_by_test_id("save-status")).to_contain_text("tersimpan", timeout=10_000)

    page.reload()  # the draft was saved as typed
    expect(page.locator("#f-sampling-0-no_tiket")).to_have_value("IN-2611-0099")
    expect(page.locator("#f-sampling-0-nilai")).to_have_value("sembilan puluh")

    page.locator("#password").fill(DEMO_PASSWORD)
    page.get_by_test_id("submit-record").click()
    expect(page.locator("#f-sampling-0-nilai-err")).to_be_visible()  # the error sits by the field
    expect(page.locator("#f-sampling-0-nilai")).to_have_value("sembilan puluh")  # and the input is kept
    page.locator("#f-sampling-0-nilai").fill("90")
    page.locator("#password").fill(DEMO_PASSWORD)
    page.get_by_test_id("submit-record").click()
    expect(page.locator(".flash-success")).to_contain_text(number)
    expect(page.locator("[data-status='submitted']").first).to_be_visible()
    ctx.close()

    ctx, page = _as(browser, base_url, "spv")
    page.goto(base_url + "/")
    page.locator(f"main a[href='{record_url.replace(base_url, '')}']").first.click()
    form = page.locator("#approve-form")
    form.locator("input[type=password]").fill(DEMO_PASSWORD)
    form.get_by_test_id("approve-record").click()
    expect(page.locator(".flash-success")).to_contain_text("dikunci")
    expect(page.locator("[data-status='approved']").first).to_be_visible()
    expect(page.locator("main")).to_contain_text("Sukron Azis")
    ctx.close()

    ctx, page = _as(browser, base_url, "auditor")
    page.goto(f"{base_url}/records/?form={FORM}")
    expect(page.get_by_test_id("records-table")).to_contain_text(number)
    page.get_by_test_id("export-link").click()
    page.get_by_test_id("export-xlsx").click()
    expect(page.get_by_test_id("export-progress")).to_have_attribute("data-status", "done", timeout=20_000)
    with page.expect_download() as info:
        page.get_by_test_id("export-download").click()
    workbook = load_workbook(io.BytesIO(open(info.value.path(), "rb").read()))
    numbers = [row[0] for row in workbook.active.iter_rows(min_row=2, values_only=True)]
    assert number in numbers
    ctx.close()

"""Issue 14 (nonconformity and corrective action) in a real browser: qmr raises an NC, records its root cause (5-why
and fishbone), adds a corrective action for `tl` and sets the effectiveness check; `tl` sees the action and records it
done; `tl` may not verify; `qa` records the check effective and the NC closes."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import login


def _as(browser, base_url, username):
    context = browser.new_context(locale="id-ID")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, base_url, username)
    return context, page, errors


def test_qmr_raises_an_nc_the_owner_acts_another_verifies_and_it_closes(browser, base_url):
    ctx, qmr, errors = _as(browser, base_url, "qmr")
    qmr.goto(base_url + "/capa/")
    qmr.get_by_test_id("new-nc").click()
    qmr.wait_for_url(re.compile(r"/capa/new$"))
    qmr.locator("#title").fill("Salam penutup tidak sesuai P-01")
    qmr.locator("#source").select_option("mystery_shopping")
    qmr.locator("#classification").select_option("major")
    qmr.locator("#description").fill("Mystery shopper: tiga dari lima panggilan 147 ditutup tanpa salam penutup.")
    qmr.locator("#site_id").select_option(label="Malang")
    qmr.locator("#document_code").fill("IN.OCC.TELK.P-01")
    qmr.locator("#clause").fill("8. Prosedur, penutupan panggilan")
    qmr.get_by_test_id("save-nc").click()
    qmr.wait_for_url(re.compile(r"/capa/NC-\d{4}-\d{4}$"))
    number = qmr.url.rsplit("/", 1)[1]
    expect(qmr.get_by_test_id("nc-status")).to_have_attribute("data-status", "open")

    qmr.get_by_text("Catat akar masalah").click()
    qmr.locator("#why_1").fill("Mengapa salam penutup terlewat?")
    qmr.locator("#answer_1").fill("Agent mengejar AHT saat antrean tinggi.")
    qmr.locator("#method").fill("Target AHT tidak memberi ruang untuk penutupan.")
    qmr.locator("#root_cause").fill("Target AHT menekan agent melewatkan penutupan.")
    qmr.get_by_test_id("save-root-cause").click()
    expect(qmr.get_by_test_id("root-cause")).to_have_text("Target AHT menekan agent melewatkan penutupan.")
    expect(qmr.get_by_test_id("nc-status")).to_have_attribute("data-status", "analysed")

    qmr.get_by_text("Tambahkan tindakan korektif").click()
    qmr.locator("#description").fill("Briefing ulang salam penutup dan kalibrasi AHT tim 147.")
    qmr.locator("#owner").select_option(label="Dewi Lestari")
    qmr.locator("#due_on").fill("2026-12-15")
    qmr.get_by_test_id("add-action").click()
    expect(qmr.get_by_test_id("action")).to_have_count(1)
    qmr.get_by_text("Tetapkan verifikasi efektivitas").click()
    qmr.locator("#check_criterion").fill("Mystery shopping bulan berikutnya: semua panggilan dengan salam penutup.")
    qmr.get_by_test_id("save-check").click()
    expect(qmr.get_by_test_id("check-facts")).to_contain_text("Mystery shopping bulan berikutnya")
    ctx.close()

    ctx, tl, tl_errors = _as(browser, base_url, "tl")
    tl.goto(f"{base_url}/capa/{number}")
    expect(tl.get_by_test_id("edit-nc")).to_have_count(0)
    expect(tl.get_by_test_id("record-check")).to_have_count(0)
    tl.locator("textarea[name=note]").fill("Briefing dilakukan 3 shift; daftar hadir di rekaman F-04.")
    tl.get_by_test_id("action-done").click()
    expect(tl.get_by_test_id("nc-status")).to_have_attribute("data-status", "verifying")
    expect(tl.get_by_test_id("action")).to_have_attribute("data-status", "done")
    ctx.close()

    ctx, qa, qa_errors = _as(browser, base_url, "qa")
    qa.goto(f"{base_url}/capa/{number}")
    qa.locator("input[name=result][value=effective]").check()
    qa.locator("#note").fill("Mystery shopping 10 panggilan: semua dengan salam penutup.")
    qa.get_by_test_id("record-check").click()
    expect(qa.get_by_test_id("nc-status")).to_have_attribute("data-status", "closed")
    expect(qa.get_by_test_id("checks")).to_contain_text("Efektif")
    ctx.close()
    assert not (errors + tl_errors + qa_errors)


def test_the_owner_who_may_verify_is_refused_next_to_the_field(browser, base_url):
    """qa owns an action of an NC waiting for its check: the refusal sits next to the result field (422)."""
    ctx, qmr, _errors = _as(browser, base_url, "qmr")
    qmr.goto(base_url + "/capa/new")
    qmr.locator("#title").fill("Uji gerbang efektivitas")
    qmr.locator("#description").fill("Uji.")
    qmr.get_by_test_id("save-nc").click()
    qmr.wait_for_url(re.compile(r"/capa/NC-\d{4}-\d{4}$"))
    number = qmr.url.rsplit("/", 1)[1]
    qmr.get_by_text("Tambahkan tindakan korektif").click()
    qmr.locator("#description").fill("Tindakan milik QA.")
    qmr.locator("#owner").select_option(label="Sri Wahyuni")
    qmr.locator("#due_on").fill("2026-12-15")
    qmr.get_by_test_id("add-action").click()
    qmr.get_by_text("Tetapkan verifikasi efektivitas").click()
    qmr.locator("#check_criterion").fill("Sampling.")
    qmr.get_by_test_id("save-check").click()
    expect(qmr.get_by_test_id("check-facts")).to_contain_text("Sampling.")
    ctx.close()

    ctx, qa, _errors = _as(browser, base_url, "qa")
    qa.goto(f"{base_url}/capa/{number}")
    qa.locator("textarea[name=note]").first.fill("Selesai.")
    qa.get_by_test_id("action-done").click()
    expect(qa.get_by_test_id("nc-status")).to_have_attribute("data-status", "verifying")
    qa.locator("input[name=result][value=effective]").check()
    qa.locator("#note").fill("Saya cek sendiri.")
    with qa.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/verify")) as info:
        qa.get_by_test_id("record-check").click()
    assert info.value.status == 422
    expect(qa.locator("#result-err")).to_contain_text("orang lain")
    expect(qa.get_by_test_id("nc-status")).to_have_attribute("data-status", "verifying")
    ctx.close()

"""Issue 10 in a real browser: HR adds a new agent to tl's team (a taken employee number is refused by the field with
the typing kept), registers the contract and evaluates it for extension; the manager signs the extension with their
password; tl then finds the new agent in their team. And: HR screens the demo candidates and hires the one offered."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, login


def _as(browser, base_url, username):
    context = browser.new_context(locale="id-ID")
    page = context.new_page()
    login(page, base_url, username)
    return context, page


def _pick(page, select: str, text: str) -> None:
    value = page.locator(f"{select} option", has_text=text).first.get_attribute("value")
    page.locator(select).select_option(value)


def test_hr_adds_an_agent_to_tls_team_with_a_contract_and_extends_it(browser, base_url):
    ctx, page = _as(browser, base_url, "hr")
    page.goto(base_url + "/people/")
    expect(page.get_by_test_id("staff-table")).to_contain_text("Rina Marlina")
    page.get_by_test_id("new-staff").click()
    expect(page.locator("h1")).to_have_text("Tambah karyawan")
    page.locator("#employee_number").fill("1509001")  # already Dewi Lestari's
    page.locator("#full_name").fill("Putri Anggraini")
    _pick(page, "#position_id", "Agent")
    _pick(page, "#site_id", "Malang")
    page.locator("label.check", has_text="147").first.locator("input").check()
    _pick(page, "#team_id", "MLG 147-A")
    page.locator("#hire_date").fill("2026-11-02")
    page.locator("#birth_date").fill("2002-08-17")
    page.locator("button[type=submit]", has_text="Simpan").click()
    expect(page.locator("#employee_number-err")).to_contain_text("sudah dipakai")
    expect(page.locator("#full_name")).to_have_value("Putri Anggraini")  # the typing is kept
    page.locator("#employee_number").fill("1509777")
    page.locator("button[type=submit]", has_text="Simpan").click()
    expect(page).to_have_url(re.compile(r"/people/1509777$"))
    expect(page.get_by_test_id("current-team")).to_contain_text("MLG 147-A")

    page.get_by_test_id("add-contract").click()
    page.locator("#kind").select_option("probation")
    page.locator("#starts_on").fill("2026-11-02")
    page.locator("#ends_on").fill("2027-01-30")
    page.locator("#number").fill("PKWT/1509777/1")
    page.locator("button[type=submit]", has_text="Simpan").click()
    expect(page).to_have_url(re.compile(r"/people/1509777"))
    expect(page.get_by_test_id("contracts")).to_contain_text("PKWT/1509777/1")

    page.locator("[data-testid^=extend-]").click()
    expect(page.get_by_test_id("next-start")).to_contain_text("31 Januari 2027")
    page.locator("button[type=submit]", has_text="Kirim ke manajer").click()
    expect(page.locator("#evaluation-err")).to_be_visible()  # no evaluation, no extension
    page.locator("#evaluation").fill("Kinerja dan kehadiran memenuhi target masa percobaan; direkomendasikan PKWT.")
    page.locator("#recommendation").select_option("extend")
    page.locator("#kind").select_option("pkwt")
    page.locator("#ends_on").fill("2028-01-30")
    page.locator("button[type=submit]", has_text="Kirim ke manajer").click()
    expect(page.get_by_text("menunggu manajer")).to_be_visible()
    ctx.close()

    # The manager signs the decision with their password; a wrong one signs nothing.
    ctx, page = _as(browser, base_url, "manager")
    page.goto(base_url + "/people/extensions")
    page.get_by_test_id("extensions-table").locator("a", has_text="Putri Anggraini").click()
    form = page.locator("[id^=decide-form-]")
    form.locator("input[type=password]").fill("salah-sekali")
    form.locator("button[type=submit]").click()
    expect(page.locator("[id^=decide-form-] .field-error")).to_contain_text("Kata sandi salah")
    form = page.locator("[id^=decide-form-]")
    form.locator("input[type=password]").fill("portal-demo")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("contracts")).to_contain_text("30 Januari 2028")
    expect(page.get_by_test_id("contracts")).to_contain_text("perpanjangan")
    expect(page.get_by_text("Ditandatangani oleh Mokh Arifin")).to_be_visible()
    ctx.close()

    ctx, page = _as(browser, base_url, "tl")
    page.goto(base_url + "/people/teams")
    page.locator("a", has_text="MLG 147-A").click()
    expect(page.get_by_test_id("members-table")).to_contain_text("Putri Anggraini")
    expect(page.get_by_test_id("members-table")).to_contain_text("Rina Marlina")
    page.locator("a", has_text="1509777").click()
    expect(page.locator("h1")).to_have_text("Putri Anggraini")
    expect(page.get_by_test_id("edit-staff")).to_have_count(0)
    ctx.close()


def test_hr_screens_and_hires_a_candidate_who_then_appears_in_tls_team(browser, base_url):
    ctx, page = _as(browser, base_url, "hr")
    page.goto(base_url + "/people/openings")
    page.get_by_test_id("openings-table").locator("a").first.click()
    expect(page.get_by_test_id("pipeline")).to_contain_text("Andi Firmansyah")
    page.locator("a", has_text="Andi Firmansyah").click()  # over the age limit on the hiring date
    expect(page.locator("tr[data-kind=max_age]")).to_have_attribute("data-status", "not_met")
    page.go_back()
    page.locator("a", has_text="Reza Pratama").click()  # no health certificate
    expect(page.locator("tr[data-kind=health_certificate]")).to_have_attribute("data-status", "not_met")
    page.go_back()
    page.locator("a", has_text="Bima Nugroho").click()  # exactly 30 on the hiring date: meets the limit
    expect(page.locator("tr[data-kind=max_age]")).to_have_attribute("data-status", "met")
    page.locator("#employee_number").fill("1509960")
    _pick(page, "#team_id", "MLG 147-A")
    page.get_by_test_id("hire").click()
    expect(page).to_have_url(re.compile(r"/people/1509960$"))
    expect(page.get_by_test_id("current-team")).to_contain_text("MLG 147-A")
    expect(page.get_by_test_id("contracts")).to_contain_text("Masa percobaan")
    ctx.close()
    ctx, page = _as(browser, base_url, "tl")
    page.goto(base_url + "/people/?q=Bima")
    expect(page.get_by_test_id("staff-table")).to_contain_text("Bima Nugroho")
    ctx.close()


def test_people_pages_have_no_serious_accessibility_violations(axe_page, base_url):
    login(axe_page, base_url, "hr")
    for path in ("/people/", "/people/teams", "/people/positions", "/people/new", "/people/import", "/people/openings",
                 "/people/openings/1", "/people/candidates/1", "/people/staffing", "/people/caplan", "/people/extensions"):
        axe_page.goto(base_url + path)
        assert axe_violations(axe_page) == [], path
    axe_page.goto(base_url + "/people/")
    axe_page.locator("[data-testid=staff-table] a").first.click()
    assert axe_violations(axe_page) == [], axe_page.url

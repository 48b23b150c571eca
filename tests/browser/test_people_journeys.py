"""Issue 10 in a real browser: HR adds a new agent to tl's team (a taken employee number is refused by the field with
the typing kept), registers the contract and extends it on an evaluation; tl then finds the new agent in their team."""
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
    page.locator("#employee_number").fill("1509900")
    page.locator("button[type=submit]", has_text="Simpan").click()
    expect(page).to_have_url(re.compile(r"/people/1509900$"))
    expect(page.get_by_test_id("current-team")).to_contain_text("MLG 147-A")

    page.get_by_test_id("add-contract").click()
    page.locator("#kind").select_option("probation")
    page.locator("#starts_on").fill("2026-11-02")
    page.locator("#ends_on").fill("2027-01-30")
    page.locator("#number").fill("PKWT/1509900/1")
    page.locator("button[type=submit]", has_text="Simpan").click()
    expect(page).to_have_url(re.compile(r"/people/1509900"))
    expect(page.get_by_test_id("contracts")).to_contain_text("PKWT/1509900/1")

    page.locator("[data-testid^=extend-]").click()
    expect(page.get_by_test_id("next-start")).to_contain_text("31 Januari 2027")
    page.locator("button[type=submit]", has_text="Perpanjang").click()
    expect(page.locator("#evaluation-err")).to_be_visible()  # no evaluation, no extension
    page.locator("#evaluation").fill("Kinerja dan kehadiran memenuhi target masa percobaan; direkomendasikan PKWT.")
    page.locator("#kind").select_option("pkwt")
    page.locator("#ends_on").fill("2028-01-30")
    page.locator("button[type=submit]", has_text="Perpanjang").click()
    expect(page.get_by_test_id("contracts")).to_contain_text("30 Januari 2028")
    expect(page.get_by_test_id("contracts")).to_contain_text("perpanjangan")
    ctx.close()

    ctx, page = _as(browser, base_url, "tl")
    page.goto(base_url + "/people/teams")
    page.locator("a", has_text="MLG 147-A").click()
    expect(page.get_by_test_id("members-table")).to_contain_text("Putri Anggraini")
    expect(page.get_by_test_id("members-table")).to_contain_text("Rina Marlina")
    page.locator("a", has_text="1509900").click()
    expect(page.locator("h1")).to_have_text("Putri Anggraini")
    expect(page.get_by_test_id("edit-staff")).to_have_count(0)
    ctx.close()


def test_people_pages_have_no_serious_accessibility_violations(axe_page, base_url):
    login(axe_page, base_url, "hr")
    for path in ("/people/", "/people/teams", "/people/positions", "/people/new", "/people/import"):
        axe_page.goto(base_url + path)
        assert axe_violations(axe_page) == [], path
    axe_page.goto(base_url + "/people/")
    axe_page.locator("[data-testid=staff-table] a").first.click()
    assert axe_violations(axe_page) == [], axe_page.url

"""What people meet first (issue 15), in a real browser: the register's filters on a phone, the SOP's swimlane as a
table with the flowchart note, and F-06's service filled in from the record header."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import login


def test_on_a_phone_the_register_filters_fold_behind_one_button(browser, base_url):
    context = browser.new_context(locale="id-ID", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    login(page, base_url, "agent")
    page.goto(f"{base_url}/documents/")
    toggle = page.get_by_test_id("filter-toggle")
    expect(toggle).to_be_visible()
    expect(page.locator("#type")).to_be_hidden()  # seven filters folded away
    expect(page.locator("#document-results")).to_contain_text("IN.OCC.TELK.P-10")
    toggle.click()
    expect(page.locator("#type")).to_be_visible()
    page.locator("#type").select_option("F")
    expect(page.locator("#document-results")).not_to_contain_text("IN.OCC.TELK.P-10")
    expect(toggle.locator(".badge")).to_have_text("1")
    toggle.click()
    expect(page.locator("#type")).to_be_hidden()
    context.close()

    context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, base_url, "agent")
    page.goto(f"{base_url}/documents/")
    expect(page.get_by_test_id("filter-toggle")).to_be_hidden()  # on a wide screen the filters simply show
    expect(page.locator("#type")).to_be_visible()
    context.close()
    assert errors == []


def test_the_p10_swimlane_reads_as_a_table_and_says_where_the_flowchart_is(page, base_url):
    login(page, base_url, "agent")
    page.goto(f"{base_url}/documents/IN.OCC.TELK.P-10")
    section = page.locator("#section-8")
    expect(section.locator("table.swimlane th")).to_have_text(
        ["Supervisor", "Fungsi Desk Control", "Fungsi Absen", "Fungsi Cluster", "Keterangan"])
    expect(section.locator("table.swimlane td").last).to_contain_text("9. Fungsi DC")
    expect(section).not_to_contain_text("Supervisor | Fungsi")
    note = section.get_by_test_id("diagram-note")
    expect(note).to_contain_text("diagram alir")
    expect(note.locator("a")).to_have_attribute("href", re.compile(r"/documents/IN\.OCC\.TELK\.P-10/rev/\d+/original$"))


def test_f06_takes_the_service_from_the_record_header(page, base_url):
    login(page, base_url, "tl")
    page.goto(f"{base_url}/records/new/IN.OCC.TELK.F-06")
    page.locator("#service_id").select_option(label="147")
    page.get_by_test_id("create-record").click()
    expect(page).to_have_url(re.compile(r"/records/\d+$"))
    locked = page.get_by_test_id("locked-layanan_line")
    expect(locked).to_have_value("147")
    expect(locked).to_have_attribute("readonly", "")
    expect(page.locator("select#f-layanan_line")).to_have_count(0)

"""Journeys through the foundation in a real browser: sign-in, language, sign-out, admin, layout, accessibility."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, login, logout


def test_team_leader_signs_in_switches_language_and_signs_out(page, base_url):
    login(page, base_url, "tl")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator("nav.sidenav")).to_contain_text("Beranda")
    expect(page.get_by_test_id("logout")).to_have_text("Keluar")

    page.locator("form.langswitch button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("nav.sidenav")).to_contain_text("Home")

    page.locator("form.langswitch button[value=id]").click()
    expect(page.locator("html")).to_have_attribute("lang", "id")

    logout(page)
    expect(page).to_have_url(re.compile(r"/login"))
    # The ended session does not come back with the browser's back button or a reload.
    page.go_back()
    page.reload()
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.locator("#username")).to_be_visible()


def test_wrong_password_shows_a_message_and_keeps_the_user_name(page, base_url):
    page.goto(f"{base_url}/login")
    page.locator("#username").fill("agent")
    page.locator("#password").fill("not-the-password")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator(".field-error, .flash-error").first).to_be_visible()
    expect(page.locator("#password")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#username")).to_have_value("agent")
    expect(page).to_have_url(re.compile(r"/login"))


def test_admin_creates_a_user_after_fixing_a_mistake(page, base_url):
    login(page, base_url, "admin")
    page.goto(f"{base_url}/admin/users/new")
    page.locator("#username").fill("newagent")
    page.locator("#full_name").fill("Agen Baru")
    page.locator("#email").fill("bukan-email")
    page.locator("input[name=roles][value=agent]").check()
    page.locator("#password").fill("sandi-awal-yang-panjang")
    with page.expect_response(lambda r: r.request.method == "POST" and "/admin/users/new" in r.url) as info:
        page.locator("main form button[type=submit]").first.click()
    assert info.value.status == 422
    # The error is next to the field and what was typed is still there.
    expect(page.locator("#email")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#full_name")).to_have_value("Agen Baru")
    page.locator("#email").fill("agen.baru@example.co.id")
    page.locator("#password").fill("sandi-awal-yang-panjang")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("main")).to_contain_text("newagent")
    page.goto(f"{base_url}/admin/users")
    expect(page.locator("main")).to_contain_text("Agen Baru")


@pytest.mark.parametrize("username,path", [
    ("tl", "/"), ("admin", "/admin/users"), ("admin", "/admin/users/new"), ("auditor", "/audit"),
    ("agent", "/documents"), ("dc", "/documents/master"), ("agent", "/documents/IN.OCC.TELK.P-10"),
    ("tl", "/records/"), ("tl", "/records/new/IN.OCC.TELK.F-04"), ("tl", "/records/3"), ("spv", "/records/2"),
    ("qmr", "/records/disposal"), ("qmr", "/records/contracts"), ("auditor", "/records/export/new"),
    ("dc", "/documents/IN.OCC.TELK.P-10/copies"), ("dc", "/documents/copies/withdrawals"),
    ("dc", "/documents/IN.OCC.TELK.F-04/rev/00"),
])
def test_pages_have_no_serious_accessibility_violations(axe_page, base_url, username, path):
    login(axe_page, base_url, username)
    axe_page.goto(base_url + path)
    assert axe_violations(axe_page) == []


def test_login_page_is_accessible(axe_page, base_url):
    axe_page.goto(f"{base_url}/login")
    assert axe_violations(axe_page) == []


@pytest.mark.parametrize("path", ["/", "/documents", "/documents/IN.OCC.TELK.P-01", "/audit", "/records/", "/records/1",
                                  "/records/export/new"])
def test_phone_screen_has_no_horizontal_scroll(browser, base_url, path):
    context = browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="id-ID")
    page = context.new_page()
    try:
        login(page, base_url, "auditor")
        page.goto(base_url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
    finally:
        context.close()


def test_no_inline_style_is_blocked_by_the_content_security_policy(page, base_url):
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    login(page, base_url, "dc")
    page.goto(f"{base_url}/documents")
    page.locator("input[type=search]").first.fill("roster")
    page.wait_for_timeout(800)
    assert violations == []

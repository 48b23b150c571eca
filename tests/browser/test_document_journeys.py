"""Issue 3 in a real browser: a revision of a real SOP from draft to effective, then read and acknowledged."""
from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD, login, logout

CODE = "IN.OCC.TELK.P-10"  # Real Time Management, imported from the seeds at revision 02


def _sign(page, testid: str, password: str = DEMO_PASSWORD) -> int:
    """Sign with the password; returns the status of the signing request once its page has loaded."""
    form = page.locator(f"#{testid}-form")
    form.locator("input[name=password]").fill(password)
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(f"/{testid}")) as info:
        form.get_by_test_id(testid).click()
    page.wait_for_load_state()
    return info.value.status


def test_revision_goes_from_draft_to_effective_and_is_acknowledged(browser, base_url):
    def as_user(username):
        context = browser.new_context(locale="id-ID")
        page = context.new_page()
        login(page, base_url, username)
        return context, page

    # The document controller starts revision 03 and describes the change.
    ctx, page = as_user("dc")
    page.goto(f"{base_url}/documents/{CODE}")
    expect(page.locator("main")).to_contain_text("Real Time Management")
    page.get_by_test_id("new-revision").click()
    expect(page).to_have_url(re.compile(rf"/documents/{re.escape(CODE)}/rev/03/edit"))
    page.locator("#effective_date").fill(date.today().isoformat())
    page.locator("#change_description").fill("Penyesuaian eskalasi gangguan massal ke Supervisor")
    page.get_by_test_id("save-draft").click()
    expect(page.locator(".flash-success")).to_contain_text("Draf telah disimpan")
    # A wrong password gives no signature and keeps the draft.
    assert _sign(page, "submit", "salah-sandi") == 422
    expect(page.locator("#submit-form input[name=password]")).to_have_attribute("aria-invalid", "true")
    _sign(page, "submit")
    expect(page).to_have_url(re.compile(r"/rev/03$"))
    ctx.close()

    # The supervisor checks it.
    ctx, page = as_user("spv")
    page.goto(f"{base_url}/documents/{CODE}/rev/03")
    _sign(page, "check")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Sukron Azis")
    ctx.close()

    # The QMR approves it; with today's date it becomes effective at once.
    ctx, page = as_user("qmr")
    page.goto(f"{base_url}/documents/{CODE}/rev/03")
    _sign(page, "approve")
    expect(page.locator(".flash-success")).to_contain_text("disetujui")
    page.goto(f"{base_url}/documents/{CODE}")
    expect(page.locator(".doc-header, main").first).to_contain_text("03")
    expect(page.locator("main")).to_contain_text("Penyesuaian eskalasi gangguan massal")
    ctx.close()

    # The agent of service 147 at Malang finds it through the home page's reading line and acknowledges it.
    ctx, page = as_user("agent")
    page.goto(base_url + "/")
    page.get_by_test_id("to-read-link").click()
    link = page.get_by_test_id(f"to-read-{CODE}")
    expect(link).to_be_visible()
    link.click()
    page.get_by_test_id("acknowledge-button").click()
    expect(page.get_by_test_id("acknowledge")).to_have_class(re.compile("ack-done"))
    page.goto(base_url + "/documents/to-read")
    expect(page.get_by_test_id(f"to-read-{CODE}")).to_have_count(0)

    # Revision 02 now carries the superseded banner linking to the current one.
    page.goto(f"{base_url}/documents/{CODE}/rev/02")
    banner = page.get_by_test_id("superseded-banner")
    expect(banner).to_be_visible()
    banner.locator("a").first.click()
    expect(page).to_have_url(re.compile(rf"/documents/{re.escape(CODE)}$"))
    logout(page)
    ctx.close()


def test_register_active_search_finds_words_inside_procedures(page, base_url):
    login(page, base_url, "agent")
    page.goto(f"{base_url}/documents")
    page.locator("#text").fill("roster")
    expect(page.locator("#document-results mark").first).to_be_visible()
    expect(page).to_have_url(re.compile(r"text=roster"))
    expect(page.locator("main")).to_contain_text(CODE)


def test_the_revision_editor_never_throws_typing_away(browser, base_url):
    """Typed, then signed without saving: kept. Typed, then reloaded: autosaved. Preview saves first."""
    context = browser.new_context(locale="id-ID")
    page = context.new_page()
    login(page, base_url, "dc")
    code = "IN.OCC.TELK.P-01"
    page.goto(f"{base_url}/documents/{code}")
    page.get_by_test_id("new-revision").click()
    expect(page).to_have_url(re.compile(r"/rev/\d\d/edit$"))
    edit_url = page.url
    # Autosave: typing is saved without pressing anything.
    page.locator("#change_description").fill("Klausul eskalasi diperjelas (autosave)")
    expect(page.get_by_test_id("draft-save-status")).to_contain_text("Tersimpan otomatis", timeout=10000)
    page.reload()
    expect(page.locator("#change_description")).to_have_value("Klausul eskalasi diperjelas (autosave)")
    # Preview saves first.
    page.locator("#effective_date").fill(date.today().isoformat())
    page.locator("textarea[name=section_body]").last.fill("Klausul baru: eskalasi gangguan massal ke Supervisor dalam 15 menit.")
    page.locator("input[name=section_number]").last.fill("14")
    page.locator("input[name=section_title]").last.fill("Eskalasi")
    page.get_by_test_id("preview").click()
    expect(page).to_have_url(re.compile(r"/rev/\d\d$"))
    expect(page.locator("main")).to_contain_text("eskalasi gangguan massal ke Supervisor dalam 15 menit")
    # Typed, then signed with a wrong password: refused, and what was typed is still there.
    page.goto(edit_url)
    page.locator("#change_description").fill("Klausul eskalasi diperjelas; ditandatangani tanpa menyimpan")
    page.locator("#submit-form input[name=password]").fill("salah-sandi")
    page.get_by_test_id("submit").click()
    expect(page.locator("#submit-form input[name=password]")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#change_description")).to_have_value("Klausul eskalasi diperjelas; ditandatangani tanpa menyimpan")
    # Signed without pressing "Save draft": the typing is in the signed revision.
    page.locator("#submit-form input[name=password]").fill(DEMO_PASSWORD)
    page.get_by_test_id("submit").click()
    expect(page).to_have_url(re.compile(r"/rev/\d\d$"))
    expect(page.locator("main")).to_contain_text("ditandatangani tanpa menyimpan")
    context.close()


def test_the_editor_never_conflicts_with_itself_and_shows_a_real_conflict_in_the_save_status(browser, base_url):
    """Issue 16, item 7: "Save draft" pressed while an autosave is still on its way waits for it and is sent with
    the version it brought back (no 409 against oneself); a second window's save on an old version shows the
    conflict in its save status, and its typing stays."""
    import time

    context = browser.new_context(locale="id-ID")
    page = context.new_page()
    login(page, base_url, "dc")
    page.goto(f"{base_url}/documents/OB.IN.OCC.TELK.P-02")
    page.get_by_test_id("new-revision").click()
    expect(page).to_have_url(re.compile(r"/rev/\d\d/edit$"))
    edit_url = page.url

    def slow_answer(route):  # the autosave reaches the server at once; its answer comes back 2 s later
        response = route.fetch()
        time.sleep(2)
        route.fulfill(response=response)

    page.route("**/autosave", slow_answer)
    page.locator("#change_description").fill("Diketik lalu langsung disimpan")
    with page.expect_request("**/autosave", timeout=10000):
        pass
    page.get_by_test_id("save-draft").click()
    expect(page.locator(".flash-success")).to_contain_text("Draf telah disimpan", timeout=15000)
    page.unroute("**/autosave")

    # A second window opened earlier on the same draft: its autosave is refused in its save status, typing kept.
    other = context.new_page()
    other.goto(edit_url)
    page.reload()
    page.locator("#change_description").fill("Dari jendela pertama")
    expect(page.get_by_test_id("draft-save-status")).to_contain_text("Tersimpan otomatis", timeout=10000)
    other.locator("#change_description").fill("Dari jendela kedua")
    expect(other.get_by_test_id("draft-save-status")).to_contain_text("jendela lain", timeout=10000)
    expect(other.locator("#change_description")).to_have_value("Dari jendela kedua")
    context.close()


def test_a_table_in_a_section_is_edited_as_a_grid(browser, base_url):
    """Issue 15, SOP reading: tables are edited as tables. A table typed as lines of cells becomes a grid; a cell
    changed in the grid and a row added are what the draft saves (the text is the one source)."""
    context = browser.new_context(locale="id-ID")
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, base_url, "dc")
    page.goto(f"{base_url}/documents/IN.CC.TELK.PM-08")
    page.get_by_test_id("new-revision").click()
    expect(page).to_have_url(re.compile(r"/rev/\d\d/edit$"))
    edit_url = page.url
    area = page.locator("textarea[name=section_body]").last
    area.fill("Tabel peran:\nPeran | Tugas\nTeam Leader | Sampling 3 panggilan per jam")
    area.dispatch_event("change")
    grid = page.locator(".grid-edit").last
    expect(grid.locator("input")).to_have_count(4)
    grid.locator("input").nth(3).fill("Sampling 5 panggilan per jam")
    grid.get_by_role("button", name="Tambah baris").click()
    grid.locator("tbody tr").last.locator("input").nth(0).fill("QCO")
    grid.locator("tbody tr").last.locator("input").nth(1).fill("Kalibrasi mingguan")
    page.locator("input[name=section_number]").last.fill("9")
    page.locator("input[name=section_title]").last.fill("Peran")
    expect(page.get_by_test_id("draft-save-status")).to_contain_text("Tersimpan otomatis", timeout=10000)
    page.goto(edit_url)
    saved = page.locator("textarea[name=section_body]").nth(-2)  # the saved section, before the empty new one
    expect(saved).to_have_value(re.compile(r"Team Leader \| Sampling 5 panggilan per jam\nQCO \| Kalibrasi mingguan"))
    expect(page.locator(".grid-edit input").first).to_be_visible()
    assert not errors, errors
    context.close()

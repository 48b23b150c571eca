"""Issue 12 in a real browser: tl fills a week of next month's draft roster (a cell typed with the keyboard, then
fill-range by click and Shift+click) and the supervisor signs and publishes it; tl swaps `agent` onto the shift
running now in this month's published roster (a change with a reason); `agent` checks in late from the home page;
the floor shows the late arrival with the link to a coaching finding; tl makes the month's F-02 record, signs it,
and the supervisor approves it."""
from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import DEMO_PASSWORD, login


def _as(browser, base_url, username):
    context = browser.new_context(locale="id-ID")
    page = context.new_page()
    login(page, base_url, username)
    return context, page


def _ids(live_server):
    from portal.auth.models import User
    from portal.extensions import db
    from portal.people.models import Staff, Team

    with live_server.app.app_context():
        team = db.session.scalar(select(Team).join(Staff, Staff.id == Team.leader_id).join(User, User.id == Staff.user_id)
                                 .where(User.username == "tl"))
        agent = db.session.scalar(select(Staff).join(User, User.id == Staff.user_id).where(User.username == "agent"))
        return team.id, agent.id


def _forget_attendance(live_server, staff_id: int, day) -> None:
    from portal.extensions import db
    from portal.roster.models import Attendance

    with live_server.app.app_context():
        db.session.execute(Attendance.__table__.delete().where(Attendance.staff_id == staff_id, Attendance.day == day))
        db.session.commit()


def _running_shift(now: datetime) -> tuple[str, datetime]:
    """The inbound shift started at least 6 minutes ago and still running (waiting out the first minutes), and the
    rostered day it belongs to."""
    while True:
        t = now.time()
        day = now.date()
        minutes = t.hour * 60 + t.minute
        if 7 * 60 + 6 <= minutes < 15 * 60:
            return "P", day
        if 15 * 60 + 6 <= minutes < 23 * 60:
            return "S", day
        if minutes >= 23 * 60 + 6:
            return "M", day
        if minutes < 7 * 60:
            return "M", day - timedelta(days=1)
        time.sleep(60)
        now = datetime.now(ZoneInfo("Asia/Jakarta"))


def test_tl_plans_spv_publishes_agent_checks_in_late_and_f02_is_approved(browser, base_url, live_server):
    team_id, agent_id = _ids(live_server)
    now = datetime.now(ZoneInfo("Asia/Jakarta"))
    this = now.date().replace(day=1)
    following = (this + timedelta(days=32)).replace(day=1)
    grid = f"{base_url}/roster/{team_id}/{following:%Y-%m}"

    # tl: a cell typed with the keyboard, then a week by fill-range (click, Shift+click).
    ctx, page = _as(browser, base_url, "tl")
    page.goto(grid)
    first_day = following.isoformat()
    row = page.locator(f"#row-{agent_id}")
    cell = row.locator(f'input[data-day="{first_day}"]')
    cell.fill("pm")
    cell.press("Enter")  # saved, the focus moves down
    expect(page.locator(f"#row-{agent_id} input[data-day='{first_day}']")).to_have_value("PM")
    week_end = (following + timedelta(days=6)).isoformat()
    page.locator(f"#row-{agent_id} input[data-day='{(following + timedelta(days=1)).isoformat()}']").click()
    page.locator(f"#row-{agent_id} input[data-day='{week_end}']").click(modifiers=["Shift"])
    expect(page.locator("#fill-form [name=start]")).to_have_value((following + timedelta(days=1)).isoformat())
    expect(page.locator("#fill-form [name=end]")).to_have_value(week_end)
    page.locator("#fill-code").fill("S")
    page.get_by_test_id("fill-submit").click()
    expect(page.locator(".flash-success")).to_be_visible()
    for i in range(1, 7):
        expect(page.locator(f"#row-{agent_id} input[data-day='{(following + timedelta(days=i)).isoformat()}']")).to_have_value("S")
    expect(page.get_by_test_id("publish-form")).to_have_count(0)  # the team leader does not publish
    page.reload()
    expect(page.locator(f"#row-{agent_id} input[data-day='{first_day}']")).to_have_value("PM")

    # spv signs and publishes: the grid is locked.
    sctx, spv = _as(browser, base_url, "spv")
    spv.goto(grid)
    spv.locator("#password").fill("salah-sandi")
    spv.get_by_test_id("publish").click()
    expect(spv.locator(".field-error")).to_be_visible()
    spv.locator("#password").fill(DEMO_PASSWORD)
    spv.get_by_test_id("publish").click()
    expect(spv.get_by_test_id("roster-state")).to_contain_text("terbit")
    expect(spv.locator("#roster-grid input[data-day]")).to_have_count(0)

    # tl puts agent on the shift running now (a change to this month's published roster, with a reason).
    code, day = _running_shift(datetime.now(ZoneInfo("Asia/Jakarta")))
    page.goto(f"{base_url}/roster/{team_id}/{day:%Y-%m}")
    cell_text = page.locator(f"#row-{agent_id} td").nth(day.day - 1).inner_text().strip()
    if cell_text != code:
        page.locator("#change-staff").select_option(str(agent_id))
        page.locator("#day").fill(day.isoformat())
        page.locator("#change-code").fill(code)
        page.locator("#kind").select_option("swap")
        page.locator("#reason").fill("Tukar shift dengan rekan satu tim")
        page.get_by_test_id("change-submit").click()
        expect(page.locator(".flash-success")).to_be_visible()
        page.get_by_test_id("compare-link").click()
        expect(page.get_by_test_id("roster-changes")).to_contain_text("Tukar shift dengan rekan satu tim")

    if day != datetime.now(ZoneInfo("Asia/Jakarta")).date():
        # Between midnight and 07.00 the shift running now is yesterday's night shift, and the demo recorded the
        # agent's attendance of yesterday (two weeks of realisation up to today): without it, as at 23.10.
        _forget_attendance(live_server, agent_id, day)

    # agent checks in from the home page: late.
    actx, agent = _as(browser, base_url, "agent")
    agent.goto(base_url + "/")
    agent.get_by_test_id("check-in").click()
    expect(agent.locator(".flash-success")).to_contain_text("Check-in pukul")
    agent.goto(base_url + "/roster/me" + (f"?month={day:%Y-%m}"))
    expect(agent.get_by_test_id("my-roster")).to_contain_text("menit terlambat")

    # the floor shows it, one click from a coaching finding.
    page.goto(base_url + "/roster/today")
    expect(page.get_by_test_id("floor")).to_contain_text("terlambat")
    link = page.get_by_test_id(f"floor-coaching-{agent_id}")
    expect(link).to_be_visible()
    link.click()
    expect(page).to_have_url(re.compile(r"/coaching/findings/new\?staff=%d" % agent_id))

    # F-02 of the month: made from the data, signed by tl, approved by spv.
    page.goto(f"{base_url}/roster/{team_id}/{day:%Y-%m}/f02")
    page.get_by_test_id("make-f02").click()
    expect(page).to_have_url(re.compile(r"/records/\d+$"))
    page.locator("#password").fill(DEMO_PASSWORD)
    page.get_by_test_id("submit-record").click()
    expect(page.locator("[data-status='submitted']").first).to_be_visible()
    record_url = page.url
    spv.goto(record_url)
    form = spv.locator("#approve-form")
    form.locator("input[type=password]").fill(DEMO_PASSWORD)
    form.get_by_test_id("approve-record").click()
    expect(spv.locator("[data-status='approved']").first).to_be_visible(timeout=30000)  # archived as PDF/A first
    for c in (ctx, sctx, actx):
        c.close()

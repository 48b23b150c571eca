"""Issue 14 (monitoring) in a real browser: the desk control (tl) enters a 147 service level under target, the missed
reading proposes a recovery plan with the P-10 steps pre-filled; the supervisor approves it from the home page's
count; the desk control distributes it to the team leader, who finds it on their home page and acknowledges it."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import login


def _as(browser, base_url, username):
    context = browser.new_context(locale="id-ID")
    page = context.new_page()
    login(page, base_url, username)
    return context, page


def _sl_147(live_server) -> int:
    from portal.auth.models import Service
    from portal.extensions import db
    from portal.monitoring.models import Kpi

    with live_server.app.app_context():
        return db.session.scalar(select(Kpi.id).join(Service, Service.id == Kpi.service_id)
                                 .where(Service.code == "147", Kpi.code == "SL"))


def test_a_missed_sl_proposes_a_plan_spv_approves_tl_acknowledges(browser, base_url, live_server):
    assert _sl_147(live_server) is not None  # the demo seeded 147's KPIs
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    tl_context, tl = _as(browser, base_url, "tl")
    tl.goto(f"{base_url}/monitoring/")
    expect(tl.get_by_test_id("service-147")).to_be_visible()
    tl.get_by_test_id("service-147").get_by_role("link", name=re.compile("SL · Service Level")).click()
    form = tl.get_by_test_id("reading-form")
    form.locator("#period").select_option("interval")
    form.locator("#day").fill(today.isoformat())
    form.locator("#at").fill("05:00")
    form.locator("#value").fill("abc")
    tl.get_by_test_id("save-reading").click()
    expect(form.locator(".field-error")).to_contain_text("angka")
    expect(form.locator("#value")).to_have_value("abc")  # the typing is kept
    form.locator("#value").fill("68,5")
    form.locator("#volume").fill("350")
    tl.get_by_test_id("save-reading").click()
    expect(tl.locator(".flash-warning")).to_contain_text("target tidak tercapai")
    row = tl.locator("tr", has_text="05.00").filter(has_text="68,50 %")
    row.get_by_role("link", name="Usulkan recovery plan").click()
    expect(tl.locator("#problem")).to_contain_text("tidak mencapai target")
    expect(tl.locator("#step_action_1")).to_contain_text("Fungsi Absen")
    for i in (1, 2, 3):
        tl.locator(f"#step_owner_{i}").select_option(label="Dewi Lestari")
    tl.get_by_test_id("propose").click()
    expect(tl.get_by_test_id("plan-status")).to_contain_text("diusulkan")
    plan_url = tl.url
    expect(tl.get_by_test_id("approve")).to_have_count(0)  # the desk control does not approve

    spv_context, spv = _as(browser, base_url, "spv")
    spv.get_by_role("link", name=re.compile("recovery plan menunggu persetujuan Anda")).click()
    spv.locator("tr", has_text="05.00").get_by_role("link", name=re.compile("RP-")).click()
    expect(spv).to_have_url(plan_url)
    spv.locator("#note").fill("Setuju, jalankan segera.")
    spv.get_by_test_id("approve").click()
    expect(spv.get_by_test_id("plan-status")).to_contain_text("disetujui")

    tl.reload()
    tl.get_by_test_id("distribute-form").get_by_label("Dewi Lestari").check()
    tl.get_by_test_id("distribute").click()
    expect(tl.get_by_test_id("plan-status")).to_contain_text("didistribusikan")
    expect(tl.get_by_test_id("plan-recipients")).to_contain_text("belum dikonfirmasi")
    tl.goto(f"{base_url}/")
    tl.get_by_role("link", name=re.compile("recovery plan menunggu konfirmasi Anda")).click()
    tl.locator("tr", has_text="05.00").get_by_role("link", name=re.compile("RP-")).click()
    tl.get_by_test_id("acknowledge").click()
    expect(tl.get_by_test_id("plan-recipients")).to_contain_text("dikonfirmasi")
    expect(tl.get_by_test_id("acknowledge")).to_have_count(0)
    expect(tl.get_by_test_id("plan-after")).to_be_visible()

    spv.reload()
    spv.get_by_test_id("close-form").locator("#outcome").select_option("achieved")
    spv.get_by_test_id("close-form").locator("#note").fill("SL kembali 82 % pada interval berikutnya.")
    spv.get_by_test_id("close").click()
    expect(spv.get_by_test_id("plan-outcome")).to_contain_text("target kembali tercapai")
    tl_context.close()
    spv_context.close()

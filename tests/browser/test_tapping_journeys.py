"""Issue 13 in a real browser: qco validates three of the demo agent's calls on the worklist and returns one with a
reason and a recommendation; `agent` sees it on the home page and records the recall; the call is back on qco's
worklist and qco validates it; the Quality Validation Score dashboard moves. Customer numbers stay masked."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import login


def _as(browser, base_url, username):
    context = browser.new_context(locale="id-ID")
    page = context.new_page()
    login(page, base_url, username)
    return context, page


def _figures(page, base_url) -> dict:
    page.goto(base_url + "/tapping/qvs")
    return {k: int(page.get_by_test_id(f"qvs-{k}").inner_text().strip()) for k in ("agree", "valid", "returned", "pending")}


def _open_first(page, base_url) -> str:
    page.goto(base_url + "/tapping/?stage=waiting&agent=Rina")
    row = page.get_by_test_id("call-row").first
    expect(row).to_contain_text("****")
    row.get_by_test_id("open-call").click()
    page.wait_for_url(re.compile(r"/tapping/calls/\d+$"))
    return page.get_by_test_id("recording").inner_text().strip()


def _verdict(page, verdict: str, reason: str | None = None, recommendation: str = "") -> None:
    boxes = page.locator("input[name=checked]")
    for i in range(boxes.count() if verdict == "VALID" else 3):
        boxes.nth(i).check()
    page.locator(f"input[name=verdict][value={verdict}]").check()
    if reason:
        page.locator("#reason_code").select_option(reason)
        page.locator("#recommendation").fill(recommendation)
    page.get_by_test_id("save-verdict").click()
    page.wait_for_url(re.compile(r"/tapping/(\?.*)?$"))


def test_qco_returns_a_call_the_agent_recalls_and_the_dashboard_moves(browser, base_url):
    qctx, qco = _as(browser, base_url, "qco")
    before = _figures(qco, base_url)
    assert before["pending"] >= 3
    expect(qco.get_by_test_id("qvs-chart")).to_be_visible()
    first = _open_first(qco, base_url)
    _verdict(qco, "VALID")
    second = _open_first(qco, base_url)
    assert second != first
    _verdict(qco, "VALID")
    returned = _open_first(qco, base_url)
    expect(qco.get_by_test_id("customer-number")).to_contain_text("****")
    _verdict(qco, "RETURN", "R02", "Sampaikan biaya bulanan sebelum meminta persetujuan.")
    middle = _figures(qco, base_url)
    assert middle["valid"] == before["valid"] + 2 and middle["returned"] == before["returned"] + 1
    assert middle["pending"] == before["pending"] - 3

    actx, agent = _as(browser, base_url, "agent")
    agent.goto(base_url + "/")
    link = agent.locator("a", has_text="perlu dihubungi kembali")
    expect(link).to_be_visible()
    link.click()
    agent.get_by_test_id("returned-calls").locator("a", has_text=returned).click()
    expect(agent.get_by_test_id("call-history")).to_contain_text("Sampaikan biaya bulanan")
    expect(agent.get_by_test_id("customer-number")).to_contain_text("****")
    agent.locator("#result").select_option("AGREE")
    agent.locator("#outcome").fill("Pelanggan dihubungi kembali dan menyetujui setelah biaya dijelaskan.")
    agent.get_by_test_id("save-recall").click()
    agent.wait_for_url(re.compile(r"/tapping/mine$"))
    expect(agent.get_by_test_id("returned-calls")).not_to_contain_text(returned)
    actx.close()

    qco.goto(base_url + "/tapping/?stage=waiting&agent=Rina")
    qco.get_by_test_id("worklist").locator("a", has_text=returned).click()
    expect(qco.get_by_test_id("call-history")).to_contain_text("pelanggan menjawab AGREE")
    _verdict(qco, "VALID")
    after = _figures(qco, base_url)
    assert after["valid"] == before["valid"] + 3 and after["returned"] == before["returned"]
    qco.goto(base_url + "/tapping/?stage=all&agent=Rina")
    qco.get_by_test_id("worklist").locator("a", has_text=returned).click()
    expect(qco.get_by_test_id("verdict")).to_have_count(2)
    qctx.close()

"""Issue 13, the inbound part, in a real browser: qco samples a 147 call of the demo agent and scores it on the S-03
scorecard; `agent` sees it on the home page and disputes it; qa sees the dispute on the home page, upholds it and
amends the score, the call page keeps both; qa opens a calibration round on the call, scores it, qco scores it too
and the round shows where they disagree. Customer numbers stay masked."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import login

RECORDING = "IN-147-JOURNEY-0001"


def _as(browser, base_url, username):
    context = browser.new_context(locale="id-ID")
    page = context.new_page()
    login(page, base_url, username)
    return context, page


def _score(page, missed: str | None = None, comment: str = "") -> None:
    """Every parameter met but `missed` (a clause), then save."""
    for radio in page.locator("input[type=radio][value=Y]").all():
        radio.check()
    if missed:
        page.get_by_test_id(f"param-{missed}").locator("input[type=radio][value=N]").check()
    if comment:
        page.locator("#comment").fill(comment)
    page.get_by_test_id("save-score").click()


def test_qco_scores_an_inbound_call_agent_disputes_qa_decides_and_a_calibration_shows_the_disagreement(browser, base_url):
    qctx, qco = _as(browser, base_url, "qco")
    qco.goto(base_url + "/tapping/scores")
    qco.get_by_test_id("sample-call").click()
    qco.locator("#called_time").fill("10.30")
    qco.locator("#agent").fill("agent")
    qco.locator("#service").select_option(label="147")
    qco.locator("#recording_id").fill(RECORDING)
    qco.locator("#topic").fill("Gangguan internet lambat")
    qco.locator("#customer_number").fill("081299887766")
    qco.get_by_test_id("save-inbound").click()
    qco.wait_for_url(re.compile(r"/tapping/inbound/\d+$"))
    call_url = qco.url
    expect(qco.get_by_test_id("customer-number")).to_have_text("0812****766")
    # A critical item not met without a comment is refused; the answers stay.
    for radio in qco.locator("input[type=radio][value=Y]").all():
        radio.check()
    qco.get_by_test_id("param-S-03 B.2").locator("input[type=radio][value=N]").check()
    qco.get_by_test_id("save-score").click()
    expect(qco.locator(".field-error").first).to_contain_text("menggagalkan call")
    _score(qco, "S-03 D.1", "Konfirmasi ulang solusi terlewat.")
    expect(qco.get_by_test_id("score-total")).to_contain_text("95,00")
    qco.goto(base_url + "/tapping/scores")
    expect(qco.get_by_test_id("scored-calls")).to_contain_text(RECORDING)
    expect(qco.get_by_test_id("scored-calls")).not_to_contain_text("081299887766")

    actx, agent = _as(browser, base_url, "agent")
    expect(agent.locator("main")).to_contain_text("hasil kualitas call menunggu Anda terima atau bantah")
    agent.goto(base_url + "/tapping/mine")
    agent.get_by_test_id("results-to-sign").get_by_role("link", name=RECORDING).click()
    agent.wait_for_url(call_url)
    agent.locator("#reason").fill("Konfirmasi ulang solusi sudah saya sampaikan di akhir call.")
    agent.get_by_test_id("dispute").click()
    expect(agent.get_by_test_id("signoff-state")).to_contain_text("dibantah, menunggu QA")

    ctx, qa = _as(browser, base_url, "qa")
    qa.locator("main").get_by_role("link", name=re.compile("dibantah menunggu keputusan Anda")).click()
    qa.get_by_test_id("disputes").get_by_role("link", name=RECORDING).click()
    qa.wait_for_url(call_url)
    expect(qa.get_by_test_id("dispute-reason")).to_contain_text("sudah saya sampaikan")
    qa.locator("input[name=decision][value=upheld]").check()
    qa.locator("#note").fill("Rekaman didengar ulang: konfirmasi ada di menit 04.10.")
    qa.locator("#amended").fill("100")
    qa.get_by_test_id("decide").click()
    expect(qa.get_by_test_id("signoff-state")).to_contain_text("bantahan diterima")
    expect(qa.get_by_test_id("score-total")).to_contain_text("100,00")
    expect(qa.get_by_test_id("score-original")).to_contain_text("95,00")
    expect(qa.get_by_test_id("dispute-decision")).to_contain_text("menit 04.10")

    # Calibration on the same call: qa (the reference) and qco score it independently.
    qa.locator("#round_note").fill("Kalibrasi S-03 dari perjalanan uji.")
    qa.get_by_test_id("open-calibration").click()
    qa.wait_for_url(re.compile(r"/tapping/calibrations/\d+$"))
    round_url = qa.url
    _score(qa, "S-03 B.4", "Acuan QA.")
    qa.wait_for_url(round_url)
    expect(qa.get_by_test_id("calibration-scorer")).to_have_count(1)
    qco.goto(round_url)
    expect(qco.get_by_test_id("calibration-parameters")).to_have_count(0)  # hidden until qco has scored
    _score(qco, "S-03 C.1", "Intonasi kurang ramah.")
    qco.wait_for_url(round_url)
    expect(qco.get_by_test_id("calibration-scorer")).to_have_count(2)
    expect(qco.get_by_test_id("disagreement")).to_have_count(2)
    expect(qco.get_by_test_id("calibration-spread")).to_contain_text("5,00")
    qa.reload()
    qa.get_by_test_id("close-calibration").click()
    expect(qa.get_by_test_id("calibration-status")).to_contain_text("ditutup")
    for context in (qctx, actx, ctx):
        context.close()

"""The inbound pages through the test client: a QCO samples and scores a call (refusals keep the typing), the month's
scores page, Excel and PDF (customer numbers masked), the agent's sign-off and QA's decision on the call page, a
calibration round that hides the others' scores until one has scored, the scorecard versions page, the call-level
Excel of validations, and the 403s and hidden buttons."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.core.audit import AuditEvent
from portal.core.db import utcnow
from portal.extensions import db
from portal.tapping import scoring
from portal.tapping import services as tapping
from portal.tapping.models import InboundCall, ParameterSet, Score, SignOff
from tests.tapping_factories import make_call, make_inbound

NUMBER = "081234567789"
MASKED = "0812****789"


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def line(app, org, factories):
    with app.test_request_context():
        service = factories.service(code="147", name="147", direction="inbound")
        tapping.seed()
        db.session.commit()
    return {"service": service, "pset": db.session.scalar(select(ParameterSet).where(ParameterSet.service_id == service.id))}


def _form(pset, missed=(), comments=None, **extra):
    data = {}
    for p in pset.parameters:
        data[f"a{p.id}"] = "N" if p.clause in missed else "Y"
        data[f"c{p.id}"] = (comments or {}).get(p.clause, "")
    return {**data, "parameter_set_id": pset.id, **extra}


def test_a_qco_samples_and_scores_an_inbound_call(client, org, line):
    client.login(org["qco"].username)
    today = utcnow().date().isoformat()
    # A refusal keeps the typing (unknown agent).
    r = client.post_form("/tapping/inbound/new", {"called_on": today, "called_time": "09.15", "agent": "nobody",
                                                  "service": str(line["service"].id), "recording_id": "IN-147-X1",
                                                  "topic": "Gangguan internet", "customer_number": NUMBER},
                         token_from="/tapping/inbound/new")
    assert r.status_code == 422 and "IN-147-X1" in _text(r) and "nobody" in _text(r)
    r = client.post_form("/tapping/inbound/new", {"called_on": today, "called_time": "09.15", "agent": "1509001",
                                                  "service": str(line["service"].id), "recording_id": "IN-147-X1",
                                                  "topic": "Gangguan internet", "customer_number": NUMBER},
                         token_from="/tapping/inbound/new")
    assert r.status_code == 303, _text(r)
    call = db.session.scalar(select(InboundCall).where(InboundCall.recording_id == "IN-147-X1"))
    assert call.qco_id == org["qco"].id and call.customer_number == NUMBER
    page = _text(client.get(f"/tapping/inbound/{call.id}"))
    assert 'data-testid="save-score"' in page and MASKED in page and NUMBER not in page
    assert len(re.findall(r'name="a\d+" value="Y"', page)) == 12
    # A critical item not met without its comment is refused, every answer and comment kept.
    pset = line["pset"]
    r = client.post_form(f"/tapping/inbound/{call.id}/score", _form(pset, missed={"S-03 B.2"}, comments={"S-03 A.1": "Salam lengkap"},
                                                                    comment="Catatan umum"),
                         token_from=f"/tapping/inbound/{call.id}")
    assert r.status_code == 422 and "menggagalkan call" in _text(r)
    assert 'value="Salam lengkap"' in _text(r) and "Catatan umum" in _text(r)
    assert db.session.scalar(select(func.count(Score.id))) == 0
    r = client.post_form(f"/tapping/inbound/{call.id}/score", _form(pset, missed={"S-03 B.4"}, comment="Tawarkan add-on"),
                         token_from=f"/tapping/inbound/{call.id}")
    assert r.status_code == 303
    page = _text(client.get(f"/tapping/inbound/{call.id}"))
    assert 'data-testid="score-total"' in page and "95,00" in page and 'data-testid="save-score"' not in page
    month = utcnow().strftime("%Y-%m")
    scores = _text(client.get(f"/tapping/scores?month={month}"))
    assert "95,00" in scores and "Rina Marlina" in scores and MASKED in scores and NUMBER not in scores
    # The number in clear for the assigned QCO, an audit event each time.
    r = client.post_form(f"/tapping/inbound/{call.id}/number", {}, token_from=f"/tapping/inbound/{call.id}",
                         headers={"HX-Request": "true"})
    assert r.status_code == 200 and NUMBER in _text(r)
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "inbound_call.number_viewed")) == 1


def _scored(app, org, line, **kw):
    with app.test_request_context():
        call = make_inbound(org["agent_staff"], line["service"], called_at=utcnow() - timedelta(hours=5), qco_id=org["qco"].id, **kw)
        answers = {p.id: ("N" if p.clause == "S-03 D.1" else "Y", "") for p in line["pset"].parameters}
        score = scoring.score_call(call, {"answers": answers}, org["qco"])
        db.session.commit()
    return call, score


def test_exports_and_pages_mask_the_customer_number(app, client, make_client, org, line):
    call, _score = _scored(app, org, line)
    from portal.tapping.models import Validation

    # The tapping month is the call's (five hours ago is last month in the first hours of the 1st).
    month = call.month.strftime("%Y-%m")
    outbound = make_call(org["agent_staff"], org["service"], called_at=utcnow() - timedelta(hours=3), qco_id=org["qco"].id,
                         month=call.month)
    db.session.add(Validation(call_id=outbound.id, verdict="RETURN", reason_code="R01", recommendation="Ulangi",
                              qco_name="Budi", validated_at=utcnow()))
    db.session.commit()
    manager = make_client()
    manager.login(org["manager"].username)
    for path in (f"/tapping/scores?month={month}", f"/tapping/inbound/{call.id}", "/tapping/mine"):
        assert NUMBER not in _text(manager.get(path)), path
    for path in (f"/tapping/scores.xlsx?month={month}", f"/tapping/validations.xlsx?month={month}"):
        xlsx = manager.get(path)
        assert xlsx.status_code == 200 and xlsx.mimetype.endswith("sheet"), path
        cells = [str(c) for row in load_workbook(io.BytesIO(xlsx.data)).worksheets[0].iter_rows(values_only=True) for c in row]
        assert not [c for c in cells if "4567789" in c] and MASKED in cells and any("Rina Marlina" in c for c in cells), path
    pdf = manager.get(f"/tapping/scores.pdf?month={month}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and b"4567789" not in pdf.data


def test_permissions_refuse_and_hide_on_the_inbound_pages(client, make_client, org, line, app):
    call, score = _scored(app, org, line)
    client.login(org["agent"].username)
    for path in ("/tapping/scores", "/tapping/calibrations", "/tapping/disputes", "/tapping/inbound/new"):
        assert client.get(path).status_code == 403, path
    page = _text(client.get(f"/tapping/inbound/{call.id}"))
    assert 'data-testid="acknowledge"' in page and 'data-testid="save-score"' not in page and 'data-testid="open-calibration"' not in page
    assert client.post_form(f"/tapping/inbound/{call.id}/score", _form(line["pset"]), token_from="/tapping/mine").status_code == 403
    tl = make_client()
    tl.login(org["tl"].username)  # their team's agent: sees the result, no sign-off buttons, no calibration
    page = _text(tl.get(f"/tapping/inbound/{call.id}"))
    assert 'data-testid="score-total"' in page and 'data-testid="acknowledge"' not in page and 'data-testid="decide"' not in page
    assert tl.get("/tapping/calibrations").status_code == 403
    assert tl.post_form(f"/tapping/results/score/{score.id}/sign", {"action": "acknowledge"}, token_from="/tapping/mine").status_code == 403
    tl_b = make_client()
    tl_b.login(org["tl_b"].username)
    assert tl_b.get(f"/tapping/inbound/{call.id}").status_code == 403
    qco = make_client()
    qco.login(org["qco"].username)
    page = _text(qco.get(f"/tapping/inbound/{call.id}"))
    assert 'data-testid="open-calibration"' not in page and 'data-testid="acknowledge"' not in page  # QA opens rounds
    assert qco.get("/tapping/disputes").status_code == 403
    scorecards = _text(qco.get("/tapping/scorecards"))
    assert "IN.QCC.TELK.S-03" in scorecards and 'data-testid="save-scorecard"' not in scorecards
    assert qco.post_form("/tapping/scorecards", {"service": line["service"].id}, token_from="/tapping/scorecards").status_code == 403


def test_the_agent_disputes_qa_decides_and_the_call_page_keeps_both(app, client, make_client, org, line):
    call, score = _scored(app, org, line)
    client.login(org["agent"].username)
    mine = _text(client.get("/tapping/mine"))
    assert 'data-testid="to-sign"' in mine and call.recording_id in mine
    r = client.post_form(f"/tapping/results/score/{score.id}/sign", {"action": "dispute", "reason": ""},
                         token_from=f"/tapping/inbound/{call.id}")
    assert r.status_code == 422 and "Tulis alasan Anda membantah" in _text(r)
    r = client.post_form(f"/tapping/results/score/{score.id}/sign", {"action": "dispute", "reason": "Saya sudah menawarkan bantuan lain"},
                         token_from=f"/tapping/inbound/{call.id}")
    assert r.status_code == 303
    assert 'data-testid="acknowledge"' not in _text(client.get(f"/tapping/inbound/{call.id}"))
    qa = make_client()
    qa.login(org["qa"].username)
    assert "menunggu keputusan Anda" in _text(qa.get("/"))
    assert call.recording_id in _text(qa.get("/tapping/disputes"))
    page = _text(qa.get(f"/tapping/inbound/{call.id}"))
    assert 'data-testid="decide"' in page and "Saya sudah menawarkan" in page
    row = db.session.scalar(select(SignOff).where(SignOff.score_id == score.id))
    r = qa.post_form(f"/tapping/disputes/{row.id}/decide", {"decision": "upheld", "note": "", "amended": "100"},
                     token_from=f"/tapping/inbound/{call.id}")
    assert r.status_code == 422 and "Tulis catatan keputusan" in _text(r) and 'value="100"' in _text(r)
    r = qa.post_form(f"/tapping/disputes/{row.id}/decide", {"decision": "upheld", "note": "Didengar ulang: terpenuhi.", "amended": "100"},
                     token_from=f"/tapping/inbound/{call.id}")
    assert r.status_code == 303
    page = _text(client.get(f"/tapping/inbound/{call.id}"))
    assert "100,00" in page and 'data-testid="score-original"' in page and "95,00" in page
    assert "Saya sudah menawarkan" in page and "Didengar ulang" in page and "bantahan diterima" in page
    assert "menunggu keputusan Anda" not in _text(qa.get("/"))


def test_a_validation_is_acknowledged_on_the_call_page(client, org):
    from portal.tapping.models import Validation

    call = make_call(org["agent_staff"], org["service"], qco_id=org["qco"].id, stage="valid")
    db.session.add(Validation(call_id=call.id, verdict="VALID", qco_name="Budi", validated_at=utcnow()))
    db.session.commit()
    client.login(org["agent"].username)
    page = _text(client.get(f"/tapping/calls/{call.id}"))
    assert 'data-testid="acknowledge"' in page
    validation = db.session.scalar(select(Validation).where(Validation.call_id == call.id))
    r = client.post_form(f"/tapping/results/validation/{validation.id}/sign", {"action": "acknowledge"},
                         token_from=f"/tapping/calls/{call.id}")
    assert r.status_code == 303
    page = _text(client.get(f"/tapping/calls/{call.id}"))
    assert 'data-testid="acknowledge"' not in page and 'data-testid="signoff-state"' in page and "sudah dikonfirmasi" in page


def test_a_calibration_round_hides_the_others_until_one_has_scored(app, client, make_client, org, line):
    with app.test_request_context():
        call = make_inbound(org["colleague"], line["service"], called_at=utcnow() - timedelta(days=1), qco_id=org["qco"].id)
        db.session.commit()
    qa = make_client()
    qa.login(org["qa"].username)
    r = qa.post_form(f"/tapping/inbound/{call.id}/calibrate", {"round_note": "Kalibrasi"}, token_from=f"/tapping/inbound/{call.id}")
    assert r.status_code == 303
    round_id = int(r.headers["Location"].rsplit("/", 1)[1])
    r = qa.post_form(f"/tapping/calibrations/{round_id}/score", _form(line["pset"], missed={"S-03 B.4"}, comment="Acuan"),
                     token_from=f"/tapping/calibrations/{round_id}")
    assert r.status_code == 303
    client.login(org["qco"].username)
    page = _text(client.get(f"/tapping/calibrations/{round_id}"))
    assert 'data-testid="save-score"' in page and 'data-testid="calibration-parameters"' not in page and "Acuan" not in page
    r = client.post_form(f"/tapping/calibrations/{round_id}/score", _form(line["pset"], missed={"S-03 C.1"}),
                         token_from=f"/tapping/calibrations/{round_id}")
    assert r.status_code == 303
    page = _text(client.get(f"/tapping/calibrations/{round_id}"))
    assert 'data-testid="calibration-parameters"' in page and page.count('data-testid="disagreement"') == 2
    assert 'data-testid="close-calibration"' not in page  # QA closes
    spread = re.search(r'data-testid="calibration-spread">(.*?)</p>', page, re.S).group(1)
    assert "5,00" in spread
    r = qa.post_form(f"/tapping/calibrations/{round_id}/close", {}, token_from=f"/tapping/calibrations/{round_id}")
    assert r.status_code == 303
    manager = make_client()
    manager.login(org["manager"].username)
    assert 'data-testid="calibration-parameters"' in _text(manager.get(f"/tapping/calibrations/{round_id}"))


def test_a_disputed_return_is_rejected_by_qa_and_the_verdict_stays(client, make_client, org):
    from portal.tapping.models import Validation

    call = make_call(org["agent_staff"], org["service"], qco_id=org["qco"].id, stage="returned", first_verdict="RETURN", verdicts=1)
    db.session.add(Validation(call_id=call.id, verdict="RETURN", reason_code="R02", recommendation="Sampaikan biaya",
                              qco_name="Budi", validated_at=utcnow()))
    db.session.commit()
    validation = db.session.scalar(select(Validation).where(Validation.call_id == call.id))
    client.login(org["agent"].username)
    r = client.post_form(f"/tapping/results/validation/{validation.id}/sign", {"action": "dispute", "reason": "Biaya sudah saya sebut"},
                         token_from=f"/tapping/calls/{call.id}")
    assert r.status_code == 303
    qa = make_client()
    qa.login(org["qa"].username)
    assert call.recording_id in _text(qa.get("/tapping/disputes"))
    row = db.session.scalar(select(SignOff).where(SignOff.validation_id == validation.id))
    r = qa.post_form(f"/tapping/disputes/{row.id}/decide", {"decision": "rejected", "note": "Biaya tidak terdengar di rekaman.",
                                                            "amended": "90"}, token_from=f"/tapping/calls/{call.id}")
    assert r.status_code == 422  # only an upheld score dispute amends a score
    r = qa.post_form(f"/tapping/disputes/{row.id}/decide", {"decision": "rejected", "note": "Biaya tidak terdengar di rekaman."},
                     token_from=f"/tapping/calls/{call.id}")
    assert r.status_code == 303
    page = _text(client.get(f"/tapping/calls/{call.id}"))
    assert "bantahan ditolak" in page and "Biaya sudah saya sebut" in page and "Biaya tidak terdengar" in page
    assert db.session.get(type(call), call.id).stage == "returned"  # the RETURN stands: the recall is still due


def test_a_failed_critical_item_opens_an_nc_in_one_click(app, client, make_client, org, line):
    """The closed loop from a fatal score: QA (who may raise NCs) finds "Open nonconformity" on the call page, and the
    new-NC form carries the call, the failed item and the QCO's comment; the QCO (who may not) sees no such button."""
    with app.test_request_context():
        call = make_inbound(org["agent_staff"], line["service"], called_at=utcnow() - timedelta(hours=5), qco_id=org["qco"].id)
        answers = {p.id: ("N", "Verifikasi data dilewati") if p.clause == "S-03 B.2" else ("Y", "") for p in line["pset"].parameters}
        score = scoring.score_call(call, {"answers": answers}, org["qco"])
        db.session.commit()
        assert score.fatal
        call_id, score_id, recording = call.id, score.id, call.recording_id
    client.login(org["qa"].username)
    page = _text(client.get(f"/tapping/inbound/{call_id}"))
    assert 'data-testid="score-action"' in page and f"/capa/new?source=tapping_critical&amp;ref={score_id}" in page
    form = _text(client.get(f"/capa/new?source=tapping_critical&ref={score_id}"))
    assert f"Butir kritis gagal pada call {recording}" in form and "Verifikasi data dilewati" in form
    qco = make_client()
    qco.login(org["qco"].username)
    assert 'data-testid="score-action"' not in _text(qco.get(f"/tapping/inbound/{call_id}"))

"""Inbound scorecards, calibration and the agents' sign-off, at the service level (no HTTP): the score arithmetic
(weights, not applicable, a failed critical item scores 0), refusals that store nothing, scorecard versions tied to
the standard's revision in the register, calibration rounds (independent scores, the comparison per parameter) and the
sign-off with QA's decision (the result keeps both)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.core.audit import AuditEvent
from portal.core.db import utcnow
from portal.core.service import ServiceError
from portal.extensions import db
from portal.tapping import scoring, signoff
from portal.tapping import services as tapping
from portal.tapping.models import InboundCall, ParameterSet, Score, SignOff, Validation
from tests.tapping_factories import make_call, make_inbound


@pytest.fixture
def inbound(app, org, factories):
    """The 147 line at Malang (its S-03 scorecard seeded) and a sampled call of the agent assigned to qco."""
    with app.test_request_context():
        service = factories.service(code="147", name="147", direction="inbound")
        tapping.seed()
        call = make_inbound(org["agent_staff"], service, called_at=utcnow() - timedelta(days=1), qco_id=org["qco"].id)
        db.session.commit()
    pset = db.session.scalar(select(ParameterSet).where(ParameterSet.service_id == service.id))
    return {"service": service, "call": call, "pset": pset}


def _answers(pset, missed=(), na=(), comments=None):
    return {p.id: ("N" if p.clause in missed else "NA" if p.clause in na else "Y", (comments or {}).get(p.clause, ""))
            for p in pset.parameters}


def _events(action):
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action))


def test_the_seeded_scorecards_weigh_100_with_critical_items(app, inbound):
    pset = inbound["pset"]
    assert pset.document_code == "IN.QCC.TELK.S-03" and pset.kind == "scorecard"
    assert sum(p.weight for p in pset.parameters) == 100
    assert {p.clause for p in pset.parameters if p.critical} == {"S-03 A.2", "S-03 B.2", "S-03 C.3"}
    assert len({p.section for p in pset.parameters}) == 4
    for code, _rev, _title, lines in scoring.SCORECARDS.values():
        assert sum(line[2] for line in lines) == 100, code


def test_score_arithmetic_weights_not_applicable_and_a_failed_critical_item(app, org, inbound):
    pset, call = inbound["pset"], inbound["call"]
    assert scoring.compute(pset, _answers(pset)) == (Decimal("100.00"), False)
    # B.4 (5) not met: 95 of 100; B.4 not applicable instead: 95 of 95 = 100; B.4 and D.1 (5 + 5) not met, B.5 (5) n/a: 85/95
    assert scoring.compute(pset, _answers(pset, missed={"S-03 B.4"})) == (Decimal("95.00"), False)
    assert scoring.compute(pset, _answers(pset, na={"S-03 B.4"})) == (Decimal("100.00"), False)
    assert scoring.compute(pset, _answers(pset, missed={"S-03 B.4", "S-03 D.1"}, na={"S-03 B.5"})) == (Decimal("89.47"), False)
    # A critical item not met fails the call outright, whatever the rest.
    assert scoring.compute(pset, _answers(pset, missed={"S-03 B.2"})) == (Decimal("0.00"), True)
    with app.test_request_context():
        score = scoring.score_call(call, {"answers": _answers(pset, missed={"S-03 B.2"}, comments={"S-03 B.2": "Salah info"}),
                                          "comment": "Fatal"}, org["qco"])
        db.session.commit()
    assert score.total == 0 and score.fatal and score.parameter_set_id == pset.id
    assert score.answers[[p.id for p in pset.parameters if p.clause == "S-03 B.2"][0]] == ("N", "Salah info")
    assert _events("inbound_call.scored") == 1


def test_refused_scores_store_nothing(app, org, inbound):
    pset, call = inbound["pset"], inbound["call"]
    partial = _answers(pset)
    partial.pop(pset.parameters[0].id)
    cases = [({"answers": partial}, "belum dijawab"),
             ({"answers": _answers(pset, na={"S-03 A.2"})}, "butir kritis"),
             ({"answers": _answers(pset, missed={"S-03 A.2"})}, "tulis alasannya"),
             ({"answers": {p.id: ("NA", "") for p in pset.parameters}}, "butir kritis")]
    with app.test_request_context():
        for data, message in cases:
            with pytest.raises(ServiceError) as refused:
                scoring.score_call(call, data, org["qco"])
            assert message in refused.value.message
            db.session.rollback()
        # Another QCO than the one the call is assigned to, and the agent, may not score it.
        for who in (org["qco2"], org["agent"]):
            with pytest.raises(ServiceError):
                scoring.score_call(db.session.get(InboundCall, call.id), {"answers": _answers(pset)}, who)
            db.session.rollback()
        scoring.score_call(db.session.get(InboundCall, call.id), {"answers": _answers(pset)}, org["qco"])
        with pytest.raises(ServiceError):  # once only
            scoring.score_call(db.session.get(InboundCall, call.id), {"answers": _answers(pset)}, org["qco"])
    assert db.session.scalar(select(func.count(Score.id))) == 1


def test_a_new_revision_starts_a_new_scorecard_version_and_old_scores_keep_theirs(app, org, inbound, factories):
    from tests.documents_factories import effective_document

    service, pset = inbound["service"], inbound["pset"]
    old_call = inbound["call"]
    lines = [(p.section, p.clause, p.weight, p.critical, p.text) for p in pset.parameters]
    with app.test_request_context():
        old = scoring.score_call(old_call, {"answers": _answers(pset)}, org["qco"])
        db.session.commit()
        # The standard is in the register: revision 01 must be there too.
        effective_document(code="IN.QCC.TELK.S-03", title="Standar Penilaian Parameter Pengujian Call 147")
        with pytest.raises(ServiceError) as refused:
            scoring.add_scorecard(service, "IN.QCC.TELK.S-03", "01", "Rev 01", date(2026, 12, 1), lines, org["qa"])
        assert "Register tidak memiliki revisi 01" in refused.value.message
        db.session.rollback()
        with pytest.raises(ServiceError) as refused:
            scoring.add_scorecard(service, "IN.QCC.TELK.S-99", "01", "X", date(2026, 12, 1), lines[:-1], org["qa"])
        assert "harus 100" in refused.value.message
        db.session.rollback()
        later = utcnow() + timedelta(days=400)
        new_lines = lines[:-1] + [(lines[-1][0], "S-03 D.2", lines[-1][2], True, "Salam penutup dan survei kepuasan")]
        new = scoring.add_scorecard(service, "IN.QCC.TELK.S-03X", "01", "Rev 01", later.date() - timedelta(days=1), new_lines,
                                    org["qa"])
        db.session.commit()
    assert _events("parameter_set.created") == 1
    assert scoring.scorecard_for(service.id, later.date()).id == new.id
    assert scoring.scorecard_for(service.id, date(2026, 6, 1)).id == pset.id
    assert db.session.get(Score, old.id).parameter_set_id == pset.id
    # The outbound validation's parameter sets are not mixed with the scorecards.
    assert tapping.parameter_set_for(service.id, later.date()) is None
    assert scoring.parse_lines("Pembukaan | A.1 | 5 | ya | Salam") == [("Pembukaan", "A.1", 5, True, "Salam")]
    with pytest.raises(ServiceError):
        scoring.parse_lines("Pembukaan | A.1 | lima | - | Salam")


def test_calibration_scores_are_independent_and_compared_per_parameter(app, org, inbound):
    from portal.tapping.permissions import can_calibrate, sees_calibration_scores

    pset, call = inbound["pset"], inbound["call"]
    with app.test_request_context():
        with pytest.raises(ServiceError):
            scoring.open_calibration(call, "", org["qco"])  # QA opens a round
        round_ = scoring.open_calibration(call, "Kalibrasi", org["qa"])
        db.session.commit()
        with pytest.raises(ServiceError):
            scoring.open_calibration(call, "", org["qa"])  # one open round per call
        db.session.rollback()
        round_ = db.session.get(type(round_), round_.id)
        scoring.score_calibration(round_, {"answers": _answers(pset, missed={"S-03 B.4"})}, org["qa"])
        db.session.commit()
        # qco has not scored: they do not see the others' scores yet
        assert not sees_calibration_scores(org["qco"], round_, False)
        with pytest.raises(ServiceError) as refused:
            scoring.close_calibration(round_, org["qa"])
        assert "minimal dua nilai" in refused.value.message
        db.session.rollback()
        round_ = db.session.get(type(round_), round_.id)
        scoring.score_calibration(round_, {"answers": _answers(pset, na={"S-03 B.4"})}, org["qco"])
        scoring.score_calibration(round_, {"answers": _answers(pset, missed={"S-03 C.1", "S-03 A.2"},
                                                               comments={"S-03 A.2": "Tidak verifikasi"})}, org["qco2"])
        db.session.commit()
        with pytest.raises(ServiceError):
            scoring.score_calibration(round_, {"answers": _answers(pset)}, org["qco"])  # once each
        db.session.rollback()
        round_ = db.session.get(type(round_), round_.id)
        assert not can_calibrate(org["agent"], round_, False)  # the agent never scores their own call
        scores = scoring.calibration_scores(round_)
        result = scoring.compare(round_, scores)
        scoring.close_calibration(round_, org["qa"])
        db.session.commit()
    assert [s.total for s in scores] == [Decimal("95.00"), Decimal("100.00"), Decimal("0.00")]
    assert result.reference.scorer_id == org["qa"].id and result.spread == Decimal("100.00")
    rows = {r.parameter.clause: r for r in result.rows}
    assert rows["S-03 B.4"].answers[0][0] == "N" and rows["S-03 B.4"].differing == 2 and rows["S-03 B.4"].points == 5
    assert rows["S-03 C.1"].differing == 1 and rows["S-03 C.1"].points == 10
    assert rows["S-03 A.2"].differing == 1 and rows["S-03 A.2"].answers[2] == ("N", "Tidak verifikasi")
    assert rows["S-03 A.1"].agreed and rows["S-03 A.1"].differing == 0 and rows["S-03 A.1"].points == 0
    assert result.gap(scores[1]) == Decimal("5.00") and result.gap(scores[2]) == Decimal("-95.00")
    # 12 parameters x 3 scorers = 36 answers, 4 differ from the reference (B.4 twice, C.1, A.2)
    assert result.agreement == Decimal("88.89")
    assert _events("calibration.opened") == 1 and _events("calibration.scored") == 3 and _events("calibration.closed") == 1
    # Calibration scores are not the agent's results: no official score, nothing to sign off.
    assert scoring.official_score(call.id) is None


def test_the_agent_acknowledges_or_disputes_and_qa_decides_keeping_both(app, org, inbound):
    pset, call = inbound["pset"], inbound["call"]
    with app.test_request_context():
        score = scoring.score_call(call, {"answers": _answers(pset, missed={"S-03 B.4", "S-03 D.1"})}, org["qco"])
        outbound = make_call(org["agent_staff"], org["service"], qco_id=org["qco"].id)
        validation = Validation(call_id=outbound.id, verdict="VALID", validated_at=utcnow())
        old = Validation(call_id=outbound.id, verdict="RETURN", reason_code="R01", validated_at=utcnow() - timedelta(days=31))
        imported = Validation(call_id=outbound.id, verdict="VALID", imported=True, validated_at=utcnow())
        db.session.add_all([validation, old, imported])
        db.session.flush()
        # Only the agent signs; a dispute needs its reason; an old or imported result is not signed off.
        for result, who in ((score, org["tl"]), (score, org["qa"]), (old, org["agent"]), (imported, org["agent"])):
            with pytest.raises(ServiceError):
                signoff.acknowledge(result, who)
        with pytest.raises(ServiceError) as refused:
            signoff.dispute(score, "  ", org["agent"])
        assert "alasan" in refused.value.message
        signoff.acknowledge(validation, org["agent"])
        row = signoff.dispute(score, "Penawaran bantuan lain sudah saya sampaikan di akhir call.", org["agent"])
        db.session.commit()
        with pytest.raises(ServiceError):
            signoff.dispute(validation, "Berubah pikiran", org["agent"])  # once
        # QA decides (not the QCO, not the agent); the note is required; only an upheld score dispute amends.
        for who in (org["qco"], org["agent"]):
            with pytest.raises(ServiceError):
                signoff.decide(row, "upheld", "Ok", None, who)
        with pytest.raises(ServiceError):
            signoff.decide(row, "upheld", "", None, org["qa"])
        with pytest.raises(ServiceError):
            signoff.decide(row, "rejected", "Tidak", "95", org["qa"])
        with pytest.raises(ServiceError):
            signoff.decide(row, "upheld", "Ya", "120", org["qa"])
        signoff.decide(row, "upheld", "Didengar ulang: D.1 terpenuhi.", "95,00", org["qa"])
        db.session.commit()
    score = db.session.get(Score, score.id)
    assert score.original_total == Decimal("90.00") and score.total == Decimal("95.00")
    row = db.session.get(SignOff, row.id)
    assert row.status == "upheld" and row.reason.startswith("Penawaran") and row.decision_note.startswith("Didengar")
    assert _events("result.acknowledged") == 1 and _events("result.disputed") == 1 and _events("result.dispute_upheld") == 1
    with app.test_request_context(), pytest.raises(ServiceError):
        signoff.decide(row, "rejected", "Lagi", None, org["qa"])  # decided once


def test_the_home_pages_count_results_to_sign_and_disputes_to_decide(app, client, make_client, org, inbound):
    pset, call = inbound["pset"], inbound["call"]
    with app.test_request_context():
        score = scoring.score_call(call, {"answers": _answers(pset)}, org["qco"])
        db.session.commit()
    client.login(org["agent"].username)
    assert "1 hasil kualitas call menunggu Anda terima atau bantah" in client.get("/").get_data(as_text=True)
    qa = make_client()
    qa.login(org["qa"].username)
    assert "menunggu keputusan Anda" not in qa.get("/").get_data(as_text=True)
    with app.test_request_context():
        signoff.dispute(db.session.get(Score, score.id), "Tidak setuju", org["agent"])
        db.session.commit()
    assert "1 hasil kualitas call yang dibantah menunggu keputusan Anda" in qa.get("/").get_data(as_text=True)
    assert "menunggu Anda terima atau bantah" not in client.get("/").get_data(as_text=True)


def test_a_failed_critical_item_proposes_a_coaching_finding(app, org, inbound):
    from portal.coaching.models import Finding

    pset, call = inbound["pset"], inbound["call"]
    with app.test_request_context():
        scoring.score_call(call, {"answers": _answers(pset, missed={"S-03 C.3"}, comments={"S-03 C.3": "Menutup telepon"})},
                           org["qco"])
        db.session.commit()
    finding = db.session.scalar(select(Finding).where(Finding.staff_id == org["agent_staff"].id))
    assert finding is not None and "S-03 C.3" in finding.rule and "Menutup telepon" in finding.description
    assert f"/tapping/inbound/{call.id}" in finding.evidence_link


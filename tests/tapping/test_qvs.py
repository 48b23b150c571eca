"""The Quality Validation Score's arithmetic: valid AGREE / total AGREE of the call's month by the latest verdict;
no AGREE call (null, not 0 or 100); re-validated returns; a verdict given in the next month; pending calls; the
first-pass rate; the target as data; the scope of a team leader."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from portal.extensions import db
from portal.people.models import KpiTarget
from portal.tapping import qvs
from portal.tapping import services as tapping
from portal.tapping.permissions import call_scope
from tests.tapping_factories import make_call

NOV = date(2026, 11, 1)


def _validate(app, call, verdict, user, **extra):
    with app.test_request_context():
        data = {"verdict": verdict, "reason_code": "R01", "recommendation": "Ulangi konfirmasi"} if verdict == "RETURN" else {"verdict": verdict}
        return tapping.validate(call, data | extra, user)


def test_no_agree_call_gives_no_score(app, org):
    make_call(org["agent_staff"], org["service"], result="DECLINE")
    m = qvs.month_figures(NOV)
    assert m.totals.agree == 0 and m.totals.score is None and m.totals.first_pass is None
    assert m.target == Decimal("95.00")
    assert qvs.percent(0, 0) is None


def test_pending_returned_revalidated_and_next_month_verdicts(app, org):
    agent, service, qco = org["agent_staff"], org["service"], org["qco"]
    calls = [make_call(agent, service, called_at=datetime(2026, 11, d, 3, 0)) for d in (2, 3, 4, 5, 6, 7)]
    # a call on 30 November 23.30 WIB (16.30 UTC) belongs to November; one on 1 December 00.30 WIB to December.
    late = make_call(agent, service, called_at=datetime(2026, 11, 30, 16, 30), month=date(2026, 11, 1))
    make_call(agent, service, called_at=datetime(2026, 11, 30, 17, 30), month=date(2026, 12, 1))
    for c in calls[:3]:
        _validate(app, c, "VALID", qco)
    _validate(app, calls[3], "RETURN", qco)  # returned, never recalled
    _validate(app, calls[4], "RETURN", qco)  # returned, recalled, validated again
    with app.test_request_context():
        tapping.record_recall(calls[4], "AGREE", "Pelanggan setuju setelah dijelaskan ulang", org["agent"])
    _validate(app, calls[4], "VALID", qco)
    _validate(app, late, "VALID", qco)  # the verdict is given in December; it counts for November
    # calls[5] stays pending
    m = qvs.month_figures(NOV)
    t = m.totals
    assert (t.agree, t.valid, t.returned, t.pending) == (7, 5, 1, 1)
    assert t.score == Decimal("71.43")  # 5 / 7
    assert t.judged == 6 and t.first_valid == 4 and t.first_pass == Decimal("66.67")  # re-validated: not first pass
    assert [a.code for a in m.agents] == [org["agent"].username]
    assert m.teams[0].label == "MLG CT0-A" and m.sites[0].label == "Malang" and m.services[0].label == "TAM CT-0 PraNPC"
    december = qvs.month_figures(date(2026, 12, 1))
    assert december.totals.agree == 1 and december.totals.pending == 1 and december.totals.score == Decimal("0.00")
    trend = qvs.trend(date(2026, 12, 1))
    assert len(trend) == 12 and trend[-2][0] == NOV and trend[-2][1].agree == 7 and trend[0][1].agree == 0
    reasons = qvs.return_reasons(NOV)
    assert reasons == [("R01", "Persetujuan pelanggan tidak jelas", 2)]


def test_score_rounds_half_up_to_two_decimals_and_target_is_data(app, org):
    assert qvs.percent(2, 3) == Decimal("66.67") and qvs.percent(1, 8) == Decimal("12.50")
    assert qvs.percent(19, 20) == Decimal("95.00")
    db.session.add(KpiTarget(code="qvs", valid_from=date(2026, 11, 1), target=Decimal("97.5")))
    db.session.flush()
    assert qvs.target_of([date(2026, 10, 1), NOV]) == {date(2026, 10, 1): Decimal("95.00"), NOV: Decimal("97.50")}
    f = qvs.Figures(agree=20, valid=19)
    assert f.under(Decimal("97.50")) and not f.under(Decimal("95.00"))


def test_team_leader_sees_their_team_only(app, org):
    make_call(org["agent_staff"], org["service"])
    make_call(org["outsider"], org["service"])
    with app.test_request_context():
        assert qvs.month_figures(NOV, call_scope(org["tl"])).totals.agree == 1
        assert qvs.month_figures(NOV, call_scope(org["spv"])).totals.agree == 2  # their site
        assert qvs.month_figures(NOV, call_scope(org["spv_far"])).totals.agree == 0
        assert qvs.month_figures(NOV, call_scope(org["agent"])).totals.agree == 1  # their own
        assert call_scope(org["manager"]) is None

"""The closed loop with capa: a missed KPI reading opens a nonconformity in one click carrying its evidence, and the
NC's effectiveness check reads the KPI's following periods by itself (met, not met, pending)."""
from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select

from portal.capa import links
from portal.capa.models import Nonconformity
from portal.extensions import db
from portal.monitoring import capa_link
from tests.monitoring.conftest import kpi, put

D = date(2026, 11, 10)


def test_a_missed_reading_is_a_source_with_its_evidence(org, ctx):
    row = put(kpi("147", "SL"), D, "72.4", 500, time(10))
    found = links.load_source("kpi", str(row.id))
    assert found.source == "kpi" and found.service_code == "147" and found.occurred_on == D
    assert "Service Level" in found.title and "72,40" in found.description
    assert found.links and found.links[0][1].endswith(f"#r{row.id}")
    assert links.load_source("kpi", "999999") is None and links.load_source("kpi", "x; drop") is None


def test_the_kpi_criterion_reads_the_following_days(org, ctx):
    sl = kpi("147", "SL")
    miss = put(sl, D, 70)
    params = capa_link.defaults("kpi", str(miss.id))
    assert params == {"kpi_id": sl.id, "n": 3}
    assert links.evaluate("kpi", params, D).status == "pending"
    for i, value in enumerate((82, 85, 81), start=1):
        put(sl, D + timedelta(days=i), value)
    result = links.evaluate("kpi", params, D)
    assert result.status == "met" and "147 · Service Level" in result.detail
    put(sl, D + timedelta(days=4), 60)  # missed on the fourth day: read from the day after D, one of three missed
    assert links.evaluate("kpi", params, D + timedelta(days=1)).status == "not_met"
    assert links.evaluate("kpi", {"kpi_id": "x"}, D).status == "pending"
    assert (sl.id, "147 · Service Level") in capa_link.kpi_choices()
    assert capa_link.defaults("coaching", "3") == {} and capa_link.defaults("kpi", "999999") == {}


def test_raising_an_nc_from_a_missed_reading_proposes_the_kpi_check(app, client, org):
    with app.test_request_context():
        sl = kpi("147", "SL")
        miss = put(sl, D, 70)
        db.session.commit()
        miss_id, sl_id = miss.id, sl.id
    qa = org["qa"]
    assert client.login(qa.username).status_code == 303
    page = client.get(f"/capa/new?source=kpi&ref={miss_id}").get_data(as_text=True)
    assert 'data-testid="source-evidence"' in page and "Service Level" in page
    r = client.post_form("/capa/new", {"title": "SL 147 di bawah target", "source": "kpi", "classification": "major",
                                       "found_on": D.isoformat(), "description": "SL 70 %", "source_kind": "kpi",
                                       "source_ref": str(miss_id)}, token_from="/capa/new")
    assert r.status_code == 303
    nc = db.session.scalar(select(Nonconformity))
    shown = client.get(f"/capa/{nc.number}").get_data(as_text=True)
    # The check form proposes the KPI criterion on that KPI, for three following days.
    assert f'<option selected value="{sl_id}">' in shown or f'<option value="{sl_id}" selected>' in shown
    assert 'value="kpi" selected' in shown or 'selected value="kpi"' in shown

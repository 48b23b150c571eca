"""Monitoring pages with the test client: who sees what (the 403 and the hidden button), entering a reading with bad
input kept (422), the recovery plan through its pages, the "open nonconformity" link only with the CAPA module, the
F-05 opened from the readings, the home-page counts and the JSON API's contract."""
from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import select

from portal.core.i18n import local_today
from portal.extensions import db
from portal.monitoring.models import DailyAnalysis, RecoveryPlan
from tests.monitoring.conftest import kpi, put


@pytest.fixture
def data(app, org):
    """147 SL: yesterday met (daily), today an interval missed; 108 SL yesterday."""
    with app.test_request_context():
        today = local_today()
        sl = kpi("147", "SL")
        put(sl, today - timedelta(days=1), 84, 12000)
        miss = put(sl, today, "71.2", 400, time(0, 30))
        put(kpi("108", "SL"), today - timedelta(days=1), 90, 8000)
        db.session.commit()
        return {"sl": sl.id, "sl108": kpi("108", "SL").id, "miss": miss.id, "today": today}


def login(client, user):
    assert client.login(user.username).status_code == 303


def test_an_agent_has_no_monitoring(client, org):
    login(client, org["agent"])
    assert client.get("/monitoring/").status_code == 403
    assert client.get("/api/monitoring/kpis?service=147&from=2026-11-01&to=2026-11-30").status_code == 403


def test_the_page_shows_the_users_services_red_where_missed(client, make_client, org, data):
    login(client, org["tl"])
    html = client.get("/monitoring/").get_data(as_text=True)
    assert 'data-testid="service-147"' in html and 'data-testid="service-108"' not in html
    assert 'data-testid="kpi-147-SL"' in html and "under-target" in html
    manager = make_client()
    login(manager, org["manager"])  # every service
    html = manager.get("/monitoring/?service=108").get_data(as_text=True)
    assert 'data-testid="service-108"' in html and 'data-testid="service-147"' not in html
    assert manager.get("/monitoring/?month=2026-13").status_code == 404


def test_a_kpi_of_another_service_is_forbidden(client, org, data):
    login(client, org["tl108"])
    assert client.get(f"/monitoring/kpi/{data['sl']}").status_code == 403
    assert client.post_form(f"/monitoring/kpi/{data['sl']}/readings", {"period": "day", "day": "2026-11-02",
                                                                      "value": "80"}).status_code == 403


def test_readers_see_no_entry_form_and_may_not_post(client, org, data):
    login(client, org["qa"])
    html = client.get(f"/monitoring/kpi/{data['sl']}").get_data(as_text=True)
    assert 'data-testid="reading-form"' not in html and f'data-testid="propose-{data["miss"]}"' not in html
    assert client.post_form(f"/monitoring/kpi/{data['sl']}/readings", {"period": "day", "day": "2026-11-02",
                                                                      "value": "80"}).status_code == 403


def test_entering_a_bad_value_keeps_the_typing(client, org, data):
    login(client, org["tl"])
    html = client.get(f"/monitoring/kpi/{data['sl']}").get_data(as_text=True)
    assert 'data-testid="reading-form"' in html and f'data-testid="propose-{data["miss"]}"' in html
    day = (data["today"] - timedelta(days=2)).isoformat()
    response = client.post_form(f"/monitoring/kpi/{data['sl']}/readings", {"period": "day", "day": day, "value": "8O,5",
                                                                           "note": "Catatan saya"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="8O,5"' in html and "Catatan saya" in html and "field-error" in html
    response = client.post_form(f"/monitoring/kpi/{data['sl']}/readings", {"period": "day", "day": day, "value": "80,5"})
    assert response.status_code == 303


def test_the_nonconformity_link_only_with_the_capa_module(client, make_client, org, data, app, monkeypatch):
    """A missed reading offers "Buka ketidaksesuaian" to those who may raise one (tl), not to a reader who may not
    (manager), and not at all when the capa module is not installed."""
    login(client, org["tl"])
    html = client.get(f"/monitoring/kpi/{data['sl']}").get_data(as_text=True)
    assert f'data-testid="capa-{data["miss"]}"' in html and f"/capa/new?source=kpi&amp;ref={data['miss']}" in html
    manager = make_client()
    login(manager, org["manager"])
    assert f'data-testid="capa-{data["miss"]}"' not in manager.get(f"/monitoring/kpi/{data['sl']}").get_data(as_text=True)
    monkeypatch.delitem(app.view_functions, "capa.new")
    assert f'data-testid="capa-{data["miss"]}"' not in client.get(f"/monitoring/kpi/{data['sl']}").get_data(as_text=True)


def test_the_plan_through_its_pages(client, make_client, org, data):
    login(client, org["tl"])
    page = client.get(f"/monitoring/plans/new?reading={data['miss']}")
    assert page.status_code == 200 and "tidak mencapai target" in page.get_data(as_text=True)
    bad = client.post_form(f"/monitoring/plans/new?reading={data['miss']}", {"problem": "SL turun", "step_action_1": "Tambah agent"})
    assert bad.status_code == 422 and "Tambah agent" in bad.get_data(as_text=True)
    due = (data["today"] + timedelta(days=1)).isoformat() + "T10:00"
    ok = client.post_form(f"/monitoring/plans/new?reading={data['miss']}", {
        "problem": "SL turun", "step_action_1": "Tambah agent", "step_owner_1": str(org["tl"].id), "step_due_1": due})
    assert ok.status_code == 303
    plan_id = db.session.scalar(select(RecoveryPlan.id))
    html = client.get(f"/monitoring/plans/{plan_id}").get_data(as_text=True)
    assert 'data-testid="approve"' not in html
    assert client.post_form(f"/monitoring/plans/{plan_id}/approve", {"decision": "approve"}).status_code == 403
    spv = make_client()
    login(spv, org["spv"])
    assert "1 recovery plan(s) wait for your approval" in spv.get("/").get_data(as_text=True) or \
        "menunggu persetujuan" in spv.get("/").get_data(as_text=True)
    assert 'data-testid="approve"' in spv.get(f"/monitoring/plans/{plan_id}").get_data(as_text=True)
    assert spv.post_form(f"/monitoring/plans/{plan_id}/approve", {"decision": "reject", "note": ""}).status_code == 422
    assert spv.post_form(f"/monitoring/plans/{plan_id}/approve", {"decision": "approve"}).status_code == 303
    assert client.post_form(f"/monitoring/plans/{plan_id}/distribute", {"recipients": [str(org["tl2"].id)]}).status_code == 303
    tl2 = make_client()
    login(tl2, org["tl2"])
    home = tl2.get("/").get_data(as_text=True)
    assert "/monitoring/plans?mine=1" in home
    assert 'data-testid="acknowledge"' not in client.get(f"/monitoring/plans/{plan_id}").get_data(as_text=True)
    assert client.post_form(f"/monitoring/plans/{plan_id}/acknowledge").status_code == 403
    assert tl2.post_form(f"/monitoring/plans/{plan_id}/acknowledge").status_code == 303
    assert "/monitoring/plans?mine=1" not in tl2.get("/").get_data(as_text=True)
    assert spv.post_form(f"/monitoring/plans/{plan_id}/close", {"outcome": "achieved", "note": "SL 85 %"}).status_code == 303
    assert db.session.get(RecoveryPlan, plan_id).status == "closed"


def test_the_daily_analysis_opens_prefilled_and_overdue_ones_show_at_home(client, make_client, org, data, app):
    from tests.records_factories import online_form

    with app.test_request_context():
        online_form("IN.OCC.TELK.F-05", author=org["spv"])
        db.session.commit()
    yesterday = data["today"] - timedelta(days=1)
    with app.test_request_context():
        from portal.monitoring import services

        services.ensure_daily([(org["s147"].id, yesterday), (org["s147"].id, data["today"] - timedelta(days=20))])
        db.session.commit()
    manager = make_client()
    login(manager, org["manager"])
    assert "/monitoring/analyses?overdue=1" in manager.get("/").get_data(as_text=True)
    login(client, org["spv"])
    html = client.get("/monitoring/analyses").get_data(as_text=True)
    analysis = db.session.scalar(select(DailyAnalysis).where(DailyAnalysis.day == yesterday))
    assert f'data-testid="open-f05-{analysis.id}"' in html
    response = client.post_form(f"/monitoring/analyses/{analysis.id}/open")
    assert response.status_code == 303 and "/records/" in response.headers["Location"]
    from portal.records.models import Record

    record = db.session.scalar(select(Record).where(Record.form_code == "IN.OCC.TELK.F-05"))
    assert record.data["pencapaian"][0]["kpi"].startswith("SL") and record.data["pencapaian"][0]["status"] == "Tercapai"
    tl = make_client()
    login(tl, org["tl"])
    assert 'data-testid="open-f05' not in tl.get("/monitoring/analyses").get_data(as_text=True)
    assert tl.post_form(f"/monitoring/analyses/{analysis.id}/open").status_code == 403


def test_the_api_contract(client, org, data):
    login(client, org["tl"])
    today = data["today"]
    body = client.get(f"/api/monitoring/kpis?service=147&from={today - timedelta(days=3)}&to={today}").get_json()
    figures = {(f["kpi"], f["period"]): f for f in body["figures"]}
    y = figures[("SL", (today - timedelta(days=1)).isoformat())]
    assert y["value"] == 84.0 and y["target"] == 80.0 and y["met"] is True
    t = figures[("SL", today.isoformat())]
    assert t["met"] is False and set(t) >= {"kpi", "period", "value", "target", "met"}
    assert client.get("/api/monitoring/kpis?service=108&from=2026-11-01&to=2026-11-30").status_code == 403
    assert client.get("/api/monitoring/kpis?service=147&from=2026-11-31&to=2026-11-30").status_code == 400
    assert client.get("/api/monitoring/kpis?service=147&from=2026-11-30&to=2026-11-01").status_code == 400
    assert client.get("/api/monitoring/kpis?service=NOPE&from=2026-11-01&to=2026-11-30").status_code == 404
    spec = client.get("/api/openapi.json").get_json()
    assert "/monitoring/kpis" in spec["paths"]


def test_the_import_pages(client, org, data):
    login(client, org["tl"])
    assert client.get("/monitoring/import").status_code == 200
    import io

    bad = client.post_form("/monitoring/import", {"file": (io.BytesIO(b"tanggal,nilai\n"), "x.csv")},
                           content_type="multipart/form-data")
    assert bad.status_code == 422
    good = client.post_form("/monitoring/import", {"file": (io.BytesIO(b"service,kpi,date,value\n147,SCR,2026-11-02,2.5\n"), "x.csv")},
                            content_type="multipart/form-data")
    assert good.status_code == 303
    report = client.get(good.headers["Location"])
    assert 'data-testid="confirm-import"' in report.get_data(as_text=True)
    other = client.get(good.headers["Location"].replace("http://localhost", ""))
    assert other.status_code == 200


def test_the_shift_report_and_its_pdf(client, org, data, app):
    from portal.roster import demo as roster_demo

    with app.test_request_context():
        roster_demo.seed(org["manager"])
        db.session.commit()
    login(client, org["tl"])
    page = client.get(f"/monitoring/shift-report?service=147&day={data['today']}")
    assert page.status_code == 200 and 'data-testid="shift-report"' in page.get_data(as_text=True)
    pdf = client.get(f"/monitoring/shift-report.pdf?service=147&day={data['today']}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_only_the_manager_changes_a_kpi_definition(client, make_client, org, data):
    login(client, org["spv"])
    html = client.get("/monitoring/kpis").get_data(as_text=True)
    assert 'data-testid="def-147-SL"' in html and 'data-testid="edit-' not in html
    assert client.get(f"/monitoring/kpi/{data['sl']}/edit").status_code == 403
    manager = make_client()
    login(manager, org["manager"])
    assert f'data-testid="edit-{data["sl"]}"' in manager.get("/monitoring/kpis").get_data(as_text=True)
    bad = manager.post_form(f"/monitoring/kpi/{data['sl']}/edit", {"name": "Service Level", "target": "delapan",
                                                                  "direction": "higher", "owner_role": "spv"})
    assert bad.status_code == 422 and 'value="delapan"' in bad.get_data(as_text=True)
    ok = manager.post_form(f"/monitoring/kpi/{data['sl']}/edit", {"name": "Service Level", "target": "82,5",
                                                                 "direction": "higher", "owner_role": "spv"})
    assert ok.status_code == 303
    from decimal import Decimal

    from portal.monitoring.models import Kpi

    assert db.session.get(Kpi, data["sl"]).target == Decimal("82.50")

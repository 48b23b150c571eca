"""The closed loop's extension points: sources an NC opens from (tapping RETURN clusters, coaching findings, any
registered kind) and automatic effectiveness criteria (the "read now" button and the daily schedule)."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from portal.capa import links
from portal.capa import services as capa
from portal.core.service import ServiceError
from portal.extensions import db
from tests.capa_factories import make_nc, waiting_nc


@pytest.fixture
def kpi_criterion():
    """A stand-in for monitoring's `kpi` criterion: the answer is set by the test."""
    answer = {"status": "pending", "seen": []}

    def evaluator(params, since):
        answer["seen"].append((params, since))
        return links.CriterionResult(answer["status"], f"KPI {params['kpi_id']}: {answer['status']}")

    links.register_criterion("kpi_test", label="KPI uji", evaluator=evaluator)
    yield answer
    links._criteria.pop("kpi_test", None)


def test_capa_registers_its_own_sources_and_the_manual_criterion(app):
    assert {"tapping", "coaching"} <= set(links.sources())
    assert links.criteria()["manual"].evaluator is None


def test_an_automatic_criterion_reads_met_and_closes(app, org, kpi_criterion):
    with app.test_request_context():
        nc = waiting_nc(org["qmr"], org["tl"])
        capa.set_check(nc, date(2026, 12, 31), "kpi_test", {"kpi_id": 3, "n": 2}, "SL ≥ 80 % dua bulan", org["qmr"])
        assert capa.read_check(nc, org["qa"]) is None  # pending: nothing written
        assert nc.status == "verifying" and not nc.checks
        kpi_criterion["status"] = "met"
        row = capa.read_check(nc, org["qa"])
    assert row.result == "effective" and nc.status == "closed" and row.note == "KPI 3: met"
    assert kpi_criterion["seen"][0][0] == {"kpi_id": 3, "n": 2}


def test_an_automatic_criterion_not_met_reopens(app, org, kpi_criterion):
    kpi_criterion["status"] = "not_met"
    with app.test_request_context():
        nc = waiting_nc(org["qmr"], org["tl"])
        capa.set_check(nc, date(2026, 12, 31), "kpi_test", {"kpi_id": 3, "n": 2}, "SL ≥ 80 %", org["qmr"])
        capa.read_check(nc, org["qa"])
    assert nc.status == "reopened" and nc.checks[-1].result == "ineffective"


def test_the_owner_cannot_read_their_own_check(app, org, kpi_criterion):
    kpi_criterion["status"] = "met"
    with app.test_request_context():
        nc = waiting_nc(org["qmr"], org["qa"])
        capa.set_check(nc, date(2026, 12, 31), "kpi_test", {"kpi_id": 3, "n": 1}, "SL", org["qmr"])
        with pytest.raises(ServiceError):
            capa.read_check(nc, org["qa"])


def test_the_schedule_reads_due_checks_as_the_portal(app, org, kpi_criterion):
    kpi_criterion["status"] = "met"
    with app.test_request_context():
        due = waiting_nc(org["qmr"], org["tl"])
        capa.set_check(due, date(2026, 11, 20), "kpi_test", {"kpi_id": 1, "n": 1}, "SL", org["qmr"])
        later = waiting_nc(org["qmr"], org["tl"])
        capa.set_check(later, date(2027, 1, 1), "kpi_test", {"kpi_id": 1, "n": 1}, "SL", org["qmr"])
        manual = waiting_nc(org["qmr"], org["tl"])
        assert capa.read_due_checks(date(2026, 12, 1)) == 1
    assert due.status == "closed" and due.checks[-1].verified_by_id is None and due.checks[-1].verified_name == "Portal Mutu"
    assert later.status == "verifying" and manual.status == "verifying"


def test_a_manual_criterion_is_not_read(app, org):
    with app.test_request_context():
        nc = waiting_nc(org["qmr"], org["tl"])
        with pytest.raises(ServiceError):
            capa.read_check(nc, org["qa"])


def test_unknown_criterion_refused(app, org):
    with app.test_request_context():
        nc = make_nc(org["qmr"])
        with pytest.raises(ServiceError) as refused:
            capa.set_check(nc, date(2026, 12, 1), "horoscope", {}, "x", org["qmr"])
    assert refused.value.field == "check_kind"


def test_tapping_return_cluster_source(app, org):
    from portal.capa import sources
    from portal.tapping.models import Validation
    from tests.people_factories import make_staff, make_team
    from tests.tapping_factories import make_call

    with app.test_request_context():
        team = make_team(site=org["site"], service=org["service"], name="MLG CT0-A")
        agent = make_staff(team=team, full_name="Rina Marlina", employee_number="1509001")
        for i in range(3):
            call = make_call(agent, org["service"], called_at=datetime(2026, 11, 2 + i, 3, 0), stage="returned")
            db.session.add(Validation(call_id=call.id, verdict="RETURN", reason_code="R01", qco_name="QCO"))
        other = make_call(agent, org["service"], called_at=datetime(2026, 11, 9, 3, 0), stage="returned")
        db.session.add(Validation(call_id=other.id, verdict="RETURN", reason_code="R02", qco_name="QCO"))
        db.session.flush()
        clusters = sources.return_clusters(date(2026, 11, 1))
        assert [(ref, n) for ref, _label, n in clusters] == [(f"2026-11.team.{team.id}.R01", 3)]
        found = links.load_source("tapping", clusters[0][0])
        assert found.source == "tapping" and found.site_id == org["site"].id and "R01" in found.title
        assert any("/tapping/" in url for _label, url in found.links)
        assert links.load_source("tapping", f"2026-11.team.{team.id}.R09") is None
        assert links.load_source("tapping", "garbage") is None
        assert links.load_source("tapping", "2026-13.team.1.R01") is None
        nc = capa.raise_nc({"title": found.title, "description": found.description, "source": "tapping",
                            "classification": "minor", "found_on": date(2026, 11, 20)}, org["qa"], "tapping", clusters[0][0])
    assert nc.source_ref == clusters[0][0] and len(nc.evidence) == 2


def test_coaching_finding_source(app, org):
    from portal.coaching import services as coaching
    from tests.people_factories import make_staff

    with app.test_request_context():
        staff = make_staff(site=org["site"], full_name="Bayu Saputra")
        finding = coaching.raise_finding(staff, {"kind": "indiscipline", "found_on": date(2026, 11, 3),
                                                 "description": "Ponsel di meja layanan", "rule": "F-21"}, org["tl"])
        found = links.load_source("coaching", str(finding.id))
        assert links.load_source("coaching", "999999") is None
    assert "Bayu Saputra" in found.title and found.links[0][1].endswith(f"/findings/{finding.id}")

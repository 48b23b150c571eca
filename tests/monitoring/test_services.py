"""KPI arithmetic and direction, readings entered by hand, the daily analysis due date, and the two public functions the
nonconformity register reads (reading_evidence, kpi_met_periods)."""
from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.core.audit import AuditEvent
from portal.core.service import ServiceError
from portal.core.workdays import add_working_days
from portal.extensions import db
from portal.monitoring import services
from portal.monitoring.models import DailyAnalysis, Reading
from tests.monitoring.conftest import kpi, put

D = date(2026, 11, 10)


def test_seed_defines_the_catalogue_once(org, ctx):
    sl, scr = kpi("147", "SL"), kpi("147", "SCR")
    assert sl.higher_is_better and sl.target == Decimal(80) and sl.unit == "%"
    assert not scr.higher_is_better and scr.target == Decimal(3)
    assert kpi("TAM-CT0", "QVS").source == "tapping_qvs" and kpi("TAM-CT0", "SDM").source == "people_staffing"
    assert kpi("147", "RC").source == "roster_compliance"
    assert services.seed_kpis() == []  # idempotent


@pytest.mark.parametrize("code,value,met", [("SL", "80", True), ("SL", "79.99", False), ("SL", "95", True),
                                            ("SCR", "3", True), ("SCR", "3.01", False), ("SCR", "0.5", True)])
def test_direction_decides_whether_a_value_meets_the_target(org, ctx, code, value, met):
    assert kpi("147", code).met(Decimal(value)) is met


def test_a_day_of_intervals_is_weighted_by_volume(org, ctx):
    sl = kpi("147", "SL")
    put(sl, D, 90, 100, time(8))
    put(sl, D, 70, 300, time(8, 30))
    f = services.series([sl], D, D).day(sl, D)
    assert f.value == Decimal("75.00") and f.weight == 400 and f.readings == 2
    assert f.met is False


def test_without_volumes_a_day_is_the_mean(org, ctx):
    sl = kpi("147", "SL")
    put(sl, D, 90, None, time(8))
    put(sl, D, 70, 300, time(8, 30))  # one reading without volume: the plain mean
    assert services.series([sl], D, D).day(sl, D).value == Decimal("80.00")


def test_a_daily_reading_outranks_the_intervals_of_its_day(org, ctx):
    sl = kpi("147", "SL")
    put(sl, D, 60, 100, time(8))
    put(sl, D, 85, 5000)
    f = services.series([sl], D, D).day(sl, D)
    assert f.value == Decimal("85.00") and f.met


def test_a_month_is_aggregated_from_its_days(org, ctx):
    scr = kpi("147", "SCR")
    put(scr, date(2026, 11, 1), 2, 1000)
    put(scr, date(2026, 11, 2), 5, 3000)
    s = services.series([scr], date(2026, 11, 1), date(2026, 11, 30))
    m = s.month(scr, date(2026, 11, 1))
    assert m.value == Decimal("4.25") and m.met is False  # lower is better: 4,25 % > 3 %
    assert s.day(scr, date(2026, 11, 1)).met is True


def test_a_monthly_kpi_reads_its_monthly_reading(org, ctx):
    qvs = kpi("TAM-CT0", "QVS")
    put(qvs, date(2026, 10, 1), "94.5", 300)
    m = services.series([qvs], date(2026, 10, 1), date(2026, 10, 31)).month(qvs, date(2026, 10, 1))
    assert m.value == Decimal("94.50") and m.met is False and m.period_text == "2026-10"


def test_entering_a_reading_checks_it_and_writes_an_audit_event(org, ctx):
    sl = kpi("147", "SL")
    row = services.enter(sl, {"period": "interval", "day": D, "at": time(9), "value": "78,5", "volume": 420}, org["tl"])
    assert row.value == Decimal("78.50") and row.target == Decimal(80) and not row.met
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reading.entered"))
    assert event is not None and event.object_id == str(row.id)


@pytest.mark.parametrize("data,field", [
    ({"period": "day", "day": date(2099, 1, 1), "value": "80"}, "day"),
    ({"period": "day", "day": D, "value": "delapan puluh"}, "value"),
    ({"period": "day", "day": D, "value": "101"}, "value"),
    ({"period": "day", "day": D, "value": "-1"}, "value"),
    ({"period": "interval", "day": D, "value": "80"}, "at"),
    ({"period": "month", "day": D, "value": "80"}, "period"),
    ({"period": "day", "day": None, "value": "80"}, "day"),
])
def test_bad_input_is_refused_with_its_field(org, ctx, data, field):
    with pytest.raises(ServiceError) as exc:
        services.enter(kpi("147", "SL"), data, org["tl"])
    assert exc.value.field == field
    assert db.session.scalar(select(Reading.id)) is None


def test_a_second_reading_of_a_period_is_refused_unless_replaced(org, ctx):
    sl = kpi("147", "SL")
    services.enter(sl, {"period": "day", "day": D, "value": "70"}, org["tl"])
    with pytest.raises(ServiceError):
        services.enter(sl, {"period": "day", "day": D, "value": "85"}, org["tl"])
    row = services.enter(sl, {"period": "day", "day": D, "value": "85", "replace": True}, org["spv"])
    assert row.value == Decimal("85.00") and db.session.query(Reading).count() == 1
    replaced = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reading.replaced"))
    assert replaced.old["value"] == "70.00"


def test_a_computed_kpi_is_not_entered_by_hand(org, ctx):
    with pytest.raises(ServiceError):
        services.enter(kpi("TAM-CT0", "QVS"), {"period": "month", "day": D, "value": "95"}, org["spv"])


def test_a_day_with_readings_needs_its_daily_analysis_by_hk3(org, ctx):
    friday = date(2026, 11, 27)
    services.enter(kpi("147", "SL"), {"period": "day", "day": friday, "value": "81"}, org["tl"])
    services.enter(kpi("147", "SCR"), {"period": "day", "day": friday, "value": "2"}, org["tl"])
    rows = list(db.session.scalars(select(DailyAnalysis)))
    assert len(rows) == 1 and rows[0].day == friday
    assert rows[0].due_on == add_working_days(friday, 3) and rows[0].due_on >= friday + timedelta(days=5)  # the weekend


def test_reading_evidence_describes_a_miss(org, ctx):
    sl = kpi("147", "SL")
    row = put(sl, D, "72.4", 500, time(10))
    evidence = services.reading_evidence(row.id)
    assert evidence["kpi"] == "SL" and evidence["kpi_name"] == "Service Level" and evidence["service"] == "147"
    assert evidence["value"] == 72.4 and evidence["target"] == 80.0 and evidence["unit"] == "%" and evidence["met"] is False
    assert evidence["start"].startswith("2026-11-10T10:00") and evidence["end"].startswith("2026-11-10T10:30")
    assert "tidak mencapai target" in evidence["description"] and "72,40" in evidence["description"]
    assert f"/monitoring/kpi/{sl.id}" in evidence["url"] and evidence["url"].endswith(f"#r{row.id}")
    assert services.reading_evidence(row.id + 999) is None


def test_reading_evidence_of_a_met_lower_is_better_reading(org, ctx):
    row = put(kpi("147", "SCR"), D, "1.5", None)
    evidence = services.reading_evidence(row.id)
    assert evidence["met"] is True and evidence["period"] == "day" and evidence["start"] == "2026-11-10"
    assert "memenuhi target" in evidence["description"]


def test_kpi_met_periods_reads_the_following_days(org, ctx):
    sl = kpi("147", "SL")
    put(sl, D, 70)  # the miss
    assert services.kpi_met_periods(sl.id, D, 3) is None
    put(sl, D + timedelta(days=1), 82)
    put(sl, D + timedelta(days=2), 85, 100, time(8))
    put(sl, D + timedelta(days=2), 78, 100, time(8, 30))  # the day: 81,5 met
    assert services.kpi_met_periods(sl.id, D, 3) is None  # two days only
    put(sl, D + timedelta(days=4), 80)
    assert services.kpi_met_periods(sl.id, D, 3) is True
    put(sl, D + timedelta(days=3), 79)
    assert services.kpi_met_periods(sl.id, D, 3) is False
    assert services.kpi_met_periods(sl.id, D, 2) is True
    assert services.kpi_met_periods(99999, D, 1) is None


def test_kpi_met_periods_of_a_monthly_kpi_reads_the_following_months(org, ctx):
    qvs = kpi("TAM-CT0", "QVS")
    put(qvs, date(2026, 8, 1), 90)
    put(qvs, date(2026, 9, 1), 96)
    assert services.kpi_met_periods(qvs.id, date(2026, 8, 15), 2) is None
    put(qvs, date(2026, 10, 1), 95)
    assert services.kpi_met_periods(qvs.id, date(2026, 8, 15), 2) is True
    assert services.kpi_met_periods(qvs.id, date(2026, 7, 31), 2) is False


def test_a_new_target_leaves_the_stored_readings_their_own(org, ctx):
    sl = kpi("147", "SL")
    row = put(sl, D, 78)
    assert not row.met
    services.update_kpi(sl, {"name": "Service Level", "formula": sl.formula, "target": "75", "higher_is_better": True,
                             "owner_role": "spv"}, org["manager"])
    assert sl.target == Decimal(75) and row.target == Decimal(80) and not row.met  # the reading keeps its day's target
    assert services.series([sl], D, D).day(sl, D).met  # the page's figures read the KPI's target
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "kpi.changed"))
    assert event.old == {"target": "80.00"} and event.new == {"target": "75.00"}
    with pytest.raises(ServiceError) as exc:
        services.update_kpi(sl, {"name": "SL", "target": "120", "higher_is_better": True, "owner_role": "spv"}, org["manager"])
    assert exc.value.field == "target"
    with pytest.raises(ServiceError) as exc:
        services.update_kpi(sl, {"name": "SL", "target": "80", "higher_is_better": True, "owner_role": "boss"}, org["manager"])
    assert exc.value.field == "owner_role"

"""The KPIs the portal owns, computed from the modules that hold their data: the Quality Validation Score from tapping
(a month's valid AGREE / AGREE of the service), recomputed in place, with one audit event a run."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.core.audit import AuditEvent
from portal.core.service import ServiceError
from portal.extensions import db
from portal.monitoring import services
from portal.monitoring.models import Reading
from tests.monitoring.conftest import kpi
from tests.people_factories import make_staff, make_team
from tests.tapping_factories import make_call


def test_qvs_is_read_from_the_tapping_module(org, ctx):
    team = make_team(site=org["site"], service=org["tam"], name="MLG CT0-A")
    agent = make_staff(team=team)
    other = make_staff(team=team)
    for stage in ("valid", "valid", "valid", "returned"):
        make_call(agent, service=org["tam"], called_at=datetime(2026, 10, 5, 3), stage=stage)
    make_call(other, service=org["s147"], called_at=datetime(2026, 10, 5, 3), stage="returned")  # another service
    qvs = kpi("TAM-CT0", "QVS")
    assert services.compute(qvs, date(2026, 10, 1), org["spv"]) == 1
    row = db.session.scalar(select(Reading).where(Reading.kpi_id == qvs.id))
    assert row.value == Decimal("75.00") and row.volume == 4 and row.period == "month" and not row.met
    make_call(agent, service=org["tam"], called_at=datetime(2026, 10, 6, 3), stage="valid")
    services.compute(qvs, date(2026, 10, 1), org["spv"])  # recomputed in place
    assert db.session.scalar(select(func.count(Reading.id)).where(Reading.kpi_id == qvs.id)) == 1
    assert db.session.scalar(select(Reading.value).where(Reading.kpi_id == qvs.id)) == Decimal("80.00")
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "kpi.computed")) == 2


def test_only_the_portals_kpis_are_computed_and_never_ahead(org, ctx):
    with pytest.raises(ServiceError):
        services.compute(kpi("147", "SL"), date(2026, 10, 1), org["spv"])
    with pytest.raises(ServiceError):
        services.compute(kpi("TAM-CT0", "QVS"), date(2099, 1, 1), org["spv"])


def test_a_month_without_calls_writes_no_reading(org, ctx):
    assert services.compute(kpi("TAM-CT0", "QVS"), date(2026, 9, 1), org["spv"]) == 0

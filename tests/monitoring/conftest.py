"""A small inbound organisation for the monitoring tests: Malang with the services 147 and 108 (and TAM-CT0) and
their seeded KPIs; `tl` and `tl2` (team leaders of 147), `spv` (supervisor of 147), `spv108` (supervisor of 108
only), a manager, QA and an agent."""
from __future__ import annotations

from datetime import date, datetime, time

import pytest

from portal.extensions import db
from portal.monitoring import services


@pytest.fixture
def org(app, factories):
    site = factories.site(code="MLG", name="Malang")
    s147 = factories.service(code="147", name="147")
    s108 = factories.service(code="108", name="108")
    tam = factories.service(code="TAM-CT0", name="TAM CT-0 PraNPC", direction="outbound")
    users = {r: factories.user([r], site=site, services=[s147]) for r in ("tl", "spv", "agent")}
    users["tl2"] = factories.user(["tl"], site=site, services=[s147])
    users["tl108"] = factories.user(["tl"], site=site, services=[s108])
    users["spv108"] = factories.user(["spv"], site=site, services=[s108])
    users["manager"] = factories.user(["manager"], site=site)
    users["qa"] = factories.user(["qa"], site=site)
    with app.test_request_context():
        services.seed_kpis()
        db.session.commit()
    return {**users, "site": site, "s147": s147, "s108": s108, "tam": tam}


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def kpi(service_code: str, code: str):
    return services.kpi_by_code(service_code, code)


def put(k, day: date, value, volume=None, at: time | None = None, period=None, actor=None):
    """A reading stored directly (no checks): an interval when `at` is given, else a day (a month for monthly KPIs)."""
    period = period or ("interval" if at is not None else ("month" if k.period == "month" else "day"))
    return services.store(k, period, services.period_start(period, day, at), services.q2(value), volume, actor, "manual",
                          audit_it=False)


def dt(day: date, h: int, m: int = 0) -> datetime:
    return datetime.combine(day, time(h, m))

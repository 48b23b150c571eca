"""The recovery plan flow (P-10 steps 9-20): proposed on a missed reading, approved by the supervisor, distributed by
the desk control to the team leaders of the service, acknowledged by each, closed with its outcome."""
from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy import select

from portal.core.audit import AuditEvent
from portal.core.service import ServiceError
from portal.extensions import db
from portal.monitoring import permissions, plans, services
from tests.monitoring.conftest import kpi, put

D = date(2026, 11, 10)


def steps(owner, n=1):
    return [{"action": f"Langkah {i}", "owner_id": owner.id, "due_at": datetime(2026, 11, 10, 12 + i)} for i in range(n)]


@pytest.fixture
def missed(org, ctx):
    return put(kpi("147", "SL"), D, "71.5", 900, time(10))


def test_the_whole_flow(org, missed):
    sl = missed.kpi
    plan = plans.propose(sl, missed, "SL turun karena antrian pagi", steps(org["tl"], 2), org["tl"])
    assert plan.status == "proposed" and len(plan.steps) == 2 and plan.number == f"RP-{plan.id:05d}"
    assert permissions.can_approve(org["spv"], plan) and not permissions.can_approve(org["tl"], plan)
    assert not permissions.can_approve(org["spv108"], plan)  # not their service
    plans.approve(plan, "", org["spv"])
    assert permissions.can_distribute(org["tl"], plan)
    plans.distribute(plan, [org["tl"].id, org["tl2"].id], org["tl"])
    assert plan.status == "distributed"
    assert permissions.can_acknowledge(org["tl2"], plan) and not permissions.can_acknowledge(org["spv"], plan)
    with pytest.raises(ServiceError) as exc:
        plans.close(plan, "achieved", "SL pulih", org["spv"])
    assert "menunggu konfirmasi" in exc.value.message
    plans.acknowledge(plan, org["tl"])
    with pytest.raises(ServiceError):
        plans.acknowledge(plan, org["tl"])  # twice
    plans.acknowledge(plan, org["tl2"])
    with pytest.raises(ServiceError):
        plans.close(plan, "achieved", "", org["spv"])  # the outcome needs its figures
    plans.close(plan, "achieved", "SL 84 % dua hari berikutnya", org["spv"])
    assert plan.status == "closed"
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "recoveryplan")
                                      .order_by(AuditEvent.id)))
    assert actions == ["plan.proposed", "plan.approved", "plan.distributed", "plan.acknowledged", "plan.acknowledged",
                       "plan.closed"]


def test_a_met_reading_needs_no_plan(org, ctx):
    met = put(kpi("147", "SL"), D, 85, None)
    with pytest.raises(ServiceError):
        plans.propose(met.kpi, met, "x", steps(org["tl"]), org["tl"])


def test_a_plan_needs_a_problem_and_complete_steps(org, missed):
    with pytest.raises(ServiceError) as exc:
        plans.propose(missed.kpi, missed, "", steps(org["tl"]), org["tl"])
    assert exc.value.field == "problem"
    for bad in ([], [{"action": "Tambah agent", "owner_id": None, "due_at": datetime(2026, 11, 10, 12)}],
                [{"action": "Tambah agent", "owner_id": org["tl"].id, "due_at": None}],
                [{"action": "", "owner_id": org["tl"].id, "due_at": datetime(2026, 11, 10, 12)}]):
        with pytest.raises(ServiceError) as exc:
            plans.propose(missed.kpi, missed, "SL turun", bad, org["tl"])
        assert exc.value.field == "steps"


def test_one_plan_per_reading(org, missed):
    plans.propose(missed.kpi, missed, "SL turun", steps(org["tl"]), org["tl"])
    with pytest.raises(ServiceError):
        plans.propose(missed.kpi, missed, "SL turun lagi", steps(org["tl"]), org["tl"])


def test_a_rejection_needs_a_reason(org, missed):
    plan = plans.propose(missed.kpi, missed, "SL turun", steps(org["tl"]), org["tl"])
    with pytest.raises(ServiceError):
        plans.reject(plan, "", org["spv"])
    plans.reject(plan, "Langkah belum menyentuh penyebab", org["spv"])
    assert plan.status == "rejected"
    with pytest.raises(ServiceError):
        plans.approve(plan, "", org["spv"])
    # a new plan may be proposed for the reading once the first was rejected
    assert plans.propose(missed.kpi, missed, "Rencana baru", steps(org["tl"]), org["tl"]).status == "proposed"


def test_only_team_leaders_of_the_service_receive_it(org, missed):
    plan = plans.propose(missed.kpi, missed, "SL turun", steps(org["tl"]), org["tl"])
    with pytest.raises(ServiceError):
        plans.distribute(plan, [org["tl"].id], org["tl"])  # not approved yet
    plans.approve(plan, "", org["spv"])
    for wrong in ([], [org["tl108"].id], [org["spv"].id], [org["tl"].id, org["agent"].id]):
        with pytest.raises(ServiceError):
            plans.distribute(plan, wrong, org["tl"])
    assert [u.id for u in plans.team_leaders(missed.kpi.service_id)] == sorted([org["tl"].id, org["tl2"].id])


def test_the_plan_shows_the_kpi_before_and_after(org, missed):
    sl = missed.kpi
    put(sl, date(2026, 11, 8), 82)
    put(sl, date(2026, 11, 12), 86)
    plan = plans.propose(sl, missed, "SL turun", steps(org["tl"]), org["tl"])
    before, after = services.around(sl, plans.since(plan))
    assert [f.start for f in before] == [date(2026, 11, 8)]
    assert [(f.start, f.met) for f in after] == [(D, False), (date(2026, 11, 12), True)]

"""Factories of the tapping module: call results (an AGREE call waiting by default) and a checked import file."""
from __future__ import annotations

import itertools
from datetime import datetime

from sqlalchemy import select

from portal.extensions import db
from portal.tapping.models import Call, CallImport

_seq = itertools.count(1)


def make_call(agent, service=None, called_at: datetime = datetime(2026, 11, 2, 3, 15), **overrides) -> Call:
    """A call of `agent` (a Staff) in their current team; called_at is UTC (10.15 WIB by default)."""
    from portal.people.models import TeamMembership

    n = next(_seq)
    if service is None:
        from tests.factories import make_service

        service = make_service(direction="outbound")
    team_id = db.session.scalar(select(TeamMembership.team_id).where(TeamMembership.staff_id == agent.id,
                                                                     TeamMembership.ends_on.is_(None)))
    result = overrides.pop("result", "AGREE")
    call = Call(recording_id=overrides.pop("recording_id", f"VR-T-{n:06d}"), agent_id=agent.id,
                team_id=overrides.pop("team_id", team_id), site_id=agent.site_id, service_id=service.id,
                called_at=called_at, month=overrides.pop("month", called_at.date().replace(day=1)),
                product=overrides.pop("product", "Retensi PraNPC"),
                customer_number=overrides.pop("customer_number", "081234567789"), result=result,
                stage=overrides.pop("stage", "new" if result == "AGREE" else ""), **overrides)
    db.session.add(call)
    db.session.flush()
    return call


def make_import(user, **overrides) -> CallImport:
    row = CallImport(kind="calls", filename=overrides.pop("filename", "hasil.csv"), data=overrides.pop("data", b""),
                     rows=1, valid_rows=0, created_by_id=user.id, **overrides)
    db.session.add(row)
    db.session.flush()
    return row


def make_inbound(agent, service=None, called_at: datetime = datetime(2026, 11, 2, 3, 15), **overrides):
    """A sampled inbound call of `agent` (a Staff); its service inbound (made when not given)."""
    from portal.people.models import TeamMembership
    from portal.tapping.models import InboundCall

    n = next(_seq)
    if service is None:
        from tests.factories import make_service

        service = make_service(direction="inbound")
    team_id = db.session.scalar(select(TeamMembership.team_id).where(TeamMembership.staff_id == agent.id,
                                                                     TeamMembership.ends_on.is_(None)))
    call = InboundCall(recording_id=overrides.pop("recording_id", f"IN-T-{n:06d}"), agent_id=agent.id,
                       team_id=overrides.pop("team_id", team_id), site_id=agent.site_id, service_id=service.id,
                       called_at=called_at, month=overrides.pop("month", called_at.date().replace(day=1)),
                       topic=overrides.pop("topic", "Gangguan internet"),
                       customer_number=overrides.pop("customer_number", "081234567789"), **overrides)
    db.session.add(call)
    db.session.flush()
    return call


def make_scorecard(service, weights=((10, True), (30, False), (60, False)), code="IN.QCC.TELK.S-03", revision="00",
                   effective_from=None):
    """A scorecard of the service: parameters with the given (weight, critical)."""
    from datetime import date

    from portal.tapping.models import SCORECARD, Parameter, ParameterSet

    row = ParameterSet(service_id=service.id, document_code=code, revision=revision, title="Uji", kind=SCORECARD,
                       effective_from=effective_from or date(2026, 1, 1),
                       parameters=[Parameter(sort_order=i, section="Bagian", clause=f"P{i + 1}", text=f"Parameter {i + 1}",
                                             weight=w, critical=k) for i, (w, k) in enumerate(weights)])
    db.session.add(row)
    db.session.flush()
    return row

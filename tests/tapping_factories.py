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

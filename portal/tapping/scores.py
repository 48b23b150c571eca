"""The inbound scores of a month: per call, per agent, per service and in total (the official scores only; calibration
scores are the quality team's exercise and do not count), and the last six months. An average is the mean of the
calls' scores (an amended score counts as amended); a fatal call counts with its 0. SQL aggregates: one statement for
the month's breakdown, one for the months, one for the list of calls (the latest 200)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import joinedload

from portal.auth.models import Service
from portal.extensions import db
from portal.people.models import Staff, Team
from portal.tapping.models import InboundCall, Score, SignOff

TWO = Decimal("0.01")
LIST_LIMIT = 200


@dataclass
class Figures:
    key: object = None
    label: str = ""
    code: str = ""
    team: str = ""
    calls: int = 0
    points: Decimal = Decimal(0)
    fatal: int = 0
    lowest: Decimal | None = None
    highest: Decimal | None = None

    @property
    def average(self) -> Decimal | None:
        if not self.calls:
            return None
        return (Decimal(self.points) / self.calls).quantize(TWO, rounding=ROUND_HALF_UP)

    def add(self, calls, points, fatal, lowest, highest) -> None:
        self.calls += calls or 0
        self.points += Decimal(points or 0)
        self.fatal += fatal or 0
        if lowest is not None:
            self.lowest = Decimal(lowest) if self.lowest is None else min(self.lowest, Decimal(lowest))
        if highest is not None:
            self.highest = Decimal(highest) if self.highest is None else max(self.highest, Decimal(highest))


@dataclass
class Month:
    month: date
    totals: Figures
    agents: list[Figures] = field(default_factory=list)
    services: list[Figures] = field(default_factory=list)


def _official():
    return Score.calibration_id.is_(None)


def _sums():
    return [func.count(Score.id), func.sum(Score.total), func.sum(case((Score.fatal.is_(True), 1), else_=0)),
            func.min(Score.total), func.max(Score.total)]


def month_figures(month: date, scope=None) -> Month:
    from portal.auth.models import User

    stmt = (select(InboundCall.agent_id, Staff.full_name, Staff.employee_number, func.coalesce(User.username, literal("")),
                   func.coalesce(Team.name, literal("")), InboundCall.service_id, Service.name, *_sums())
            .join(InboundCall, InboundCall.id == Score.call_id).join(Staff, Staff.id == InboundCall.agent_id)
            .outerjoin(User, User.id == Staff.user_id).outerjoin(Team, Team.id == InboundCall.team_id)
            .join(Service, Service.id == InboundCall.service_id)
            .where(_official(), InboundCall.month == month)
            .group_by(InboundCall.agent_id, Staff.full_name, Staff.employee_number, User.username, Team.name,
                      InboundCall.service_id, Service.name))
    if scope is not None:
        stmt = stmt.where(scope)
    result = Month(month=month, totals=Figures(label="total"))
    agents: dict = {}
    services: dict = {}
    for agent_id, name, number, username, team, service_id, service, *sums in db.session.execute(stmt):
        agent = agents.setdefault(agent_id, Figures(key=agent_id, label=name, code=username or number, team=team))
        agent.add(*sums)
        services.setdefault(service_id, Figures(key=service_id, label=service)).add(*sums)
        result.totals.add(*sums)
    result.agents = sorted(agents.values(), key=lambda f: (f.label, f.code))
    result.services = sorted(services.values(), key=lambda f: f.label)
    return result


def months(month: date, scope=None, n: int = 6) -> list[tuple[date, Figures]]:
    from portal.tapping.qvs import months_back

    firsts = months_back(month, n)
    stmt = (select(InboundCall.month, *_sums()).join(InboundCall, InboundCall.id == Score.call_id)
            .where(_official(), InboundCall.month >= firsts[0], InboundCall.month <= month).group_by(InboundCall.month))
    if scope is not None:
        stmt = stmt.where(scope)
    found = {}
    for m, *sums in db.session.execute(stmt):
        f = Figures()
        f.add(*sums)
        found[m] = f
    return [(m, found.get(m, Figures())) for m in firsts]


def month_calls(month: date, scope=None, limit: int = LIST_LIMIT) -> list[tuple[Score, str | None]]:
    """The month's scored calls, latest first, with the agent's sign-off status (one statement)."""
    stmt = (select(Score, SignOff.status).join(InboundCall, InboundCall.id == Score.call_id)
            .outerjoin(SignOff, SignOff.score_id == Score.id)
            .options(joinedload(Score.call).joinedload(InboundCall.service), joinedload(Score.call).joinedload(InboundCall.team))
            .where(_official(), InboundCall.month == month).order_by(InboundCall.called_at.desc(), Score.id.desc()).limit(limit))
    if scope is not None:
        stmt = stmt.where(scope)
    return [(score, status) for score, status in db.session.execute(stmt).unique()]

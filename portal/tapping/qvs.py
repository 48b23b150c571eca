"""The Quality Validation Score (MNOP-01 Bab III): valid AGREE / total AGREE per month, per agent, team, site and
service, against its target (data: kpi_target "qvs", 95 % without a row). A call counts in the month it was made;
it is valid when its latest verdict is VALID (a verdict given in the next month counts for the call's month), returned
when its latest verdict is RETURN (recalled or not), pending when it has no verdict yet. The first-pass rate is the
share of the calls with a verdict whose first verdict was VALID. Everything comes from SQL aggregates: one statement
for the month's breakdown, one for the 12-month trend, one for the return reasons, one for the target."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, func, literal, select

from portal.auth.models import Service, Site
from portal.extensions import db
from portal.people.models import KpiTarget, Staff, Team
from portal.tapping.models import AGREE, KPI_CODE, NEW, RECALLED, RETURN, RETURNED, VALID, VALIDATED, Call, ReturnReason, Validation

TWO = Decimal("0.01")


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TWO, rounding=ROUND_HALF_UP)


@dataclass
class Figures:
    key: object = None
    label: str = ""
    code: str = ""  # an agent's user name or employee number
    team: str = ""
    agree: int = 0
    valid: int = 0
    returned: int = 0
    pending: int = 0
    first_valid: int = 0
    judged: int = 0  # calls with at least one verdict

    @property
    def score(self) -> Decimal | None:
        return percent(self.valid, self.agree)

    @property
    def first_pass(self) -> Decimal | None:
        return percent(self.first_valid, self.judged)

    def add(self, other: "Figures") -> None:
        for name in ("agree", "valid", "returned", "pending", "first_valid", "judged"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def under(self, target: Decimal) -> bool:
        return self.score is not None and self.score < target

    def as_json(self) -> dict:
        return {"agree": self.agree, "valid": self.valid, "returned": self.returned, "pending": self.pending,
                "score": float(self.score) if self.score is not None else None,
                "first_pass": float(self.first_pass) if self.first_pass is not None else None}


@dataclass
class Month:
    month: date
    target: Decimal
    totals: Figures
    agents: list[Figures] = field(default_factory=list)
    teams: list[Figures] = field(default_factory=list)
    sites: list[Figures] = field(default_factory=list)
    services: list[Figures] = field(default_factory=list)


def _counts():
    is_valid = func.sum(case((Call.stage == VALIDATED, 1), else_=0))
    returned = func.sum(case((Call.stage.in_((RETURNED, RECALLED)), 1), else_=0))
    pending = func.sum(case((Call.stage == NEW, 1), else_=0))
    first = func.sum(case((Call.first_verdict == VALID, 1), else_=0))
    judged = func.sum(case((Call.first_verdict.is_not(None), 1), else_=0))
    return [func.count(Call.id), is_valid, returned, pending, first, judged]


def _where(stmt, scope):
    stmt = stmt.where(Call.result == AGREE)
    return stmt if scope is None else stmt.where(scope)


def target_of(months: list[date]) -> dict[date, Decimal]:
    """The target of each month from one read of the target's history (95 % before any row)."""
    history = db.session.execute(select(KpiTarget.valid_from, KpiTarget.target).where(KpiTarget.code == KPI_CODE)
                                 .order_by(KpiTarget.valid_from)).all()
    out = {}
    for month in months:
        value = Decimal(95)
        for valid_from, target in history:
            if valid_from <= month:
                value = Decimal(target)
        out[month] = value.quantize(TWO)
    return out


def month_figures(month: date, scope=None, target: Decimal | None = None) -> Month:
    """The month's figures per agent, team, site and service, and the totals (one statement, plus the target)."""
    from portal.auth.models import User

    stmt = (select(Call.agent_id, Staff.full_name, Staff.employee_number, func.coalesce(User.username, literal("")),
                   Call.team_id, func.coalesce(Team.name, literal("")), Call.site_id, Site.name, Call.service_id, Service.name,
                   *_counts())
            .join(Staff, Staff.id == Call.agent_id).outerjoin(User, User.id == Staff.user_id)
            .outerjoin(Team, Team.id == Call.team_id).join(Site, Site.id == Call.site_id)
            .join(Service, Service.id == Call.service_id)
            .where(Call.month == month)
            .group_by(Call.agent_id, Staff.full_name, Staff.employee_number, User.username, Call.team_id, Team.name,
                      Call.site_id, Site.name, Call.service_id, Service.name))
    rows = db.session.execute(_where(stmt, scope)).all()
    if target is None:
        target = target_of([month])[month]
    result = Month(month=month, target=target, totals=Figures(label="total"))
    agents: dict = {}
    teams: dict = {}
    sites: dict = {}
    services: dict = {}
    for (agent_id, name, number, username, team_id, team_name, site_id, site_name, service_id, service_name,
         agree, valid, returned, pending, first, judged) in rows:
        f = Figures(agree=agree or 0, valid=valid or 0, returned=returned or 0, pending=pending or 0,
                    first_valid=first or 0, judged=judged or 0)
        for bucket, key, label, extra in ((agents, agent_id, name, {"code": username or number, "team": team_name}),
                                          (teams, team_id, team_name or "—", {}), (sites, site_id, site_name, {}),
                                          (services, service_id, service_name, {})):
            if key not in bucket:
                bucket[key] = Figures(key=key, label=label, **extra)
            elif extra.get("team") and extra["team"] not in bucket[key].team.split(" · "):
                bucket[key].team += " · " + extra["team"]
            bucket[key].add(f)
        result.totals.add(f)
    result.agents = sorted(agents.values(), key=lambda x: (x.label, x.code))
    result.teams = sorted(teams.values(), key=lambda x: x.label)
    result.sites = sorted(sites.values(), key=lambda x: x.label)
    result.services = sorted(services.values(), key=lambda x: x.label)
    return result


def months_back(month: date, n: int = 12) -> list[date]:
    out = [month]
    while len(out) < n:
        first = out[-1]
        out.append(date(first.year - 1, 12, 1) if first.month == 1 else date(first.year, first.month - 1, 1))
    return list(reversed(out))


def trend(month: date, scope=None) -> list[tuple[date, Figures, Decimal]]:
    """The 12 months up to `month`: (month, figures, target), one statement (plus the target history)."""
    months = months_back(month)
    stmt = select(Call.month, *_counts()).where(Call.month >= months[0], Call.month <= month).group_by(Call.month)
    found = {}
    for m, agree, valid, returned, pending, first, judged in db.session.execute(_where(stmt, scope)):
        found[m] = Figures(agree=agree or 0, valid=valid or 0, returned=returned or 0, pending=pending or 0,
                           first_valid=first or 0, judged=judged or 0)
    targets = target_of(months)
    return [(m, found.get(m, Figures()), targets[m]) for m in months]


def return_reasons(month: date, scope=None) -> list[tuple[str, str, int]]:
    """Every RETURN verdict given on the month's calls (re-returns count again), by reason: (code, name, count)."""
    stmt = (select(Validation.reason_code, func.coalesce(ReturnReason.name, literal("")), func.count(Validation.id))
            .join(Call, Call.id == Validation.call_id).outerjoin(ReturnReason, ReturnReason.code == Validation.reason_code)
            .where(Call.month == month, Validation.verdict == RETURN)
            .group_by(Validation.reason_code, ReturnReason.name).order_by(func.count(Validation.id).desc(), Validation.reason_code))
    return [(code, name, n) for code, name, n in db.session.execute(_where(stmt, scope))]


def chart(points: list[tuple[date, Figures, Decimal]], width: int = 640, height: int = 220) -> dict:
    """Coordinates of the trend chart (an SVG drawn by the template, core.charts): bars of the score, the target line."""
    from portal.core.charts import bar_chart

    target = points[-1][2] if points else Decimal(95)
    return bar_chart([{"value": f.score, "score": f.score, "month": m, "agree": f.agree,
                       "under": f.score is not None and f.score < t} for m, f, t in points], target, width, height)

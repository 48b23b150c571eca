"""What capa can open an NC from by itself, and its own criterion (registered in links.py at start-up):

- `tapping`: a RETURN cluster, several RETURN verdicts with one reason in one month for a team or an agent. The ref
  is `<YYYY-MM>.<team|agent>.<id>.<reason code>`, e.g. `2026-11.team.3.R01`.
- `coaching`: a floor-monitoring finding (coaching module), ref = the finding's id.
- the `manual` criterion: the verifier records effective or ineffective with a note.

(A failed critical item of tapping is not offered: tapping has no critical items yet. A missed KPI is registered by
the monitoring module.)"""
from __future__ import annotations

from datetime import date, datetime

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.capa import links
from portal.core.i18n import fmt_date
from portal.core.modules import is_enabled
from portal.extensions import db

CLUSTER_MIN = 3  # RETURNs of one reason in a month that make a cluster worth an NC


def _month_of(text: str) -> date:
    return datetime.strptime(text, "%Y-%m").date().replace(day=1)


def tapping_ref(month: date, level: str, key: int, reason: str) -> str:
    return f"{month:%Y-%m}.{level}.{key}.{reason}"


def load_tapping(ref: str) -> links.SourceEvidence | None:
    """A RETURN cluster: the returns of one reason in a month for a team or an agent."""
    from portal.people.models import Staff, Team
    from portal.tapping.models import RETURN, Call, ReturnReason, Validation

    month_text, level, key, reason = ref.split(".", 3)
    month = _month_of(month_text)
    if level not in ("team", "agent") or not key.isdigit() or len(key) > 9:
        return None
    column = Call.team_id if level == "team" else Call.agent_id
    n, site_id, service_id = db.session.execute(
        select(func.count(Validation.id), func.min(Call.site_id), func.min(Call.service_id))
        .join(Call, Call.id == Validation.call_id)
        .where(Call.month == month, column == int(key), Validation.verdict == RETURN, Validation.reason_code == reason)).one()
    if not n:
        return None
    owner = db.session.get(Team if level == "team" else Staff, int(key))
    name = owner.name if level == "team" else f"{owner.full_name} ({owner.employee_number})"
    reason_name = db.session.scalar(select(ReturnReason.name).where(ReturnReason.code == reason)) or ""
    args = {"stage": "all", "team": int(key)} if level == "team" else {"stage": "all", "agent": owner.employee_number}
    what = _("team %(name)s", name=name) if level == "team" else _("agent %(name)s", name=name)
    return links.SourceEvidence(
        title=_("RETURN %(code)s repeated %(n)d times in %(month)s (%(who)s)", code=reason, n=n, month=f"{month:%Y-%m}", who=what),
        description=_("%(n)d RETURN verdicts with reason %(code)s %(reason)s on the calls of %(who)s in %(month)s.",
                      n=n, code=reason, reason=reason_name, who=what, month=f"{month:%Y-%m}"),
        links=[(_("Calls of the cluster"), url_for("tapping.index", **args)),
               (_("Quality Validation Score %(m)s", m=f"{month:%Y-%m}"), url_for("tapping.qvs", month=f"{month:%Y-%m}"))],
        site_id=site_id, service_id=service_id, occurred_on=month, source="tapping")


def return_clusters(month: date, minimum: int = CLUSTER_MIN) -> list[tuple[str, str, int]]:
    """The month's RETURN clusters per team (ref, label, returns), largest first; one statement."""
    if not is_enabled("tapping"):
        return []
    from portal.people.models import Team
    from portal.tapping.models import RETURN, Call, ReturnReason, Validation

    rows = db.session.execute(
        select(Call.team_id, Team.name, Validation.reason_code, func.coalesce(ReturnReason.name, ""), func.count(Validation.id))
        .join(Call, Call.id == Validation.call_id).join(Team, Team.id == Call.team_id)
        .outerjoin(ReturnReason, ReturnReason.code == Validation.reason_code)
        .where(Call.month == month, Validation.verdict == RETURN, Validation.reason_code != "")
        .group_by(Call.team_id, Team.name, Validation.reason_code, ReturnReason.name)
        .having(func.count(Validation.id) >= minimum)
        .order_by(func.count(Validation.id).desc(), Team.name).limit(20)).all()
    return [(tapping_ref(month, "team", team_id, code), f"{team} · {code} {reason}", n) for team_id, team, code, reason, n in rows]


def load_coaching(ref: str) -> links.SourceEvidence | None:
    """A floor-monitoring finding of the coaching module."""
    from portal.coaching.models import Finding

    if not ref.isdigit() or len(ref) > 9:
        return None
    finding = db.session.get(Finding, int(ref))
    if finding is None:
        return None
    text = finding.description + (f"\n{finding.rule}" if finding.rule else "")
    return links.SourceEvidence(
        title=_("Finding of %(date)s: %(name)s", date=finding.found_on.isoformat(), name=finding.staff.full_name),
        description=text, links=[(_("Finding of %(date)s", date=finding.found_on.isoformat()),
                                  url_for("coaching.finding", finding_id=finding.id))],
        site_id=finding.staff.site_id, occurred_on=finding.found_on, source="behaviour_test")


def load_critical(ref: str) -> links.SourceEvidence | None:
    """A failed critical item of an inbound score (tapping's scorecards): the call, the item(s) and the QCO's comments."""
    from portal.tapping.models import NOT_MET, Score
    from portal.tapping.services import local_day

    if not ref.isdigit() or len(ref) > 9:
        return None
    score = db.session.get(Score, int(ref))
    if score is None or not score.fatal or score.calibration_id is not None:
        return None
    call = score.call
    answers = score.answers
    failed = [(p, answers[p.id][1]) for p in score.parameter_set.parameters
              if p.critical and answers.get(p.id, ("",))[0] == NOT_MET]
    if not failed:
        return None
    day = local_day(call.called_at)
    items = "; ".join(f"{p.text}: {comment}" if comment else p.text for p, comment in failed)
    return links.SourceEvidence(
        title=_("Critical item failed on call %(rec)s (%(agent)s)", rec=call.recording_id, agent=call.agent.full_name),
        description=_("Scored %(date)s against %(card)s: %(items)s", date=fmt_date(day), card=str(score.parameter_set),
                      items=items),
        links=[(_("Call %(rec)s", rec=call.recording_id), url_for("tapping.inbound_call", inbound_id=call.id))],
        site_id=call.site_id, service_id=call.service_id, occurred_on=day, source="tapping")


def _raise_from_score(score, user) -> list[tuple[str, str]]:
    if score is None or not score.fatal or not user.can("capa.raise"):
        return []
    return [(str(_l("Open nonconformity")), url_for("capa.new", source="tapping_critical", ref=str(score.id)))]


def _raise_from_finding(finding, user) -> list[tuple[str, str]]:
    if not user.can("capa.raise"):
        return []
    return [(str(_l("Open nonconformity")), url_for("capa.new", source="coaching", ref=str(finding.id)))]


def _raise_from_returns(month: date, user) -> list[tuple[str, str]]:
    if not user.can("capa.raise"):
        return []
    return [(str(_l("Open nonconformity from a RETURN cluster")), url_for("capa.new", month=f"{month:%Y-%m}"))]


def register(app) -> None:
    from portal.core import actions

    if is_enabled("tapping", app):
        links.register_source("tapping", label=_l("Tapping RETURN cluster"), loader=load_tapping)
        actions.register("tapping.qvs_month", _raise_from_returns)
        links.register_source("tapping_critical", label=_l("Failed critical item"), loader=load_critical)
        actions.register("tapping.score", _raise_from_score)
    if is_enabled("coaching", app):
        links.register_source("coaching", label=_l("Floor-monitoring finding"), loader=load_coaching)
        actions.register("coaching.finding", _raise_from_finding)
    links.register_criterion("manual", label=_l("Recorded by the verifier (effective / ineffective, with a note)"), evaluator=None)

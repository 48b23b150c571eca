"""Monitoring's part of capa's closed loop (capa.links): a missed KPI reading opens a nonconformity in one click,
carrying its evidence, and an NC's effectiveness check can read "the KPI meets target for N following periods"."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.capa import links
from portal.core.i18n import fmt_date
from portal.extensions import db
from portal.monitoring import services
from portal.monitoring.models import MONTH, Kpi, Reading


def _reading_id(ref: str) -> int:
    if not ref.isdigit() or len(ref) > 9:
        raise ValueError(ref)
    return int(ref)


def load_reading(ref: str) -> links.SourceEvidence | None:
    """A missed (or any) KPI reading as the source of an NC: what missed, by how much, when, with its page."""
    found = services.reading_evidence(_reading_id(ref))
    if found is None:
        return None
    day = date.fromisoformat(found["start"][:10])
    title = (_("%(kpi)s %(service)s missed its target (%(start)s)", kpi=found["kpi_name"], service=found["service"],
               start=fmt_date(day)) if not found["met"] else f"{found['kpi_name']} {found['service']} ({fmt_date(day)})")
    return links.SourceEvidence(title=title, description=found["description"], links=[(_("KPI reading"), found["url"])],
                                service_code=found["service"], occurred_on=day, source="kpi")


def evaluate(params: dict, since: date) -> links.CriterionResult:
    """The KPI met its target in each of the `n` periods after `since` (met), missed in one (not met), or fewer
    periods have readings yet (pending)."""
    try:
        kpi_id, n = int(params.get("kpi_id")), int(params.get("n") or 1)
    except (TypeError, ValueError):
        return links.CriterionResult("pending", _("No KPI chosen."))
    kpi = db.session.get(Kpi, kpi_id)
    if kpi is None:
        return links.CriterionResult("pending", _("The KPI no longer exists."))
    met = services.kpi_met_periods(kpi_id, since, n)
    name = f"{kpi.service.code} · {kpi.name}"
    if met is None:
        return links.CriterionResult("pending", _("%(kpi)s: fewer than %(n)d periods with readings after %(d)s yet.",
                                                  kpi=name, n=n, d=fmt_date(since)))
    if met:
        return links.CriterionResult("met", _("%(kpi)s met its target in each of the %(n)d periods after %(d)s.",
                                              kpi=name, n=n, d=fmt_date(since)))
    return links.CriterionResult("not_met", _("%(kpi)s missed its target in one of the %(n)d periods after %(d)s.",
                                              kpi=name, n=n, d=fmt_date(since)))


def kpi_choices() -> list[tuple[int, str]]:
    """Every active KPI for the check form, by service (one statement)."""
    from portal.auth.models import Service

    rows = db.session.execute(select(Kpi.id, Service.code, Kpi.name).join(Service, Service.id == Kpi.service_id)
                              .where(Kpi.active.is_(True)).order_by(Service.code, Kpi.position, Kpi.name))
    return [(i, f"{code} · {name}") for i, code, name in rows]


def defaults(source_kind: str, source_ref: str) -> dict:
    """For an NC opened from a KPI reading: that KPI, for its next period (monthly) or three days."""
    if source_kind != "kpi":
        return {}
    try:
        reading = db.session.get(Reading, _reading_id(source_ref))
    except ValueError:
        return {}
    if reading is None:
        return {}
    return {"kpi_id": reading.kpi_id, "n": 1 if reading.kpi.period == MONTH else 3}


def register(app) -> None:
    from portal.core.modules import is_enabled

    if not is_enabled("capa", app):
        return
    links.register_source("kpi", label=_l("Missed KPI reading"), loader=load_reading)
    links.register_criterion("kpi", label=_l("The KPI meets its target for N following periods (read automatically)"),
                             evaluator=evaluate, choices=kpi_choices, defaults=defaults)

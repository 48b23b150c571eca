"""How the monitoring module's audit events read (sentences, object codes): see core/modules.py."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, literal, select

from portal.core.modules import AuditAction, AuditObject

ACTIONS = {
    "kpi.created": AuditAction(_l("KPI defined"), _l("%(actor)s defined the KPI %(object)s")),
    "kpi.changed": AuditAction(_l("KPI changed"), _l("%(actor)s changed the KPI %(object)s")),
    "kpi.computed": AuditAction(_l("KPI computed"), _l("%(actor)s computed the readings of the KPI %(object)s")),
    "reading.entered": AuditAction(_l("KPI reading entered"), _l("%(actor)s entered a reading of %(object)s")),
    "reading.replaced": AuditAction(_l("KPI reading replaced"), _l("%(actor)s replaced a reading of %(object)s")),
    "reading_import.checked": AuditAction(_l("KPI readings file checked"), _l("%(actor)s uploaded and checked %(object)s")),
    "reading_import.imported": AuditAction(_l("KPI readings imported"), _l("%(actor)s imported the readings of %(object)s")),
    "reading_import.discarded": AuditAction(_l("KPI readings file discarded"), _l("%(actor)s discarded %(object)s")),
    "plan.proposed": AuditAction(_l("Recovery plan proposed"), _l("%(actor)s proposed the recovery plan %(object)s")),
    "plan.approved": AuditAction(_l("Recovery plan approved"), _l("%(actor)s approved the recovery plan %(object)s")),
    "plan.rejected": AuditAction(_l("Recovery plan rejected"), _l("%(actor)s rejected the recovery plan %(object)s")),
    "plan.distributed": AuditAction(_l("Recovery plan distributed"), _l("%(actor)s distributed the recovery plan %(object)s")),
    "plan.acknowledged": AuditAction(_l("Recovery plan acknowledged"), _l("%(actor)s acknowledged the recovery plan %(object)s")),
    "plan.closed": AuditAction(_l("Recovery plan closed"), _l("%(actor)s closed the recovery plan %(object)s")),
    "daily_analysis.created": AuditAction(_l("Daily analysis (F-05) opened"),
                                          _l("%(actor)s opened the daily analysis of %(object)s")),
}


def _kpis(ids):
    from portal.auth.models import Service
    from portal.monitoring.models import Kpi

    return (select(Kpi.id, Service.code + literal(" ") + Kpi.code, literal(""))
            .join(Service, Service.id == Kpi.service_id).where(Kpi.id.in_(ids)))


def _readings(ids):
    from portal.auth.models import Service
    from portal.monitoring.models import Kpi, Reading

    return (select(Reading.id, Service.code + literal(" ") + Kpi.code + literal(" ") + cast(Reading.day, String),
                   cast(Reading.kpi_id, String))
            .join(Kpi, Kpi.id == Reading.kpi_id).join(Service, Service.id == Kpi.service_id).where(Reading.id.in_(ids)))


def _imports(ids):
    from portal.monitoring.models import ReadingImport

    return select(ReadingImport.id, ReadingImport.filename, literal("")).where(ReadingImport.id.in_(ids))


def _plans(ids):
    from portal.monitoring.models import RecoveryPlan

    return select(RecoveryPlan.id, literal("RP-") + cast(RecoveryPlan.id, String), literal("")).where(RecoveryPlan.id.in_(ids))


def _days(ids):
    from portal.auth.models import Service
    from portal.monitoring.models import DailyAnalysis

    return (select(DailyAnalysis.id, Service.code + literal(" ") + cast(DailyAnalysis.day, String), literal(""))
            .join(Service, Service.id == DailyAnalysis.service_id).where(DailyAnalysis.id.in_(ids)))


def _find_plans(text):
    value = text.strip().upper().removeprefix("RP-").lstrip("0")
    return [value] if value.isdigit() else None


OBJECTS = {
    "kpi": AuditObject(_l("KPI"), codes=_kpis, permission="monitoring.read",
                       url=lambda id, code, key: url_for("monitoring.kpi", kpi_id=id)),
    "reading": AuditObject(_l("KPI reading"), codes=_readings, permission="monitoring.read",
                           url=lambda id, code, key: url_for("monitoring.kpi", kpi_id=int(key)) if key else None),
    "readingimport": AuditObject(_l("KPI readings file"), codes=_imports, permission="monitoring.enter"),
    "recoveryplan": AuditObject(_l("Recovery plan"), codes=_plans, permission="monitoring.read", find=_find_plans,
                                url=lambda id, code, key: url_for("monitoring.plan", plan_id=id)),
    "dailyanalysis": AuditObject(_l("Daily analysis (F-05)"), codes=_days, permission="monitoring.read"),
}

"""The supervisor's daily analysis (IN.OCC.TELK.F-05, "Laporan Analisa Harian Supervisor") as a record of the records
module: opened pre-filled with the service's KPI figures of the day and its exceptions (KPIs under target, the
recovery plans of the day), then written, signed by the supervisor and approved by the manager on the record's own
page. Each service's day with readings needs one, due HK+3 on the working-day calendar (P-10 7.5); one not submitted
by then is overdue on the supervisor's and the manager's home pages."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import and_, select

from portal.core import audit
from portal.core.i18n import local_today
from portal.core.service import ServiceError
from portal.extensions import db
from portal.monitoring import services
from portal.monitoring.models import DailyAnalysis, RecoveryPlan

FORM = "IN.OCC.TELK.F-05"
DONE = ("submitted", "approved")


def _fmt(value, unit: str) -> str:
    if value is None:
        return "—"
    text = str(value).replace(".", ",")
    return f"{text} {unit}"


def data_for(service_id: int, day: date) -> dict:
    """The F-05 fields of a service's day: its KPI figures and exceptions."""
    kpi_list = services.kpis([service_id])
    s = services.series(kpi_list, day, day)
    rows, missed = [], []
    for kpi in kpi_list:
        f = s.day(kpi, day)
        if f.value is None:
            continue
        sign = "≥" if kpi.higher_is_better else "≤"
        rows.append({"kpi": f"{kpi.code} {kpi.name}", "nilai": _fmt(f.value, kpi.unit),
                     "target": f"{sign} {_fmt(kpi.target, kpi.unit)}", "status": "Tercapai" if f.met else "Tidak tercapai"})
        if not f.met:
            missed.append(services.miss_text(kpi, f.value, kpi.target, day.isoformat()))
    plans = db.session.scalars(select(RecoveryPlan).where(RecoveryPlan.kpi_id.in_([k.id for k in kpi_list] or [0]))
                               .order_by(RecoveryPlan.id)).all()
    for plan in plans:
        if services_day(plan) == day:
            missed.append(f"Recovery plan {plan.number} ({plan.kpi.code}): {plan.status}.")
    return {"tanggal": day.isoformat(), "pencapaian": rows, "pengecualian": "\n".join(missed)}


def services_day(plan: RecoveryPlan) -> date:
    return plan.reading.day if plan.reading is not None else plan.proposed_at.date()


def make_record(analysis: DailyAnalysis, user):
    """A draft F-05 of the service's day filled from the readings; refused while one exists."""
    from portal.records import services as records
    from portal.records.models import Record

    if analysis.record_id:
        found = db.session.get(Record, analysis.record_id)
        if found is not None:
            raise ServiceError(_("This day's F-05 exists already (%(number)s).", number=found.number), "form")
    if analysis.day > local_today():
        raise ServiceError(_("The day has not come yet."), "form")
    data = data_for(analysis.service_id, analysis.day)
    if not data["pencapaian"]:
        raise ServiceError(_("The service has no KPI reading that day: there is nothing to analyse."), "form")
    record = records.create(FORM, user, user.site_id, analysis.service_id, analysis.day, analysis.day)
    records.save_draft(record, user, data)
    analysis.record_id = record.id
    db.session.flush()
    audit.record("daily_analysis.created", analysis, new={"record": record.number, "service": analysis.service.code,
                                                          "day": analysis.day.isoformat()}, actor=user)
    return record


def overdue_clause(today: date):
    """A WHERE clause on DailyAnalysis: due before today and no F-05 submitted or approved."""
    from portal.records.models import Record

    done = select(Record.id).where(Record.id == DailyAnalysis.record_id, Record.status.in_(DONE)).exists()
    return and_(DailyAnalysis.due_on < today, ~done)


def listing(service_ids, first: date, last: date):
    """The days of these services between two days, with their F-05 record (one statement)."""
    from portal.records.models import Record

    stmt = (select(DailyAnalysis, Record).outerjoin(Record, Record.id == DailyAnalysis.record_id)
            .where(DailyAnalysis.day >= first, DailyAnalysis.day <= last)
            .order_by(DailyAnalysis.day.desc(), DailyAnalysis.service_id))
    if service_ids is not None:
        stmt = stmt.where(DailyAnalysis.service_id.in_(list(service_ids) or [0]))
    return db.session.execute(stmt).all()



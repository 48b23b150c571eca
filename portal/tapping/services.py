"""Tapping services (MNOP-01 §1.3.7–1.3.17; P-02 §5.2 "Tapping validasi agree"): manual entry of a call result,
assignment to QCOs (by hand or round-robin per service), the QCO's verdict VALID / RETURN with the parameters ticked,
the agent's recall after a RETURN, and the audited view of a customer number in clear. Services change rows, flush
and write their audit events; they never commit."""
from __future__ import annotations

import json
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from portal.auth.models import Service, User, UserRole
from portal.core import audit
from portal.core.db import utcnow
from portal.core.service import ServiceError
from portal.extensions import db
from portal.people.models import KpiTarget
from portal.tapping.models import (AGREE, KPI_CODE, NEW, RECALLED, RESULTS, RETURN, RETURNED, VALID, VALIDATED, VERDICTS,
                                   Call, Parameter, ParameterSet, Recall, ReturnReason, Validation)
from portal.tapping.models import VALIDATION as VALIDATION_KIND
from portal.tapping.permissions import can_recall, can_validate, sees_number

# ---------------------------------------------------------------- data the module needs (flask tapping seed, demo)
STANDARD = ("OB.IN.QCC.TELK.P-03", "00", "Tapping validasi agree", date(2026, 1, 5))
PARAMETERS = [
    ("P-03 §5.1", "Salam pembuka, nama agent dan identitas perusahaan disampaikan"),
    ("P-03 §5.2", "Verifikasi pemilik layanan: nama pelanggan dan nomor layanan dikonfirmasi"),
    ("P-03 §5.3", "Produk dijelaskan lengkap: nama produk, harga/biaya dan masa berlaku"),
    ("P-03 §5.4", "Pelanggan menyatakan SETUJU dengan jelas, tanpa paksaan"),
    ("P-03 §5.5", "Konfirmasi ulang persetujuan serta mekanisme aktivasi dan penagihan"),
    ("P-03 §5.6", "Tidak ada informasi yang menyesatkan atau janji di luar ketentuan"),
    ("P-03 §5.7", "Penutupan: ringkasan dan ucapan terima kasih"),
]
REASONS = [
    ("R01", "Persetujuan pelanggan tidak jelas"),
    ("R02", "Harga/biaya tidak disampaikan"),
    ("R03", "Verifikasi pemilik layanan tidak dilakukan"),
    ("R04", "Informasi menyesatkan"),
    ("R05", "Rekaman tidak lengkap atau tidak ditemukan"),
    ("R06", "Yang menyetujui bukan pemilik layanan"),
]


def seed() -> list[str]:
    """Return reasons, the parameters of P-03 Rev.00 for every outbound service, the scorecards of the inbound standards
    and the QVS target, when missing."""
    from portal.tapping import scoring

    out = scoring.seed()
    have = set(db.session.scalars(select(ReturnReason.code)))
    for code, name in REASONS:
        if code not in have:
            db.session.add(ReturnReason(code=code, name=name))
            out.append(f"return reason {code}")
    code, rev, title, since = STANDARD
    sets = {s.service_id for s in db.session.scalars(select(ParameterSet).where(ParameterSet.kind == VALIDATION_KIND,
                                                                                ParameterSet.document_code == code,
                                                                                ParameterSet.revision == rev))}
    for service in db.session.scalars(select(Service).where(Service.direction == "outbound")):
        if service.id not in sets:
            db.session.add(ParameterSet(service_id=service.id, document_code=code, revision=rev, title=title,
                                        effective_from=since,
                                        parameters=[Parameter(sort_order=i, clause=c, text=t) for i, (c, t) in enumerate(PARAMETERS)]))
            out.append(f"parameters {code} Rev.{rev} for {service.code}")
    if db.session.scalar(select(KpiTarget.id).where(KpiTarget.code == KPI_CODE).limit(1)) is None:
        db.session.add(KpiTarget(code=KPI_CODE, valid_from=date(2026, 1, 5), target=95,
                                 source="OB.IN.CC.TELK.MNOP-01.Rev.00 Bab III (Quality Validation Score)"))
        out.append("KPI target Quality Validation Score 95 %")
    db.session.flush()
    return out


def reasons() -> list[ReturnReason]:
    return list(db.session.scalars(select(ReturnReason).where(ReturnReason.active.is_(True)).order_by(ReturnReason.code)))


def parameter_set_for(service_id: int, day: date) -> ParameterSet | None:
    """The set in force for a service on a day: the latest effective one."""
    from sqlalchemy.orm import selectinload

    return db.session.scalar(select(ParameterSet).options(selectinload(ParameterSet.parameters))
                             .where(ParameterSet.service_id == service_id, ParameterSet.kind == VALIDATION_KIND,
                                    ParameterSet.effective_from <= day)
                             .order_by(ParameterSet.effective_from.desc(), ParameterSet.id.desc()).limit(1))


def add_parameter_set(service: Service, document_code: str, revision: str, title: str, effective_from: date,
                      lines: list[tuple[str, str]], actor) -> ParameterSet:
    """A new revision of the standard: a new set of parameters (the old validations keep theirs)."""
    if not document_code.strip() or not revision.strip():
        raise ServiceError(_("Enter the document code and its revision."), "document_code")
    if not lines:
        raise ServiceError(_("Enter at least one parameter."), "parameters")
    if db.session.scalar(select(ParameterSet.id).where(ParameterSet.service_id == service.id,
                                                       ParameterSet.document_code == document_code.strip(),
                                                       ParameterSet.revision == revision.strip())):
        raise ServiceError(_("This revision already has its parameters for this service."), "revision")
    row = ParameterSet(service_id=service.id, document_code=document_code.strip(), revision=revision.strip(), title=title,
                       effective_from=effective_from,
                       parameters=[Parameter(sort_order=i, clause=c, text=t) for i, (c, t) in enumerate(lines)])
    db.session.add(row)
    db.session.flush()
    audit.record("parameter_set.created", row, new={"service": service.code, "source": row.source,
                                                    "effective_from": effective_from, "parameters": len(lines)}, actor=actor)
    return row


# ---------------------------------------------------------------- time
def portal_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["PORTAL_TIMEZONE"])


def to_utc(day: date, at: time, zone: ZoneInfo | None = None) -> datetime:
    """A local date and time (the portal's time zone) as naive UTC, the way the database keeps times."""
    local = datetime.combine(day, at).replace(tzinfo=zone or portal_zone())
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def local_day(value: datetime) -> date:
    return value.replace(tzinfo=timezone.utc).astimezone(portal_zone()).date()


# ---------------------------------------------------------------- manual entry
def enter_call(values: dict, actor) -> Call:
    """One call result typed in by hand: the same checks as a row of the import."""
    from portal.tapping import imports

    lookup = imports.Lookup()
    checked = imports.check_row(lookup, values, history=False)
    if db.session.scalar(select(Call.id).where(Call.recording_id == checked["recording_id"])):
        raise ServiceError(_("ID Rekaman %(v)s was already imported.", v=checked["recording_id"]), "recording_id")
    row = Call(**{k: v for k, v in checked.items() if not k.startswith("_")})
    db.session.add(row)
    db.session.flush()
    audit.record("call.entered", row, new={"recording_id": row.recording_id, "agent": row.agent.employee_number,
                                           "result": row.result, "called_at": row.called_at}, actor=actor)
    return row


# ---------------------------------------------------------------- assignment
def qcos_for(service_id: int | None = None, site_id: int | None = None) -> list[User]:
    """Active QCOs (optionally of a service and a site), by name."""
    from portal.auth.models import user_service

    stmt = (select(User).join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == "qco", User.active.is_(True)).order_by(User.full_name, User.id))
    if service_id is not None:
        stmt = stmt.where(User.id.in_(select(user_service.c.user_id).where(user_service.c.service_id == service_id)))
    if site_id is not None:
        stmt = stmt.where(User.site_id == site_id)
    return list(db.session.scalars(stmt))


def assign(calls: list[Call], qco: User | None, actor) -> int:
    """Give calls waiting on the worklist to a QCO (None: unassign)."""
    if qco is not None and "qco" not in qco.roles:
        raise ServiceError(_("Choose a QCO."), "qco")
    waiting = [c for c in calls if c.result == AGREE and c.stage in (NEW, RECALLED) and not c.history]
    if not waiting:
        raise ServiceError(_("Choose calls waiting for validation."), "calls")
    for call in waiting:
        call.qco_id = qco.id if qco else None
    db.session.flush()
    audit.record("call.assigned", qco, new={"qco": qco.username if qco else "", "calls": len(waiting),
                                            "recordings": [c.recording_id for c in waiting[:50]]}, actor=actor)
    return len(waiting)


def round_robin(service: Service, actor, site_id: int | None = None) -> dict[str, int]:
    """The unassigned calls waiting for a service, oldest first, dealt in turn to the service's QCOs."""
    qcos = qcos_for(service.id, site_id)
    if not qcos:
        raise ServiceError(_("No QCO works on this service."), "service")
    stmt = (select(Call.id).where(Call.service_id == service.id, Call.result == AGREE, Call.stage.in_((NEW, RECALLED)),
                                  Call.history.is_(False), Call.qco_id.is_(None)).order_by(Call.called_at, Call.id))
    if site_id is not None:
        stmt = stmt.where(Call.site_id == site_id)
    ids = list(db.session.scalars(stmt))
    if not ids:
        raise ServiceError(_("No unassigned call waits for this service."), "service")
    dealt = {}
    for i, qco in enumerate(qcos):
        mine = ids[i::len(qcos)]
        for start in range(0, len(mine), 1000):
            db.session.execute(update(Call).where(Call.id.in_(mine[start:start + 1000])).values(qco_id=qco.id)
                               .execution_options(synchronize_session=False))
        dealt[qco.username] = len(mine)
    db.session.expire_all()
    audit.record("call.assigned", service, new={"service": service.code, "round_robin": dealt, "calls": len(ids)}, actor=actor)
    return dealt


# ---------------------------------------------------------------- validation and the return loop
def validate(call: Call, data: dict, actor) -> Validation:
    """The QCO's verdict: VALID, or RETURN with a reason code and a recommendation (the agent calls again).

    A RETURN proposes a quality finding for the agent in the coaching module (when it is on)."""
    if not can_validate(actor, call):
        raise ServiceError(_("This call is not waiting for your validation."), "verdict")
    verdict = (data.get("verdict") or "").strip().upper()
    if verdict not in VERDICTS:
        raise ServiceError(_("Choose VALID or RETURN."), "verdict")
    pset = db.session.get(ParameterSet, data["parameter_set_id"]) if data.get("parameter_set_id") else None
    ticked = sorted({int(i) for i in data.get("checked") or []})
    if pset is not None:
        known = {p.id for p in pset.parameters}
        if not set(ticked) <= known:
            raise ServiceError(_("Tick parameters of the set shown."), "checked")
        if verdict == VALID and set(ticked) != known:
            raise ServiceError(_("A VALID call meets every parameter: tick them all, or RETURN it."), "checked")
    reason = (data.get("reason_code") or "").strip()
    recommendation = (data.get("recommendation") or "").strip()
    if verdict == RETURN:
        if not reason or reason not in {r.code for r in reasons()}:
            raise ServiceError(_("Choose the reason of the RETURN."), "reason_code")
        if not recommendation:
            raise ServiceError(_("Write the recommendation for the agent."), "recommendation")
    else:
        reason = ""
    row = Validation(call_id=call.id, verdict=verdict, reason_code=reason, recommendation=recommendation,
                     parameter_set_id=pset.id if pset else None, checked_json=json.dumps(ticked), qco_id=actor.id,
                     qco_name=actor.full_name, validated_at=utcnow())
    db.session.add(row)
    old = {"stage": call.stage}
    call.stage = VALIDATED if verdict == VALID else RETURNED
    call.verdicts = (call.verdicts or 0) + 1
    if call.first_verdict is None:
        call.first_verdict = verdict
    if call.qco_id is None:
        call.qco_id = actor.id
    db.session.flush()
    audit.record("call.validated" if verdict == VALID else "call.returned", call, old=old,
                 new={"stage": call.stage, "verdict": verdict, "reason": reason, "round": call.verdicts},
                 reason=recommendation, actor=actor)
    if verdict == RETURN:
        _propose_finding(call, row, actor)
    return row


def _propose_finding(call: Call, validation: Validation, actor) -> None:
    """A RETURN is a quality finding against the agent (coaching module), linked to the call."""
    from portal.core.modules import is_enabled

    if not has_request_context() and not current_app:
        return
    if not is_enabled("coaching"):
        return
    from portal.coaching import services as coaching

    name = db.session.scalar(select(ReturnReason.name).where(ReturnReason.code == validation.reason_code)) or ""
    link = url_for("tapping.call", call_id=call.id) if has_request_context() else f"tapping:{call.recording_id}"
    coaching.raise_finding(call.agent, {
        "kind": "quality", "found_on": local_day(validation.validated_at),
        "rule": f"{STANDARD[0]} · {validation.reason_code} {name}"[:200],
        "description": _("Call %(id)s returned by the QCO: %(text)s", id=call.recording_id, text=validation.recommendation),
        "evidence_link": link}, actor)


def record_recall(call: Call, result: str, outcome: str, actor) -> Recall:
    """The agent called the customer again: the outcome is recorded and the call goes back to the worklist."""
    if not can_recall(actor, call):
        raise ServiceError(_("Only the agent records the recall of their returned call."), "outcome")
    result = (result or "").strip().upper()
    if result not in RESULTS:
        raise ServiceError(_("Choose the customer's answer."), "result")
    if not (outcome or "").strip():
        raise ServiceError(_("Describe the outcome of the call."), "outcome")
    last = db.session.scalar(select(Validation).where(Validation.call_id == call.id).order_by(Validation.id.desc()).limit(1))
    row = Recall(call_id=call.id, validation_id=last.id, result=result, outcome=outcome.strip(), recorded_by_id=actor.id,
                 recorded_name=actor.full_name)
    db.session.add(row)
    call.stage = RECALLED
    db.session.flush()
    audit.record("call.recalled", call, old={"stage": RETURNED}, new={"stage": RECALLED, "result": result},
                 reason=row.outcome, actor=actor)
    return row


def reveal_number(call: Call, actor) -> str:
    """The customer number in clear for the QCO assigned to the call; the view is an audit event."""
    if not sees_number(actor, call):
        raise ServiceError(_("Only the QCO assigned to the call sees the customer number."), "form")
    audit.record("call.number_viewed", call, new={"recording_id": call.recording_id}, actor=actor)
    return call.customer_number


def returns_waiting(scope) -> int:
    """Returned calls whose recall is not recorded yet (history imports aside), in a scope (a clause on Call)."""
    stmt = select(func.count(Call.id)).where(Call.stage == RETURNED, Call.history.is_(False))
    if scope is not None:
        stmt = stmt.where(scope)
    return db.session.scalar(stmt) or 0

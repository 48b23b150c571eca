"""GET /api/documents, GET /api/documents/<code>, GET /api/openapi.json — session or Bearer token."""
from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for
from sqlalchemy import select

from portal.core.permissions import public, require
from portal.documents import queries, services
from portal.documents.models import EFFECTIVE, Document, Revision
from portal.extensions import db

bp = Blueprint("api", __name__)


def _revision_json(rev: Revision | None) -> dict | None:
    if rev is None:
        return None
    doc = rev.document
    history = [r for r in doc.revisions if r.number <= rev.number and r.status not in ("draft", "submitted", "checked", "approved")]
    return {
        "number": rev.number,
        "effective_date": rev.effective_date.isoformat() if rev.effective_date else None,
        "signatures": [
            {"role": s.role, "name": s.name, "position": s.position,
             "signed_on": (s.signed_on or (s.signed_at.date() if s.signed_at else None)).isoformat()
             if (s.signed_on or s.signed_at) else None,
             "transcribed": s.transcribed}
            for s in sorted(rev.signatures, key=lambda s: ["prepared", "checked", "approved"].index(s.role))
        ],
        "change_log": [
            {"revision": r.number, "effective_date": r.effective_date.isoformat() if r.effective_date else None,
             "description": r.change_description}
            for r in history
        ],
        "records": [{"code": r.code, "name": r.name, "retention": r.retention, "owner": r.owner} for r in rev.records],
    }


def _document_json(doc: Document, full: bool, current: Revision | None = None) -> dict:
    data = {
        "code": doc.code,
        "title": doc.title,
        "type": doc.doc_type,
        "status": doc.status,
        "url": url_for("documents.show", code=doc.code, _external=True),
    }
    if full:
        data["current_revision"] = _revision_json(doc.current)
    else:
        data["current_revision"] = {"number": current.number,
                                    "effective_date": current.effective_date.isoformat() if current.effective_date else None} if current else None
    return data


@bp.route("/documents")
@require("documents.read")
def documents():
    stmt = queries.bare(select(Document)).order_by(Document.code_key)
    doc_type = request.args.get("type")
    if doc_type:
        stmt = stmt.where(Document.doc_type == doc_type.upper())
    docs = db.session.scalars(stmt).all()
    current = queries.issued_revisions((EFFECTIVE,))
    queries.with_current(docs, current)
    return jsonify({"documents": [_document_json(d, full=False, current=current.get(d.id)) for d in docs],
                    "count": len(docs)})


@bp.route("/documents/<path:code>")
@require("documents.read")
def document(code: str):
    doc = services.get_document(code)
    if doc is None:
        return jsonify({"error": "not_found", "message": f"no document with code {code}"}), 404
    return jsonify(_document_json(doc, full=True))


@bp.route("/people/staffing")
@require("people.kpi")
def people_staffing():
    """The staffing KPI of one month per service and site; a supervisor gets their site only."""
    from flask_login import current_user

    from portal.core.modules import is_enabled
    from portal.people import permissions as people_permissions
    from portal.people import staffing

    if not is_enabled("people"):
        return jsonify({"error": "not_found", "message": "the people module is not enabled"}), 404
    from portal.core.i18n import local_today

    given = request.args.get("month")
    month = staffing.parse_month(given) if given else local_today().replace(day=1)
    if month is None:
        return jsonify({"error": "bad_request", "message": "month must be YYYY-MM"}), 400
    everyone = people_permissions.sees_everyone(current_user) or current_user.can("scope.all_sites")
    rows = staffing.staffing(month, month, None if everyone else current_user.site_id)
    return jsonify({"month": month.strftime("%Y-%m"), "staffing": [r.as_json() for r in rows], "count": len(rows)})


@bp.route("/training/matrix")
@require("training.read")
def training_matrix():
    """The training matrix of the people this user sees (optionally one team): per person the required items."""
    from flask_login import current_user

    from portal.core.i18n import local_today
    from portal.core.modules import is_enabled

    if not is_enabled("training"):
        return jsonify({"error": "not_found", "message": "the training module is not enabled"}), 404
    from portal.training import matrix
    from portal.training.queries import matrix_people

    if request.args.get("team") and not request.args.get("team", "").isdigit():
        return jsonify({"error": "bad_request", "message": "team must be a team id"}), 400
    people, _after = matrix_people(current_user, request.args, limit=None)
    columns, rows = matrix.compute(people, local_today())
    names = {c.key: c.label for c in columns}
    out = [{"employee_number": r.staff.employee_number, "name": r.staff.full_name, "gate": r.flagged,
            "items": [{"course": key, "title": names.get(key, key), "status": cell.status,
                       "valid_until": cell.valid_until.isoformat() if cell.valid_until else None}
                      for key, cell in r.cells.items()]} for r in rows]
    return jsonify({"people": out, "count": len(out)})


@bp.route("/roster/compliance")
@require("roster.team")
def roster_compliance():
    """Roster against realisation (F-02) of one day: per person the shift and what happened; the team's compliance
    (present on time / scheduled, a percentage with two decimals; null when nobody was scheduled)."""
    from datetime import date

    from flask_login import current_user

    from portal.core.i18n import local_today
    from portal.core.modules import is_enabled

    if not is_enabled("roster"):
        return jsonify({"error": "not_found", "message": "the roster module is not enabled"}), 404
    from portal.people.models import Staff, Team
    from portal.roster import permissions, realisation

    try:
        day = date.fromisoformat(request.args["date"]) if request.args.get("date") else local_today()
    except ValueError:
        return jsonify({"error": "bad_request", "message": "date must be YYYY-MM-DD"}), 400
    team_arg = request.args.get("team", "")
    if team_arg and not team_arg.isdigit():
        return jsonify({"error": "bad_request", "message": "team must be a team id"}), 400
    if team_arg:
        team = db.session.get(Team, int(team_arg))
        if team is None:
            return jsonify({"error": "not_found", "message": "no such team"}), 404
        if not permissions.can_view_team(current_user, team):
            return jsonify({"error": "forbidden", "message": "not one of your teams"}), 403
        team_ids = [team.id]
    else:
        stmt = select(Team.id).where(Team.active.is_(True))
        scope = permissions.team_scope(current_user)
        if scope is not None:
            stmt = stmt.where(scope)
        team_ids = list(db.session.scalars(stmt))
    ids = realisation.team_staff_ids(team_ids, day, day)
    found = {d.staff.id: d for d in realisation.days_of(ids, day, day)}
    members = list(db.session.scalars(select(Staff).where(Staff.id.in_(ids)).order_by(Staff.full_name))) if ids else []
    total, _people, _days = realisation.tally(list(found.values()))
    out = []
    for person in members:
        d = found.get(person.id)
        out.append({"employee_number": person.employee_number, "name": person.full_name,
                    "shift": d.shift.code if d and d.shift else None, "scheduled": bool(d and d.scheduled),
                    "present": bool(d and d.present),
                    "late_minutes": d.late_minutes if d and d.present and d.scheduled else None,
                    "on_time": bool(d and d.on_time), "absence_reason": d.absence_reason if d else None})
    return jsonify({"date": day.isoformat(), "team": int(team_arg) if team_arg else None, "people": out,
                    "compliance": float(total.compliance) if total.compliance is not None else None})


@bp.route("/tapping/qvs")
@require("tapping.read")
def tapping_qvs():
    """The Quality Validation Score of a month per agent of this user's scope, with the totals and the target."""
    from datetime import datetime

    from flask_login import current_user

    from portal.core.i18n import local_today
    from portal.core.modules import is_enabled

    if not is_enabled("tapping"):
        return jsonify({"error": "not_found", "message": "the tapping module is not enabled"}), 404
    from portal.tapping import permissions as tapping_permissions
    from portal.tapping import qvs

    given = request.args.get("month")
    try:
        month = datetime.strptime(given, "%Y-%m").date() if given else local_today().replace(day=1)
    except ValueError:
        return jsonify({"error": "bad_request", "message": "month must be YYYY-MM"}), 400
    m = qvs.month_figures(month, tapping_permissions.call_scope(current_user))
    return jsonify({"month": month.strftime("%Y-%m"), "target": float(m.target), "totals": m.totals.as_json(),
                    "agents": [{"agent": f.code, "name": f.label, "team": f.team or None, **f.as_json()} for f in m.agents]})


@bp.route("/monitoring/kpis")
@require("monitoring.read")
def monitoring_kpis():
    """The KPI figures of one service between two days: per KPI and period (a day; a month for a monthly KPI) the
    value, the target and whether it was met. Day and month figures are aggregated as on the monitoring page."""
    from datetime import date

    from flask_login import current_user

    from portal.core.modules import is_enabled

    if not is_enabled("monitoring"):
        return jsonify({"error": "not_found", "message": "the monitoring module is not enabled"}), 404
    from portal.auth.models import Service
    from portal.monitoring import permissions as monitoring_permissions
    from portal.monitoring import services as monitoring

    from portal.core.i18n import local_today

    code = request.args.get("service", "").strip()
    try:
        today = local_today()
        first = date.fromisoformat(request.args["from"]) if request.args.get("from") else today.replace(day=1)
        last = date.fromisoformat(request.args["to"]) if request.args.get("to") else today
    except ValueError:
        return jsonify({"error": "bad_request", "message": "from and to must be YYYY-MM-DD"}), 400
    if last < first or (last - first).days > 366:
        return jsonify({"error": "bad_request", "message": "to must follow from, at most 366 days later"}), 400
    if code:
        service = db.session.scalar(select(Service).where(Service.code == code))
        if service is None:
            return jsonify({"error": "not_found", "message": "no such service"}), 404
        if not monitoring_permissions.can_see_service(current_user, service.id):
            return jsonify({"error": "forbidden", "message": "not one of your services"}), 403
        kpis = monitoring.kpis([service.id])
    else:
        kpis = monitoring.kpis(monitoring_permissions.service_ids(current_user))
    months = monitoring.series([k for k in kpis if k.period == "month"], first.replace(day=1), monitoring.month_end(last.replace(day=1)))
    days = monitoring.series([k for k in kpis if k.period != "month"], first, last)
    out = []
    for kpi in kpis:
        figures = (sorted(months.months.get(kpi.id, {}).values(), key=lambda f: f.start) if kpi.period == "month"
                   else sorted(days.days.get(kpi.id, {}).values(), key=lambda f: f.start))
        for f in figures:
            out.append({"service": kpi.service.code, "kpi": kpi.code, "name": kpi.name, "period": f.period_text,
                        "value": float(f.value), "target": float(kpi.target), "met": bool(f.met), "unit": kpi.unit,
                        "higher_is_better": kpi.higher_is_better})
    return jsonify({"service": code or None, "from": first.isoformat(), "to": last.isoformat(), "figures": out,
                    "count": len(out)})


@bp.route("/openapi.json")
@public
def openapi():
    return jsonify(OPENAPI)


_signature = {"type": "object", "properties": {
    "role": {"type": "string", "enum": ["prepared", "checked", "approved"]},
    "name": {"type": "string"}, "position": {"type": "string"},
    "signed_on": {"type": "string", "format": "date", "nullable": True},
    "transcribed": {"type": "boolean", "description": "true when transcribed from the paper original by an import"}}}
_revision = {"type": "object", "nullable": True, "properties": {
    "number": {"type": "string", "example": "02"},
    "effective_date": {"type": "string", "format": "date", "nullable": True},
    "signatures": {"type": "array", "items": _signature},
    "change_log": {"type": "array", "items": {"type": "object", "properties": {
        "revision": {"type": "string"}, "effective_date": {"type": "string", "format": "date", "nullable": True},
        "description": {"type": "string"}}}},
    "records": {"type": "array", "items": {"type": "object", "properties": {
        "code": {"type": "string"}, "name": {"type": "string"}, "retention": {"type": "string", "example": "2 Tahun"},
        "owner": {"type": "string"}}}}}}
_document = {"type": "object", "properties": {
    "code": {"type": "string", "example": "IN.OCC.TELK.P-10"}, "title": {"type": "string"},
    "type": {"type": "string", "enum": ["PM", "MNOP", "P", "W", "F", "S", "EXT"]},
    "status": {"type": "string", "enum": ["draft", "effective", "withdrawn"]}, "url": {"type": "string"},
    "current_revision": _revision}}

_staffing = {"type": "object", "properties": {
    "month": {"type": "string", "example": "2026-11"},
    "service": {"type": "string", "description": "service code", "example": "147"},
    "service_name": {"type": "string"},
    "site": {"type": "string", "description": "site code", "example": "MLG"},
    "site_name": {"type": "string"},
    "planned": {"type": "integer", "nullable": True, "description": "agents in the capacity plan (null: no plan)"},
    "available": {"type": "number", "description": "agents available, two decimals (days covered / days of the month)"},
    "fulfilment": {"type": "number", "nullable": True,
                   "description": "available / planned in percent, two decimals; null when nothing is planned"},
    "target": {"type": "number", "example": 95.0, "description": "the KPI's target in percent (data)"}}}

_training_person = {"type": "object", "properties": {
    "employee_number": {"type": "string"}, "name": {"type": "string"},
    "gate": {"type": "boolean", "description": "flagged by the competence gate (initial training or SOP acknowledgement missing)"},
    "items": {"type": "array", "items": {"type": "object", "properties": {
        "course": {"type": "string", "description": "course code, or ACK:<document code> for an SOP acknowledgement",
                   "example": "REF-147"},
        "title": {"type": "string"},
        "status": {"type": "string", "enum": ["current", "due_soon", "overdue", "missing"]},
        "valid_until": {"type": "string", "format": "date", "nullable": True}}}}}}

_qvs_figures = {"agree": {"type": "integer", "description": "AGREE calls of the month"},
                "valid": {"type": "integer", "description": "AGREE calls whose latest verdict is VALID"},
                "returned": {"type": "integer", "description": "AGREE calls whose latest verdict is RETURN (recalled or not)"},
                "pending": {"type": "integer", "description": "AGREE calls without a verdict yet"},
                "score": {"type": "number", "nullable": True, "example": 96.43,
                          "description": "valid / agree in percent, two decimals; null when agree is 0"},
                "first_pass": {"type": "number", "nullable": True,
                               "description": "calls valid at their first verdict / calls with a verdict, in percent"}}
_qvs_agent = {"type": "object", "properties": {
    "agent": {"type": "string", "description": "the agent's user name, or employee number without an account"},
    "name": {"type": "string"}, "team": {"type": "string", "nullable": True}, **_qvs_figures}}

OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "Portal Mutu API", "version": "1.0",
             "description": "Read-only access to the register of controlled documents. Authenticate with the portal "
                            "session cookie or a personal API token (Authorization: Bearer pm_...), created under "
                            "My account > API tokens."},
    "servers": [{"url": "/api"}],
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                       "session": {"type": "apiKey", "in": "cookie", "name": "portal_session"}},
                   "schemas": {"Document": _document, "Staffing": _staffing, "TrainingPerson": _training_person,
                                                  "QvsAgent": _qvs_agent}},
    "security": [{"bearer": []}, {"session": []}],
    "paths": {
        "/documents": {"get": {
            "summary": "All registered documents with their current revision number",
            "parameters": [{"name": "type", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "The register", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"count": {"type": "integer"},
                                                 "documents": {"type": "array", "items": {"$ref": "#/components/schemas/Document"}}}}}}},
                "401": {"description": "Not signed in / no valid token"}}}},
        "/documents/{code}": {"get": {
            "summary": "One document with its current revision, signatures, change log and records",
            "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"},
                            "description": "Document code, case-insensitive, without the .Rev.NN suffix"}],
            "responses": {"200": {"description": "The document", "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/Document"}}}},
                "404": {"description": "No such document"}, "401": {"description": "Not signed in / no valid token"}}}},
        "/people/staffing": {"get": {
            "summary": "Pemenuhan Jumlah SDM (MNOP-01 Bab III): agents available / planned per service and site for a month",
            "description": "Available counts each agent for the days of the month they are employed, not on leave and "
                           "covered by a contract, for the service of their team on that day; a supervisor sees their "
                           "own site only.",
            "parameters": [{"name": "month", "in": "query", "required": False,
                            "description": "the month, YYYY-MM (default: the current month)",
                            "schema": {"type": "string", "pattern": "^\\d{4}-\\d{2}$", "example": "2026-11"}}],
            "responses": {"200": {"description": "One row per service and site", "content": {"application/json": {"schema": {
                "type": "object", "properties": {
                    "month": {"type": "string", "example": "2026-11"}, "count": {"type": "integer"},
                    "staffing": {"type": "array", "items": {"$ref": "#/components/schemas/Staffing"}}}}}}},
                "400": {"description": "month is not YYYY-MM"}, "401": {"description": "Not signed in / no valid token"},
                "403": {"description": "No access to the staffing KPI"}}}},
        "/training/matrix": {"get": {
            "summary": "The training matrix: per person the required items (courses of their position and services, "
                       "SOP refreshers and acknowledgements of the SOPs in force) with their status",
            "description": "A team leader sees their team, a supervisor their site; trainers, HR and managers everyone.",
            "parameters": [{"name": "team", "in": "query", "required": False, "description": "a team id",
                            "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "One entry per person", "content": {"application/json": {"schema": {
                "type": "object", "properties": {
                    "count": {"type": "integer"},
                    "people": {"type": "array", "items": {"$ref": "#/components/schemas/TrainingPerson"}}}}}}},
                "400": {"description": "team is not a team id"}, "401": {"description": "Not signed in / no valid token"},
                "403": {"description": "No access to the training matrix"}}}},
        "/tapping/qvs": {"get": {
            "summary": "Quality Validation Score (MNOP-01 Bab III): valid AGREE / total AGREE of a month, per agent",
            "description": "A call counts in the month it was made, by its latest verdict. A team leader sees their "
                           "teams, a supervisor or QCO their site, QA, managers and auditors everyone. No customer "
                           "number is ever part of the answer.",
            "parameters": [{"name": "month", "in": "query", "required": False,
                            "description": "the month, YYYY-MM (default: the current month)",
                            "schema": {"type": "string", "pattern": "^\\d{4}-\\d{2}$", "example": "2026-11"}}],
            "responses": {"200": {"description": "The month's figures", "content": {"application/json": {"schema": {
                "type": "object", "properties": {
                    "month": {"type": "string", "example": "2026-11"},
                    "target": {"type": "number", "example": 95.0, "description": "the target in percent (data)"},
                    "totals": {"type": "object", "properties": _qvs_figures},
                    "agents": {"type": "array", "items": {"$ref": "#/components/schemas/QvsAgent"}}}}}}},
                "400": {"description": "month is not YYYY-MM"}, "401": {"description": "Not signed in / no valid token"},
                "403": {"description": "No access to the call results"}}}},
        "/monitoring/kpis": {"get": {
            "summary": "KPI figures of one service against target: per KPI and period the value, the target and met",
            "description": "A day's figure is its daily reading, else the aggregate of its interval readings (weighted by "
                           "volume when every reading carries one, else the mean); a monthly KPI (QVS, staffing) gives one "
                           "figure per month (period YYYY-MM). met follows the KPI's direction (higher or lower is better). "
                           "A user sees the services they cover; managers, QA, the QMR and auditors every service.",
            "parameters": [{"name": "service", "in": "query", "required": False,
                            "description": "a service code, e.g. 147 (default: every service the user sees)",
                            "schema": {"type": "string"}},
                           {"name": "from", "in": "query", "required": False, "description": "default: the 1st of this month",
                            "schema": {"type": "string", "format": "date"}},
                           {"name": "to", "in": "query", "required": False,
                            "description": "at most 366 days after from (default: today)", "schema": {"type": "string", "format": "date"}}],
            "responses": {"200": {"description": "One entry per KPI and period with a reading", "content": {"application/json": {"schema": {
                "type": "object", "properties": {
                    "service": {"type": ["string", "null"]}, "from": {"type": "string", "format": "date"},
                    "to": {"type": "string", "format": "date"}, "count": {"type": "integer"},
                    "figures": {"type": "array", "items": {"type": "object", "properties": {
                        "service": {"type": "string", "example": "147"},
                        "kpi": {"type": "string", "example": "SL"}, "name": {"type": "string"},
                        "period": {"type": "string", "example": "2026-11-03", "description": "YYYY-MM-DD, or YYYY-MM for a monthly KPI"},
                        "value": {"type": "number"}, "target": {"type": "number"}, "met": {"type": "boolean"},
                        "unit": {"type": "string"}, "higher_is_better": {"type": "boolean"}}}}}}}}},
                "400": {"description": "from or to malformed"},
                "401": {"description": "Not signed in / no valid token"},
                "403": {"description": "Not one of your services"}, "404": {"description": "No such service"}}}},
        "/roster/compliance": {"get": {
            "summary": "Roster against realisation (F-02) of one day: per person the shift and what happened, and the "
                       "compliance (present on time / scheduled)",
            "description": "A team leader sees their teams, a supervisor their site; HR, managers and auditors every team. "
                           "late_minutes counts the minutes after the shift's start (null when not present); the person is "
                           "late when it exceeds the service's tolerance (on_time false). A shift that has not started yet "
                           "is not counted. compliance is a percentage with two decimals, null when nobody was scheduled.",
            "parameters": [{"name": "date", "in": "query", "required": False, "description": "YYYY-MM-DD (default today)",
                            "schema": {"type": "string", "format": "date"}},
                           {"name": "team", "in": "query", "required": False,
                            "description": "a team id (default: every team the user sees)", "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "One entry per member of the team(s)", "content": {"application/json": {"schema": {
                "type": "object", "properties": {
                    "date": {"type": "string", "format": "date"}, "team": {"type": ["integer", "null"]},
                    "compliance": {"type": ["number", "null"]},
                    "people": {"type": "array", "items": {"type": "object", "properties": {
                        "employee_number": {"type": "string"}, "name": {"type": "string"},
                        "shift": {"type": ["string", "null"]}, "scheduled": {"type": "boolean"},
                        "present": {"type": "boolean"}, "late_minutes": {"type": ["integer", "null"]},
                        "on_time": {"type": "boolean"},
                        "absence_reason": {"type": ["string", "null"],
                                           "enum": ["sick", "permission", "leave", "unexcused", "duty", None]}}}}}}}}},
                "400": {"description": "date or team malformed"}, "401": {"description": "Not signed in / no valid token"},
                "403": {"description": "Not one of your teams"}, "404": {"description": "No such team"}}}},
    },
}

"""Call results (and past months' validations) from Excel or CSV. The headers of the template are matched without
regard to case or spaces; every row is checked first and the report is kept with the file (`CallImport`); the user then
imports all the valid rows, or nothing. A 50,000-row file costs a fixed handful of lookups, a duplicate check per
thousand recording references and one INSERT per thousand rows, never a statement per row."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import insert, select

from portal.auth.models import Service, User
from portal.core import audit
from portal.core.db import utcnow
from portal.core.service import ServiceError
from portal.core.xlsx import build_workbook
from portal.extensions import db
from portal.people.models import Staff, TeamMembership
from portal.tapping.models import (AGREE, NEW, RESULTS, RETURN, RETURNED, VALID, VALIDATED, Call, CallImport, ReturnReason,
                                   Validation)

HEADERS = ["Tanggal", "Waktu", "Agent", "Layanan", "Produk", "Nomor Pelanggan", "Hasil", "ID Rekaman"]
HISTORY_HEADERS = HEADERS + ["Status", "Alasan"]
EXAMPLE = ["2026-11-02", "09.15", "1509010", "TAM-CT0", "Retensi PraNPC", "081234567789", "AGREE", "VR-20261102-000123"]
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
KEPT_ERRORS = 500  # the report keeps the first refused rows; the count says how many there were
CHUNK = 1000


def _key(header) -> str:
    return re.sub(r"[\s_]+", "", str(header or "")).lower()


KEYS = {_key(h): h for h in HISTORY_HEADERS}


def template_bytes(history: bool = False) -> bytes:
    headers = HISTORY_HEADERS if history else HEADERS
    example = EXAMPLE + (["RETURN", "R01"] if history else [])
    return build_workbook("Hasil Call", headers, [example], widths=[12, 8, 14, 12, 22, 18, 12, 24] + ([10, 10] if history else []))


# ---------------------------------------------------------------- reading the file
def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_table(data: bytes, filename: str) -> tuple[list[str], object]:
    """The header row (as written) and an iterator of the following rows (lists of cell values) of an .xlsx or .csv."""
    if not data:
        raise ServiceError(_("The file is empty."), "file")
    if len(data) > MAX_BYTES:
        raise ServiceError(_("The file is larger than 20 MB."), "file")
    name = (filename or "").lower()
    if data[:2] == b"PK" or name.endswith(".xlsx"):
        from openpyxl import load_workbook

        from portal.core import files

        try:
            files.check_upload(data, filename if name.endswith(".xlsx") else "file.xlsx", ("xlsx",))
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - whatever the reader says, it is not a workbook we can read
            raise ServiceError(_("This is not an Excel workbook (.xlsx) or a CSV file."), "file")
        rows = wb.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        return [_text(h) for h in (header or [])], rows
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text[:2000]:
        raise ServiceError(_("This is not an Excel workbook (.xlsx) or a CSV file."), "file")
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    return [_text(h) for h in (header or [])], reader


def _columns(header: list[str], history: bool) -> dict[str, int]:
    """Template header -> column index, matched without regard to case or spaces; missing ones refuse the file."""
    found = {}
    for i, h in enumerate(header):
        name = KEYS.get(_key(h))
        if name and name not in found:
            found[name] = i
    wanted = HISTORY_HEADERS if history else HEADERS
    missing = [h for h in wanted if h not in found]
    if missing:
        raise ServiceError(_("Columns missing in the first row: %(cols)s. Use the template.", cols=", ".join(missing)), "file")
    return found


# ---------------------------------------------------------------- checking one row
def _date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ServiceError(_("Tanggal: %(v)s is not a date (use YYYY-MM-DD or DD/MM/YYYY).", v=text or "—"), "called_on")


def _time(value) -> time:
    if isinstance(value, datetime):
        return value.time().replace(microsecond=0)
    if isinstance(value, time):
        return value.replace(microsecond=0)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 1:  # Excel's fraction of a day
        seconds = round(value * 86400)
        return (datetime.min + timedelta(seconds=seconds)).time()
    text = _text(value).replace(".", ":")
    for pattern in ("%H:%M:%S", "%H:%M"):
        try:
            return datetime.strptime(text, pattern).time()
        except ValueError:
            continue
    raise ServiceError(_("Waktu: %(v)s is not a time (use HH.MM or HH.MM.SS).", v=_text(value) or "—"), "called_time")


class Lookup:
    """Agents, their teams, services and reasons, read once for the whole file (four statements)."""

    def __init__(self):
        self.agents: dict[str, tuple[int, int]] = {}
        for staff_id, number, site_id, username in db.session.execute(
                select(Staff.id, Staff.employee_number, Staff.site_id, User.username).outerjoin(User, User.id == Staff.user_id)):
            self.agents[number.lower()] = (staff_id, site_id)
            if username:
                self.agents.setdefault(username.lower(), (staff_id, site_id))
        self.teams = dict(db.session.execute(select(TeamMembership.staff_id, TeamMembership.team_id)
                                             .where(TeamMembership.ends_on.is_(None))).all())
        self.services: dict[str, int] = {}
        for sid, code, name in db.session.execute(select(Service.id, Service.code, Service.name)):
            self.services[code.lower()] = sid
            self.services[name.lower()] = sid
        self.reasons = set(db.session.scalars(select(ReturnReason.code)))
        from portal.tapping.services import portal_zone

        self.zone = portal_zone()


def check_row(lookup: Lookup, values: dict, history: bool) -> dict:
    """One row (template header -> cell value) as the columns of a Call, or a ServiceError naming the problem."""
    from portal.tapping.services import to_utc

    day = _date(values.get("Tanggal"))
    at = _time(values.get("Waktu"))
    agent_text = _text(values.get("Agent"))
    agent = lookup.agents.get(agent_text.lower())
    if agent is None:
        raise ServiceError(_("Agent: no staff with the employee number or user name %(v)s.", v=agent_text or "—"), "agent")
    service_text = _text(values.get("Layanan"))
    service_id = lookup.services.get(service_text.lower())
    if service_id is None:
        raise ServiceError(_("Layanan: unknown service %(v)s.", v=service_text or "—"), "service")
    product = _text(values.get("Produk"))
    if not product:
        raise ServiceError(_("Produk: enter the product offered."), "product")
    number = re.sub(r"[\s\-.()]", "", _text(values.get("Nomor Pelanggan")))
    if number.startswith("+62"):
        number = "0" + number[3:]
    if not re.fullmatch(r"\d{6,16}", number):
        raise ServiceError(_("Nomor Pelanggan: %(v)s is not a phone number.", v=_text(values.get("Nomor Pelanggan")) or "—"),
                           "customer_number")
    result = re.sub(r"[\s_\-]+", " ", _text(values.get("Hasil")).upper()).replace("FOLLOWUP", "FOLLOW UP")
    if result not in RESULTS:
        raise ServiceError(_("Hasil: use AGREE, DECLINE or FOLLOW UP."), "result")
    recording = _text(values.get("ID Rekaman"))
    if not recording:
        raise ServiceError(_("ID Rekaman: enter the recording reference."), "recording_id")
    if len(recording) > 80:
        raise ServiceError(_("ID Rekaman: at most 80 characters."), "recording_id")
    called_at = to_utc(day, at, lookup.zone)
    row = {"recording_id": recording, "agent_id": agent[0], "team_id": lookup.teams.get(agent[0]), "site_id": agent[1],
           "service_id": service_id, "called_at": called_at, "month": day.replace(day=1), "product": product[:160],
           "customer_number": number, "result": result, "stage": NEW if result == AGREE else "", "history": False}
    if history:
        status = _text(values.get("Status")).upper()
        reason = _text(values.get("Alasan")).upper()
        if result == AGREE:
            if status not in (VALID, RETURN):
                raise ServiceError(_("Status: an AGREE call of the history is VALID or RETURN."), "status")
            if status == RETURN and reason not in lookup.reasons:
                raise ServiceError(_("Alasan: a RETURN needs a known reason code (%(codes)s).",
                                     codes=", ".join(sorted(lookup.reasons))), "reason")
            row.update(stage=VALIDATED if status == VALID else RETURNED, first_verdict=status, verdicts=1, history=True,
                       _reason=reason if status == RETURN else "")
        elif status:
            raise ServiceError(_("Status: only an AGREE call has a verdict."), "status")
    return row


def _rows(data: bytes, filename: str, history: bool):
    """(row number, values by template header) of every non-empty row."""
    header, rows = read_table(data, filename)
    columns = _columns(header, history)
    for number, values in enumerate(rows, start=2):
        if values is None or all(v in (None, "") for v in values):
            continue
        yield number, {h: values[i] if i < len(values) else None for h, i in columns.items()}


def _check(data: bytes, filename: str, history: bool):
    """(valid rows, errors, row count): duplicates of ID Rekaman in the file and in the portal are refused."""
    lookup = Lookup()
    valid: list[dict] = []
    errors: list[list] = []
    seen: dict[str, int] = {}
    count = 0
    for number, values in _rows(data, filename, history):
        count += 1
        if count > MAX_ROWS:
            raise ServiceError(_("At most %(n)d rows can be imported at once.", n=MAX_ROWS), "file")
        recording = _text(values.get("ID Rekaman"))
        try:
            row = check_row(lookup, values, history)
            if recording in seen:
                raise ServiceError(_("ID Rekaman %(v)s appears twice in the file (row %(n)d).", v=recording, n=seen[recording]))
        except ServiceError as exc:
            errors.append([number, recording, exc.message])
            continue
        seen[recording] = number
        row["_line"] = number
        valid.append(row)
    if count == 0:
        raise ServiceError(_("The file has no rows to import."), "file")
    ids = [r["recording_id"] for r in valid]
    known: set[str] = set()
    for start in range(0, len(ids), CHUNK):
        known.update(db.session.scalars(select(Call.recording_id).where(Call.recording_id.in_(ids[start:start + CHUNK]))))
    if known:
        for r in valid:
            if r["recording_id"] in known:
                errors.append([r["_line"], r["recording_id"], _("ID Rekaman %(v)s was already imported.", v=r["recording_id"])])
        valid = [r for r in valid if r["recording_id"] not in known]
        errors.sort(key=lambda e: e[0])
    return valid, errors, count


def check_file(storage, history: bool, actor) -> CallImport:
    """Check every row of an uploaded file and keep the file with its report until the user decides."""
    if storage is None or not getattr(storage, "filename", ""):
        raise ServiceError(_("Choose the Excel or CSV file to import."), "file")
    data = storage.read(MAX_BYTES + 1)
    valid, errors, count = _check(data, storage.filename, history)
    row = CallImport(kind="history" if history else "calls", filename=storage.filename[:200], data=data, rows=count,
                     valid_rows=len(valid), errors_json=json.dumps(errors[:KEPT_ERRORS], ensure_ascii=False),
                     error_count=len(errors), created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    audit.record("call_import.checked", row, new={"kind": row.kind, "file": row.filename, "rows": count,
                                                  "valid": len(valid), "refused": len(errors)}, actor=actor)
    return row


def confirm(imp: CallImport, actor) -> int:
    """Import all the valid rows of a checked file (checked again: a row imported meanwhile is left out)."""
    if imp.status != "checked":
        raise ServiceError(_("This file was already decided."), "form")
    if imp.created_by_id != actor.id:
        raise ServiceError(_("Only the person who uploaded the file imports it."), "form")
    valid, errors, count = _check(imp.data, imp.filename, imp.kind == "history")
    if not valid:
        raise ServiceError(_("The file has no valid row to import."), "form")
    for r in valid:
        r.pop("_line", None)
    reasons = {r["recording_id"]: r.pop("_reason", None) for r in valid}
    now = utcnow()
    for start in range(0, len(valid), CHUNK):
        chunk = [{"first_verdict": None, "verdicts": 0, **r, "import_id": imp.id, "created_at": now}
                 for r in valid[start:start + CHUNK]]
        db.session.execute(insert(Call), chunk)
    if imp.kind == "history":
        calls = db.session.execute(select(Call.id, Call.recording_id, Call.stage, Call.called_at)
                                   .where(Call.import_id == imp.id, Call.result == AGREE)).all()
        rows = [{"call_id": cid, "verdict": VALID if stage == VALIDATED else RETURN, "reason_code": reasons.get(rec) or "",
                 "recommendation": "", "checked_json": "[]", "qco_id": None, "qco_name": "", "validated_at": called_at,
                 "imported": True, "parameter_set_id": None} for cid, rec, stage, called_at in calls]
        for start in range(0, len(rows), CHUNK):
            db.session.execute(insert(Validation), rows[start:start + CHUNK])
    imp.status, imp.imported, imp.decided_at = "imported", len(valid), now
    imp.data = b""
    db.session.flush()
    audit.record("call_import.imported", imp, new={"kind": imp.kind, "file": imp.filename, "imported": len(valid),
                                                   "refused": len(errors)}, actor=actor)
    return len(valid)


def discard(imp: CallImport, actor) -> None:
    if imp.status != "checked":
        raise ServiceError(_("This file was already decided."), "form")
    imp.status, imp.decided_at, imp.data = "discarded", utcnow(), b""
    db.session.flush()
    audit.record("call_import.discarded", imp, new={"file": imp.filename, "rows": imp.rows}, actor=actor)

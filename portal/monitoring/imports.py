"""Readings from the contact-center system's CSV export: one row per KPI and period (a day, or an interval when the
`interval` column gives its start), columns `service`, `kpi`, `date`, `interval`, `value`, `volume` (Indonesian
headers `layanan`, `kpi`, `tanggal`, `interval`, `nilai`, `volume` too; comma or semicolon separated; decimal comma
or point; dates YYYY-MM-DD or DD/MM/YYYY; times HH:MM or HH.MM).

The file is checked first: a report names each refused row and why. Only a file without a refused row can be
imported, and then all its rows are (all or none). A row for a KPI and period that already has a reading is refused,
unless "replace the readings already stored" was ticked at upload (the old value stays in the audit trail); two rows
of the same KPI and period in one file are always refused."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import select, tuple_

from portal.auth.models import Service
from portal.core import audit, files
from portal.core.i18n import local_today
from portal.core.service import ServiceError
from portal.extensions import db
from portal.monitoring import services
from portal.monitoring.models import DAY, INTERVAL, MONTH, Kpi, Reading, ReadingImport

MAX_BYTES = 20 * 1024 * 1024
KEPT_ERRORS = 500
ALIASES = {"service": "service", "layanan": "service", "kpi": "kpi", "date": "date", "tanggal": "date",
           "interval": "interval", "jam": "interval", "value": "value", "nilai": "value", "volume": "volume",
           "offered": "volume"}
REQUIRED = ["service", "kpi", "date", "value"]


def _date(text: str) -> date | None:
    text = (text or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _time(text: str) -> time | None:
    text = (text or "").strip().replace(".", ":")
    for fmt in ("%H:%M", "%H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).time()
        except ValueError:
            continue
    return None


def _rows(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ServiceError(_("The file is not UTF-8 text; export it again as CSV (UTF-8)."), "file") from None
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def check(data: bytes, replace: bool) -> tuple[list[dict], list[list], int]:
    """(valid rows, errors [line, reason], rows read) of a file; raises ServiceError when it cannot be read at all."""
    rows = _rows(data)
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise ServiceError(_("The file is empty."), "file")
    header = [ALIASES.get(h.strip().lower()) for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ServiceError(_("The first row must name the columns service, kpi, date, value (and interval, volume); "
                             "missing: %(cols)s.", cols=", ".join(missing)), "file")
    body = rows[1:]
    if not body:
        raise ServiceError(_("The file has a header but no row."), "file")
    kpis = {(k.service.code.upper(), k.code.upper()): k for k in db.session.scalars(
        select(Kpi).join(Service, Service.id == Kpi.service_id).where(Kpi.active.is_(True)))}
    today = local_today()
    valid, errors, seen = [], [], {}
    for number, cells in enumerate(body, start=2):
        if not any(c.strip() for c in cells):
            continue
        r = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header) if name}
        reasons = []
        kpi = kpis.get((r.get("service", "").upper(), r.get("kpi", "").upper()))
        if kpi is None:
            reasons.append(_("unknown KPI %(kpi)s for service %(service)s", kpi=r.get("kpi") or "—", service=r.get("service") or "—"))
        elif kpi.computed:
            reasons.append(_("KPI %(kpi)s is computed by the portal", kpi=kpi.code))
        day = _date(r.get("date", ""))
        if day is None:
            reasons.append(_("date %(v)s is not a date (YYYY-MM-DD or DD/MM/YYYY)", v=r.get("date") or "—"))
        elif day > today:
            reasons.append(_("date %(v)s lies in the future", v=r.get("date")))
        at = None
        if r.get("interval"):
            at = _time(r["interval"])
            if at is None:
                reasons.append(_("interval %(v)s is not a time (HH:MM)", v=r["interval"]))
        value = services.parse_decimal(r.get("value", ""))
        if value is None:
            reasons.append(_("value %(v)s is not a number", v=r.get("value") or "—"))
        elif value < 0 or (kpi is not None and kpi.unit == "%" and value > 100):
            reasons.append(_("value %(v)s is out of range", v=r.get("value")))
        volume = None
        if r.get("volume"):
            vol = services.parse_decimal(r["volume"])
            if vol is None or vol < 0 or vol != int(vol):
                reasons.append(_("volume %(v)s is not a whole number", v=r["volume"]))
            else:
                volume = int(vol)
        period = INTERVAL if at is not None else DAY
        if kpi is not None and kpi.period == MONTH:
            period = MONTH
        if reasons:
            errors.append([number, "; ".join(reasons)])
            continue
        starts_at = services.period_start(period, day, at)
        key = (kpi.id, period, starts_at)
        if key in seen:
            errors.append([number, _("the same KPI and period as row %(n)d", n=seen[key])])
            continue
        seen[key] = number
        valid.append({"line": number, "kpi": kpi, "period": period, "starts_at": starts_at, "value": services.q2(value),
                      "volume": volume})
    if valid:
        stored = {}
        keys = [(v["kpi"].id, v["period"], v["starts_at"]) for v in valid]
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            for row in db.session.scalars(select(Reading).where(
                    tuple_(Reading.kpi_id, Reading.period, Reading.starts_at).in_(chunk))):
                stored[(row.kpi_id, row.period, row.starts_at)] = row
        if not replace:
            for v in valid:
                if (v["kpi"].id, v["period"], v["starts_at"]) in stored:
                    errors.append([v["line"], _("a reading of this KPI and period is already stored")])
            valid = [v for v in valid if (v["kpi"].id, v["period"], v["starts_at"]) not in stored]
        for v in valid:
            v["found"] = stored.get((v["kpi"].id, v["period"], v["starts_at"]))
    errors.sort(key=lambda e: e[0])
    return valid, errors, len([c for c in body if any(x.strip() for x in c)])


def check_file(storage, replace: bool, actor) -> ReadingImport:
    """Check every row of an uploaded CSV and keep it with its report until the user decides."""
    if storage is None or not getattr(storage, "filename", ""):
        raise ServiceError(_("Choose the CSV file to import."), "file")
    data = storage.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ServiceError(_("The file is larger than 20 MB."), "file")
    if files.extension_of(storage.filename) not in ("csv", "txt"):
        raise ServiceError(_("Send the CSV export (.csv) of the contact-center system."), "file")
    if b"\x00" in data[:65536] or data[:4] == b"PK\x03\x04":
        raise ServiceError(_("The file's content is not CSV text."), "file")
    valid, errors, count = check(data, replace)
    row = ReadingImport(filename=storage.filename[:200], data=data, rows=count, replace=replace,
                        errors_json=json.dumps(errors[:KEPT_ERRORS], ensure_ascii=False), error_count=len(errors),
                        created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    audit.record("reading_import.checked", row, new={"file": row.filename, "rows": count, "valid": len(valid),
                                                     "refused": len(errors), "replace": replace}, actor=actor)
    return row


def confirm(imp: ReadingImport, actor) -> int:
    """Import every row of a checked file that has no refused row (checked again first)."""
    if imp.status != "checked":
        raise ServiceError(_("This file was already decided."), "form")
    if imp.created_by_id != actor.id:
        raise ServiceError(_("Only the person who uploaded the file imports it."), "form")
    valid, errors, _count = check(imp.data, imp.replace)
    if errors:
        raise ServiceError(_("The file has refused rows: nothing is imported. Correct the file and upload it again."), "form")
    for v in valid:
        services.store(v["kpi"], v["period"], v["starts_at"], v["value"], v["volume"], actor, "import",
                       replace=imp.replace, import_id=imp.id, found=v["found"], audit_it=False)
    services.ensure_daily({(v["kpi"].service_id, v["starts_at"].date()) for v in valid if v["period"] != MONTH})
    imp.status, imp.imported, imp.data = "imported", len(valid), b""
    db.session.flush()
    audit.record("reading_import.imported", imp, new={"file": imp.filename, "imported": len(valid),
                                                      "replace": imp.replace}, actor=actor)
    return len(valid)


def discard(imp: ReadingImport, actor) -> None:
    if imp.status != "checked":
        raise ServiceError(_("This file was already decided."), "form")
    imp.status, imp.data = "discarded", b""
    db.session.flush()
    audit.record("reading_import.discarded", imp, new={"file": imp.filename, "rows": imp.rows}, actor=actor)

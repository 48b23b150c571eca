"""Check-ins and check-outs imported from an export of the login or attendance system (CSV or Excel: a header
row naming NIK, Tanggal, Masuk and Pulang, one row per person and day). A validation report names every bad cell
(sheet or file, cell, why) and nothing is recorded while one is left; then each row is recorded as the team leader
would (source "import")."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from portal.core import audit
from portal.extensions import db
from portal.people.models import Staff
from portal.roster import realisation
from portal.roster.exports import Problem

HEADERS = {"nik": ("nik", "no. pegawai", "no pegawai", "employee number"),
           "day": ("tanggal", "date", "tgl"),
           "in": ("masuk", "check-in", "check in", "jam masuk", "login"),
           "out": ("pulang", "check-out", "check out", "jam pulang", "logout")}
MAX_BYTES = 2 * 1024 * 1024


@dataclass
class Row:
    staff: Staff
    day: date
    check_in: datetime
    check_out: datetime | None


def _rows(data: bytes, filename: str) -> tuple[str, list[tuple]] | None:
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        ws = wb.worksheets[0]
        return ws.title, [tuple(r) for r in ws.iter_rows(max_row=5000, values_only=True)]
    if b"\x00" in data[:4096]:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    # the delimiter of the header line (title lines above it may have none): ; (Indonesian Excel), , or tab
    header = next((line for line in text.splitlines()[:10] if "nik" in line.lower()), text[:200])
    delimiter = max(";,\t", key=header.count)
    return filename, [tuple(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)][:5000]


def _day(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _time(value) -> time | None:
    if isinstance(value, datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    text = str(value or "").strip().replace(".", ":")
    for fmt in ("%H:%M", "%H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).time().replace(second=0)
        except ValueError:
            continue
    return None


def parse(data: bytes, filename: str, staff_ids: list[int], first: date, last: date) -> tuple[list[Row], list[Problem]]:
    """The rows of an attendance export for the given people and days, and every problem found."""
    try:
        found = _rows(data, filename) if len(data) <= MAX_BYTES else None
    except Exception:  # an unreadable file is reported, not raised
        found = None
    if found is None:
        return [], [Problem(filename, "", _("The file cannot be read as CSV or Excel."))]
    sheet, rows = found
    cols, header_at = {}, None
    for r, row in enumerate(rows[:10]):
        names = [str(v or "").strip().lower() for v in row]
        cols = {key: next((c for c, n in enumerate(names) if n in options), None) for key, options in HEADERS.items()}
        if cols["nik"] is not None and cols["day"] is not None and cols["in"] is not None:
            header_at = r
            break
    if header_at is None:
        return [], [Problem(sheet, "", _("No header row naming NIK, Tanggal and Masuk in the first ten rows."))]
    people = {s.employee_number.strip().upper(): s for s in db.session.scalars(select(Staff).where(Staff.id.in_(staff_ids)))}
    out: list[Row] = []
    problems: list[Problem] = []

    def at(col: int, r: int) -> str:
        return f"{get_column_letter(col + 1)}{r}"

    for r, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        def cell(key):
            c = cols.get(key)
            return row[c] if c is not None and c < len(row) else None

        nik = str(cell("nik") or "").strip()
        if not nik and not any(str(v or "").strip() for v in row):
            continue
        person = people.get(nik.upper())
        if person is None:
            problems.append(Problem(sheet, at(cols["nik"], r), _("%(who)s is not a member of this team in the month.", who=nik or "—")))
            continue
        day = _day(cell("day"))
        if day is None or not first <= day <= last:
            problems.append(Problem(sheet, at(cols["day"], r), _("Not a date of this month: %(v)s.", v=cell("day") or "—")))
            continue
        t_in = _time(cell("in"))
        if t_in is None:
            problems.append(Problem(sheet, at(cols["in"], r), _("Not a time: %(v)s.", v=cell("in") or "—")))
            continue
        t_out = None
        if cols["out"] is not None and str(cell("out") or "").strip():
            t_out = _time(cell("out"))
            if t_out is None:
                problems.append(Problem(sheet, at(cols["out"], r), _("Not a time: %(v)s.", v=cell("out"))))
                continue
        check_in = datetime.combine(day, t_in)
        check_out = None
        if t_out is not None:  # before the check-in: the next morning (a night shift)
            check_out = datetime.combine(day + timedelta(days=1) if t_out <= t_in else day, t_out)
        out.append(Row(person, day, check_in, check_out))
    if not out and not problems:
        problems.append(Problem(sheet, "", _("No row names a member of the team.")))
    return out, problems


def apply(rows: list[Row], actor) -> int:
    """Record every row (as the team leader would), source "import"."""
    for row in rows:
        att = realisation.record_times(row.staff, row.day, row.check_in, row.check_out, actor)
        att.source = "import"
    db.session.flush()
    audit.record("attendance.imported", None, new={"rows": len(rows)}, actor=actor)
    return len(rows)

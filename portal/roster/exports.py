"""The roster grid to and from Excel in the layout team leaders already use (a few title rows, then one row per
person: employee number, name, one column per date with the shift code), and to PDF (landscape, A4 or A3).

The import is all or nothing: every bad cell is reported with its sheet, cell address and why, and nothing is
written while one is left."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from portal.core import audit
from portal.core.service import ServiceError
from portal.core.xlsx import safe_value
from portal.extensions import db
from portal.roster import services as roster
from portal.roster.models import DRAFT, RosterEntry, RosterMonth

TITLE_ROWS = 3  # title, team and service, an empty row; the header follows
MAX_ROWS = 500


def export_xlsx(g) -> bytes:
    """The month grid as .xlsx: title rows, a frozen header of real dates, one column per day."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"{g.month:%Y-%m}"
    ws["A1"] = safe_value(f"Roster {g.team.name} {g.month:%Y-%m}")
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = safe_value(f"{g.team.service.name} · {g.team.site.name}"
                          + (f" · terbit {g.roster.published_at:%Y-%m-%d} ({g.roster.published_name})"
                             if g.roster is not None and g.roster.is_published else " · draf"))
    header = TITLE_ROWS + 1
    ws.cell(header, 1, "NIK").font = Font(bold=True)
    ws.cell(header, 2, "Nama").font = Font(bold=True)
    off = PatternFill("solid", start_color="EEEEEE", end_color="EEEEEE")
    for j, d in enumerate(g.days, start=3):
        cell = ws.cell(header, j, d)
        cell.number_format = "DD/MM"
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
        if d in g.off or d.weekday() >= 5:
            cell.fill = off
        ws.column_dimensions[get_column_letter(j)].width = 6
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 28
    for i, person in enumerate(g.people, start=header + 1):
        ws.cell(i, 1, safe_value(person.employee_number))
        ws.cell(i, 2, safe_value(person.full_name))
        for j, d in enumerate(g.days, start=3):
            shift = g.cells.get((person.id, d))
            if shift is not None:
                ws.cell(i, j, shift.code).alignment = Alignment(horizontal="center")
    ws.freeze_panes = ws.cell(header + 1, 3)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@dataclass
class Problem:
    sheet: str
    cell: str
    why: str


def _as_day(value, month: date) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and float(value).is_integer() and 1 <= int(value) <= 31:
        try:
            return month.replace(day=int(value))
        except ValueError:
            return None
    if isinstance(value, str):
        text = value.strip()
        for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d/%m"):
            try:
                parsed = datetime.strptime(text, fmt).date()
                return parsed.replace(year=month.year) if fmt == "%d/%m" else parsed
            except ValueError:
                continue
    return None


def parse_import(data: bytes, team, month: date) -> tuple[dict[tuple[int, date], str], list[Problem], int]:
    """The cells of a roster workbook ({(staff id, day): code, "" a day off}), the problems found, the people read.

    The header is the first row (of the first ten) holding at least seven dates or day numbers; the person is found by
    the employee number column ("NIK") or else the name column ("Nama"), among the team's members of the month."""
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a corrupt file is the user's problem to fix, said plainly
        return {}, [Problem("", "", _("The file cannot be read as an Excel workbook."))], 0
    ws = wb.worksheets[0]
    sheet = ws.title
    rows = list(ws.iter_rows(min_row=1, max_row=MAX_ROWS + 10, values_only=True))
    header_at, columns = None, {}
    for r, row in enumerate(rows[:10]):
        found = {}
        for c, v in enumerate(row):
            if v is None or (isinstance(v, str) and not any(ch.isdigit() for ch in v)):
                continue
            d = _as_day(v, month)
            if d is not None:
                found[c] = d
        if len(found) >= 7:
            header_at, columns = r, found
            break
    if header_at is None:
        return {}, [Problem(sheet, "", _("No header row of dates found in the first ten rows."))], 0
    header = [str(v or "").strip().lower() for v in rows[header_at]]
    nik_col = next((c for c, v in enumerate(header) if v in ("nik", "no. pegawai", "no pegawai", "employee number")), None)
    name_col = next((c for c, v in enumerate(header) if v in ("nama", "name", "nama agent", "nama karyawan")), None)
    if nik_col is None and name_col is None:
        return {}, [Problem(sheet, f"A{header_at + 1}", _("The header names neither the NIK nor the Nama column."))], 0
    problems: list[Problem] = []
    for c, d in columns.items():
        if (d.year, d.month) != (month.year, month.month):
            problems.append(Problem(sheet, f"{get_column_letter(c + 1)}{header_at + 1}",
                                    _("%(day)s is not in %(month)s.", day=d.isoformat(), month=f"{month:%Y-%m}")))
    people = roster.members(team, month)
    by_number = {p.employee_number.strip().upper(): p for p in people}
    by_name = {p.full_name.strip().lower(): p for p in people}
    codes = {s.code: s for s in roster.shifts_of(team.service_id)}
    hours = roster.hours_of(team.service_id)
    elsewhere = roster.rostered_elsewhere(team, [p.id for p in people], month, roster.month_days(month)[-1])
    cells: dict[tuple[int, date], str] = {}
    seen = 0
    for r, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        key_nik = str(row[nik_col]).strip() if nik_col is not None and nik_col < len(row) and row[nik_col] is not None else ""
        key_name = str(row[name_col]).strip() if name_col is not None and name_col < len(row) and row[name_col] is not None else ""
        if not key_nik and not key_name:
            continue
        person = by_number.get(key_nik.upper()) if key_nik else None
        if person is None and key_name:
            person = by_name.get(key_name.lower())
        where = f"{get_column_letter((nik_col if nik_col is not None else name_col) + 1)}{r}"
        if person is None:
            problems.append(Problem(sheet, where, _("%(who)s is not a member of team %(team)s this month.",
                                                    who=key_nik or key_name, team=team.name)))
            continue
        seen += 1
        for c, d in columns.items():
            if (d.year, d.month) != (month.year, month.month):
                continue
            value = row[c] if c < len(row) else None
            code = str(value).strip().upper() if value is not None else ""
            if code in ("-", "OFF", "L", "LIBUR"):
                code = ""
            address = f"{get_column_letter(c + 1)}{r}"
            shift = codes.get(code) if code else None
            if code and shift is None:
                problems.append(Problem(sheet, address, _("There is no shift %(code)s for this service.", code=code)))
                continue
            why = roster.check_cell(team, person, d, shift, hours, elsewhere)
            if why:
                if shift is not None:  # an empty cell on a day outside the team is simply not the team's
                    problems.append(Problem(sheet, address, why))
                continue
            cells[(person.id, d)] = code
    if not seen and not problems:
        problems.append(Problem(sheet, "", _("No row names a member of the team.")))
    return cells, problems, seen


def apply_import(month_row: RosterMonth, cells: dict[tuple[int, date], str], actor) -> int:
    """Write the imported cells of a draft month (the people in the file: their whole month is replaced)."""
    if month_row.status != DRAFT:
        raise ServiceError(_("This roster is published: change one cell at a time, with a reason."), "file")
    team = month_row.team
    codes = {s.code: s for s in roster.shifts_of(team.service_id)}
    staff_ids = sorted({sid for sid, _d in cells})
    have = {(e.staff_id, e.day): e for e in db.session.scalars(select(RosterEntry).where(
        RosterEntry.month_id == month_row.id, RosterEntry.staff_id.in_(staff_ids)))} if staff_ids else {}
    changed = 0
    for key, code in cells.items():
        entry = have.pop(key, None)
        if not code:
            if entry is not None:
                db.session.delete(entry)
                changed += 1
            continue
        shift = codes[code]
        if entry is None:
            db.session.add(RosterEntry(month_id=month_row.id, staff_id=key[0], day=key[1], shift_id=shift.id))
            changed += 1
        elif entry.shift_id != shift.id:
            entry.shift_id = shift.id
            changed += 1
    for entry in have.values():  # a day of the file's people the file leaves empty is a day off
        db.session.delete(entry)
        changed += 1
    db.session.flush()
    audit.record("roster.imported", month_row, new={"people": len(staff_ids), "cells": changed}, actor=actor)
    return changed


def export_f02_xlsx(team, first: date, last: date, total, per_person: dict, people: dict, exceptions: list,
                    absences: dict, states: dict) -> bytes:
    """The F-02 of a team's month as .xlsx: one row per person (counts, absences by reason, compliance as a number of
    percent) with the team's total, then the exceptions day by day."""
    wb = Workbook()
    ws = wb.active
    ws.title = "F-02"
    ws.append([safe_value(_("Roster against realisation (F-02)") + f" · {team.name} · {first:%Y-%m}")])
    ws.append([safe_value(f"{team.site.name} · {team.service.name} · " + _("until %(d)s", d=last.isoformat()))])
    ws.append([])
    headers = [_("Employee number"), _("Name"), _("Scheduled"), _("Present"), _("On time"), _("Late"), _("Early leave"),
               _("Absent"), _("Absences by reason"), _("Compliance (%)")]
    ws.append(headers)
    for cell in ws[TITLE_ROWS + 1]:
        cell.font = Font(bold=True)
    ws["A1"].font = Font(bold=True, size=13)

    def row(number, name, t):
        reasons = ", ".join(f"{absences.get(r, r)}: {n}" for r, n in t.by_reason.items())
        return [safe_value(number), safe_value(name), t.scheduled, t.present, t.on_time, t.late, t.early_leave, t.absent,
                safe_value(reasons), round(t.compliance, 2) if t.compliance is not None else None]

    for sid, t in per_person.items():
        ws.append(row(people[sid].employee_number, people[sid].full_name, t))
    ws.append(row("", _("Total"), total))
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    ws.freeze_panes = f"C{TITLE_ROWS + 2}"
    for i, width in enumerate([14, 28, 11, 9, 11, 9, 12, 11, 30, 15], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width

    ex = wb.create_sheet(_("Exceptions")[:31])
    ex.append([_("Date"), _("Employee number"), _("Name"), _("Shift"), _("Check-in"), _("Check-out"), _("State")])
    for cell in ex[1]:
        cell.font = Font(bold=True)
    for d in exceptions:
        state = states.get(d.state, d.state)
        if d.late:
            state += " · " + _("%(n)d min late", n=d.late_minutes)
        if d.early_leave:
            state += " · " + _("left %(n)d min early", n=d.early_minutes)
        if d.absence_reason:
            state += " · " + absences.get(d.absence_reason, d.absence_reason)
        ex.append([datetime(d.day.year, d.day.month, d.day.day), safe_value(d.staff.employee_number),
                   safe_value(d.staff.full_name), safe_value(d.shift.code if d.shift else "—"),
                   _clock(d.attendance.check_in if d.attendance else None, d.staff.site.timezone),
                   _clock(d.attendance.check_out if d.attendance else None, d.staff.site.timezone), safe_value(state)])
        ex.cell(row=ex.max_row, column=1).number_format = "DD/MM/YYYY"
    ex.freeze_panes = "A2"
    for i, width in enumerate([12, 14, 28, 8, 10, 10, 24], start=1):
        ex.column_dimensions[get_column_letter(i)].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _clock(value, tz_name: str) -> str:
    """A check-in or check-out (UTC) as the site's local clock time, 07.25 as on the page."""
    from portal.core.i18n import to_local

    return to_local(value, tz_name).strftime("%H.%M") if value is not None else ""

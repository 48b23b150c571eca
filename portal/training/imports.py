"""The attendance and score grid imported from Excel: one row a person on the session's list (Indonesian headers,
a template with the list to download), all rows valid or none, each refusal named with its row."""
from __future__ import annotations

import io

from flask_babel import gettext as _

from portal.core.service import ServiceError
from portal.core.xlsx import build_workbook
from portal.training import services

HEADERS = ["NIK Karyawan", "Nama", "Kehadiran", "Nilai", "Keterangan"]  # employee number, name, attendance, score, remarks
PRESENT, ABSENT = {"hadir", "ya", "yes", "1"}, {"tidak hadir", "tidak", "no", "absen", "0"}
MAX_BYTES = 5 * 1024 * 1024


def template_bytes(session) -> bytes:
    """The session's list with its current cells, to fill in and import back."""
    rows = [[a.staff.employee_number, a.staff.full_name,
             "" if a.attended is None else ("hadir" if a.attended else "tidak hadir"),
             "" if a.score is None else float(a.score), a.remarks] for a in session.attendees]
    return build_workbook("Nilai", HEADERS, rows)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def import_grid(session, storage, actor) -> int:
    """Apply the file's rows to the grid (attendance, score, remarks); refused whole when one row is wrong."""
    from openpyxl import load_workbook

    services._unlocked(session, "file")
    if storage is None or not getattr(storage, "filename", ""):
        raise ServiceError(_("Choose the Excel file to import."), "file")
    data = storage.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ServiceError(_("The file is larger than 5 MB."), "file")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - whatever openpyxl says, it is not a workbook we can read
        raise ServiceError(_("This is not an Excel workbook (.xlsx)."), "file") from None
    rows = wb.worksheets[0].iter_rows(values_only=True)
    header = [_text(h) for h in (next(rows, None) or [])]
    if [h for h in ("NIK Karyawan", "Kehadiran", "Nilai") if h not in header]:
        raise ServiceError(_("Columns missing in the first row: %(cols)s. Use the template.",
                             cols="NIK Karyawan, Kehadiran, Nilai"), "file")
    col = {h: i for i, h in enumerate(header)}
    by_number = {a.staff.employee_number: a for a in session.attendees}
    problems, changes = [], []
    for number, values in enumerate(rows, start=2):
        if values is None or all(v in (None, "") for v in values):
            continue
        get = lambda h: _text(values[col[h]]) if h in col and col[h] < len(values) else ""  # noqa: E731
        attendee = by_number.get(get("NIK Karyawan"))
        if attendee is None:
            problems.append(_("Row %(n)d: %(no)s is not on this session's list.", n=number, no=get("NIK Karyawan") or "—"))
            continue
        attendance = get("Kehadiran").lower()
        if attendance and attendance not in PRESENT | ABSENT:
            problems.append(_("Row %(n)d: attendance is \"hadir\" or \"tidak hadir\".", n=number))
            continue
        changes.append((number, attendee, "yes" if attendance in PRESENT else "no" if attendance in ABSENT else "",
                        get("Nilai"), get("Keterangan")))
    wb.close()
    if problems:
        raise ServiceError(" ".join(problems), "file")
    if not changes:
        raise ServiceError(_("The file has no rows to import."), "file")
    for number, attendee, attended, score, remarks in changes:
        try:
            services.set_cell(attendee, "attended", attended, actor)
            if attended != "no":
                services.set_cell(attendee, "score", score, actor)
            if remarks:
                services.set_cell(attendee, "remarks", remarks, actor)
        except ServiceError as exc:
            raise ServiceError(_("Row %(n)d: %(problem)s", n=number, problem=exc.message), "file") from None
    return len(changes)

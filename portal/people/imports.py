"""Staff and teams from Excel: one row a person, Indonesian headers, a template to download. Every row is checked
by the same services as the forms; all valid rows are saved, or none (a report names each refused row)."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.auth.models import Service, Site, User
from portal.core.service import ServiceError
from portal.core.xlsx import build_workbook
from portal.extensions import db
from portal.people import services
from portal.people.models import ACTIVE, ENDED, ON_LEAVE, PERMANENT, PKWT, PROBATION, Position, Team

HEADERS = ["NIK Karyawan", "Nama", "Jabatan", "Site", "Layanan", "Tim", "Tanggal Masuk", "Status", "Pendidikan",
           "Username Portal", "Jenis Kontrak", "Kontrak Mulai", "Kontrak Berakhir"]
REQUIRED = ["NIK Karyawan", "Nama", "Jabatan", "Site", "Tanggal Masuk"]
STATUSES = {"": ACTIVE, "aktif": ACTIVE, "cuti": ON_LEAVE, "berhenti": ENDED, "keluar": ENDED}
KINDS = {"pkwt": PKWT, "kontrak": PKWT, "percobaan": PROBATION, "probation": PROBATION, "tetap": PERMANENT,
         "pkwtt": PERMANENT}
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
EXAMPLE = ["1509001", "Rina Marlina", "Agent", "MLG", "147", "Tim Malang 147-A", "2025-03-03", "Aktif", "D3", "",
           "PKWT", "2025-03-03", "2026-03-02"]


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    teams_created: list[str] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row number in Excel, employee number, message)

    @property
    def ok(self) -> bool:
        return not self.errors and self.created > 0


def template_bytes() -> bytes:
    """The import template: the headers and one example row."""
    return build_workbook("Karyawan", HEADERS, [EXAMPLE], widths=[16, 28, 22, 12, 18, 22, 16, 12, 12, 18, 16, 16, 16])


def _date(value, header: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ServiceError(_("%(h)s: %(v)s is not a date (use YYYY-MM-DD or DD/MM/YYYY).", h=header, v=text))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_rows(storage) -> list[tuple[int, dict]]:
    from openpyxl import load_workbook

    if storage is None or not getattr(storage, "filename", ""):
        raise ServiceError(_("Choose the Excel file to import."), "file")
    data = storage.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ServiceError(_("The file is larger than 5 MB."), "file")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - whatever openpyxl says, it is not a workbook we can read
        raise ServiceError(_("This is not an Excel workbook (.xlsx)."), "file")
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [_text(h) for h in (next(rows, None) or [])]
    missing = [h for h in REQUIRED if h not in header]
    if missing:
        raise ServiceError(_("Columns missing in the first row: %(cols)s. Use the template.", cols=", ".join(missing)), "file")
    out = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(v in (None, "") for v in values):
            continue
        out.append((number, {h: values[i] if i < len(values) else None for i, h in enumerate(header) if h}))
        if len(out) > MAX_ROWS:
            raise ServiceError(_("At most %(n)d rows can be imported at once.", n=MAX_ROWS), "file")
    wb.close()
    if not out:
        raise ServiceError(_("The file has no rows to import."), "file")
    return out


class _Lookup:
    """Positions, sites, services, users and teams by code or name, read once for the whole file."""

    def __init__(self):
        self.positions = {}
        for p in db.session.scalars(select(Position)):
            self.positions[p.code.lower()] = p
            self.positions[p.name.lower()] = p
        self.sites = {}
        for s in db.session.scalars(select(Site)):
            self.sites[s.code.lower()] = s
            self.sites[s.name.lower()] = s
        self.services = {}
        for s in db.session.scalars(select(Service)):
            self.services[s.code.lower()] = s
            self.services[s.name.lower()] = s
        self.teams = {(t.site_id, t.name.lower()): t for t in db.session.scalars(select(Team))}

    def user(self, username: str) -> User | None:
        return db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))


def _row(lookup: _Lookup, values: dict, actor, report: ImportReport) -> None:
    number = _text(values.get("NIK Karyawan"))
    position = lookup.positions.get(_text(values.get("Jabatan")).lower())
    if position is None:
        raise ServiceError(_("Jabatan: unknown position %(v)s.", v=_text(values.get("Jabatan")) or "—"))
    site = lookup.sites.get(_text(values.get("Site")).lower())
    if site is None:
        raise ServiceError(_("Site: unknown site %(v)s.", v=_text(values.get("Site")) or "—"))
    chosen = []
    for part in re.split(r"[;,]", _text(values.get("Layanan"))):
        if part.strip():
            service = lookup.services.get(part.strip().lower())
            if service is None:
                raise ServiceError(_("Layanan: unknown service %(v)s.", v=part.strip()))
            chosen.append(service)
    status = STATUSES.get(_text(values.get("Status")).lower())
    if status is None:
        raise ServiceError(_("Status: use Aktif, Cuti or Berhenti."))
    hire = _date(values.get("Tanggal Masuk"), "Tanggal Masuk")
    user = None
    username = _text(values.get("Username Portal"))
    if username:
        user = lookup.user(username)
        if user is None:
            raise ServiceError(_("Username Portal: there is no user %(v)s.", v=username))
    team = None
    team_name = _text(values.get("Tim"))
    if team_name:
        team = lookup.teams.get((site.id, team_name.lower()))
        if team is None:
            if not chosen:
                raise ServiceError(_("Tim: a new team needs the row's service (Layanan)."))
            team = services.save_team(None, {"name": team_name, "site_id": site.id, "service_id": chosen[0].id}, actor)
            lookup.teams[(site.id, team_name.lower())] = team
            report.teams_created.append(f"{team.name} ({site.name})")
    try:
        staff = services.save_staff(None, {
            "employee_number": number, "full_name": _text(values.get("Nama")), "position_id": position.id,
            "site_id": site.id, "service_ids": [s.id for s in chosen], "team_id": team.id if team else None,
            "hire_date": hire, "status": status, "education": _text(values.get("Pendidikan")).upper(),
            "user_id": user.id if user else None}, actor)
    except ServiceError as exc:
        if exc.field == "employee_number" and number:
            raise ServiceError(_("NIK Karyawan %(n)s already exists (in the portal or higher in this file).", n=number)) from exc
        raise
    if team is not None and team.leader_id is None and position.code == "TL":
        services.save_team(team, {"name": team.name, "site_id": team.site_id, "service_id": team.service_id,
                                  "leader_id": staff.id, "active": team.active}, actor)
    kind_text = _text(values.get("Jenis Kontrak")).lower()
    if kind_text:
        kind = KINDS.get(kind_text)
        if kind is None:
            raise ServiceError(_("Jenis Kontrak: use PKWT, Percobaan or Tetap."))
        services.add_contract(staff, {"kind": kind, "starts_on": _date(values.get("Kontrak Mulai"), "Kontrak Mulai") or hire,
                                      "ends_on": _date(values.get("Kontrak Berakhir"), "Kontrak Berakhir")}, actor)


def import_staff(storage, actor) -> ImportReport:
    """Check every row; save them all when every row is valid, else nothing (the report says why, row by row)."""
    rows = _read_rows(storage)
    report = ImportReport(rows=len(rows))
    lookup = _Lookup()
    outer = db.session.begin_nested()
    for number, values in rows:
        savepoint = db.session.begin_nested()
        try:
            _row(lookup, values, actor, report)
            savepoint.commit()
            report.created += 1
        except ServiceError as exc:
            savepoint.rollback()
            lookup.teams = {(t.site_id, t.name.lower()): t for t in db.session.scalars(select(Team))}
            report.errors.append((number, _text(values.get("NIK Karyawan")), exc.message))
    if report.errors:
        outer.rollback()
        report.created, report.teams_created = 0, []
    else:
        outer.commit()
    return report

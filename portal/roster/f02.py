"""The month's F-02 ("Kesesuaian Roster Final vs Realisasi", IN.OCC.TELK.P-10.R12) as a record of the records
module: filled from the roster and the attendance, then signed by the team leader and approved by the supervisor
on the record's own page, so it prints, is retained two years and is exported like any other record."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from portal.core import audit
from portal.core.i18n import local_today
from portal.core.service import ServiceError
from portal.extensions import db
from portal.people.models import Team
from portal.roster import realisation
from portal.roster import services as roster

FORM = "IN.OCC.TELK.F-02"
REASONS = {"sick": "sakit", "permission": "izin", "leave": "cuti", "unexcused": "tanpa keterangan",
           "duty": "dinas", "unrecorded": "belum dicatat"}


def _pct(value) -> str:
    return "—" if value is None else f"{value}".replace(".", ",")


def data_for(team: Team, first: date, until: date) -> dict:
    """The F-02 fields of a team's month (the days up to `until`)."""
    last = roster.month_days(first)[-1]
    ids = realisation.team_staff_ids(team.id, first, last)
    found = realisation.days_of(ids, first, until) if until >= first else []
    total, per_person, _days = realisation.tally(found)
    people = {d.staff.id: d.staff for d in found}
    rows = []
    for sid in sorted(per_person, key=lambda s: people[s].full_name):
        t, p = per_person[sid], people[sid]
        if not t.scheduled:
            continue
        rows.append({"nik": p.employee_number, "nama": p.full_name, "terjadwal": str(t.scheduled), "hadir": str(t.present),
                     "tepat_waktu": str(t.on_time), "terlambat": str(t.late), "pulang_cepat": str(t.early_leave),
                     "tidak_hadir": str(t.absent),
                     "alasan": ", ".join(f"{REASONS.get(k, k)} {n}" for k, n in sorted(t.by_reason.items())),
                     "kesesuaian": _pct(t.compliance)})
    lines = []
    for d in realisation.exceptions(found)[:200]:
        what = []
        if d.late:
            what.append(f"terlambat {d.late_minutes} menit")
        if d.early_leave:
            what.append(f"pulang {d.early_minutes} menit lebih cepat")
        if d.absent:
            what.append(f"tidak hadir ({REASONS.get(d.absence_reason or 'unrecorded')})")
        if d.present and not d.scheduled:
            what.append("hadir tanpa shift")
        lines.append(f"{d.day.isoformat()} · {d.staff.full_name} · {', '.join(what)}")
    return {"tim": team.name, "rekap": rows, "kesesuaian_tim": _pct(total.compliance), "pengecualian": "\n".join(lines)}


def make_record(team: Team, first: date, user):
    """A draft F-02 of the team's month filled from the data; refused while one exists that was not discarded."""
    from portal.records import services as records
    from portal.records.models import Record

    month = roster.month_for(team, first, user)
    if month.f02_record_id:
        existing = db.session.get(Record, month.f02_record_id)
        if existing is not None:  # a discarded draft is deleted: a new one may be made
            raise ServiceError(_("This month's F-02 exists already (%(number)s).", number=existing.number), "form")
    today = local_today()
    if first > today:
        raise ServiceError(_("The month has not started yet."), "form")
    data = data_for(team, first, min(roster.month_days(first)[-1], today))
    if not data["rekap"]:
        raise ServiceError(_("Nobody was scheduled this month: there is nothing to report."), "form")
    record = records.create(FORM, user, team.site_id, team.service_id, first, roster.month_days(first)[-1])
    records.save_draft(record, user, data)
    month.f02_record_id = record.id
    db.session.flush()
    audit.record("roster.f02_created", month, new={"record": record.number, "team": team.name,
                                                   "month": f"{first:%Y-%m}", "compliance": data["kesesuaian_tim"]},
                 actor=user)
    return record

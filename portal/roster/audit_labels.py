"""How the roster module's audit events read (sentences, object codes): see core/modules.py."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import literal, select

from portal.core.modules import AuditAction, AuditObject

ACTIONS = {
    "roster.created": AuditAction(_l("Roster started"), _l("%(actor)s started the roster %(object)s")),
    "roster.cell_set": AuditAction(_l("Roster cell changed"), _l("%(actor)s changed a shift in the draft roster %(object)s")),
    "roster.range_filled": AuditAction(_l("Roster range filled"), _l("%(actor)s filled a range of days in the roster %(object)s")),
    "roster.week_copied": AuditAction(_l("Last week's pattern copied"),
                                      _l("%(actor)s copied last week's pattern in the roster %(object)s")),
    "roster.imported": AuditAction(_l("Roster imported"), _l("%(actor)s imported the roster %(object)s from Excel")),
    "roster.published": AuditAction(_l("Roster published"), _l("%(actor)s signed and published the roster %(object)s")),
    "roster.signature_refused": AuditAction(_l("Signature refused"),
                                            _l("The signature of %(actor)s on the roster %(object)s was refused")),
    "roster.changed": AuditAction(_l("Published roster changed"),
                                  _l("%(actor)s changed a shift of the published roster %(object)s")),
    "roster.f02_created": AuditAction(_l("F-02 record made from the roster"),
                                      _l("%(actor)s made the month's F-02 record from the roster %(object)s")),
    "attendance.checked_in": AuditAction(_l("Checked in"), _l("%(actor)s recorded a check-in (%(object)s)")),
    "attendance.checked_out": AuditAction(_l("Checked out"), _l("%(actor)s recorded a check-out (%(object)s)")),
    "attendance.imported": AuditAction(_l("Attendance imported"),
                                       _l("%(actor)s imported check-ins from the login or attendance system")),
    "attendance.recorded": AuditAction(_l("Attendance recorded"), _l("%(actor)s recorded the attendance times (%(object)s)")),
    "attendance.absence_recorded": AuditAction(_l("Absence recorded"), _l("%(actor)s recorded an absence (%(object)s)")),
    "shift.saved": AuditAction(_l("Shift saved"), _l("%(actor)s saved the shift %(object)s")),
    "service_hours.saved": AuditAction(_l("Operating hours saved"),
                                       _l("%(actor)s saved the operating hours and tolerance of a service (%(object)s)")),
    "day_off.added": AuditAction(_l("Company day off added"), _l("%(actor)s added a company day off (%(object)s)")),
    "day_off.removed": AuditAction(_l("Company day off removed"), _l("%(actor)s removed a company day off (%(object)s)")),
}


def _months(ids):
    from portal.people.models import Team
    from portal.roster.models import RosterMonth

    return (select(RosterMonth.id, Team.name, literal(""))
            .join(Team, Team.id == RosterMonth.team_id).where(RosterMonth.id.in_(ids)))


def _attendance(ids):
    from portal.people.models import Staff
    from portal.roster.models import Attendance

    return (select(Attendance.id, Staff.employee_number, literal(""))
            .join(Staff, Staff.id == Attendance.staff_id).where(Attendance.id.in_(ids)))


def _shifts(ids):
    from portal.roster.models import Shift

    return select(Shift.id, Shift.code, literal("")).where(Shift.id.in_(ids))


def _time(value):
    from portal.core.i18n import fmt_iso_time

    return fmt_iso_time(value)


TIMES = {"starts": _time, "ends": _time, "opens": _time, "closes": _time}
OBJECTS = {
    "rostermonth": AuditObject(_l("Roster"), codes=_months,
                               values={"status": {"draft": _l("draft"), "published": _l("published")}}),
    "attendance": AuditObject(_l("Attendance"), codes=_attendance),
    "shift": AuditObject(_l("Shift"), codes=_shifts, permission="roster.setup",
                         url=lambda id, code, key: url_for("roster.shifts"), values=TIMES),
    "servicehours": AuditObject(_l("Operating hours"), values=TIMES),
}

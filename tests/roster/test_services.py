"""Planning and realisation without HTTP: refusals and warnings of the grid, fill range and copying last week across
a month boundary, publishing signed by the supervisor and changes after it, midnight shifts, the F-02 arithmetic."""
from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.core.audit import AuditEvent
from portal.core.service import ServiceError
from portal.extensions import db
from portal.roster import realisation
from portal.roster import services as roster
from portal.roster.models import Attendance, RosterEntry, Shift
from tests.factories import TEST_PASSWORD

NOV = date(2026, 11, 1)
DEC = date(2026, 12, 1)


def _codes(month_row, staff) -> dict:
    return {e.day: e.shift.code for e in db.session.scalars(select(RosterEntry).where(
        RosterEntry.month_id == month_row.id, RosterEntry.staff_id == staff.id))}


def test_cell_range_and_refusals(org, ctx):
    m = roster.month_for(org["team"], NOV, org["tl"])
    roster.set_cell(m, org["agent_staff"], date(2026, 11, 2), "p", org["tl"])
    assert _codes(m, org["agent_staff"]) == {date(2026, 11, 2): "P"}
    roster.fill_range(m, org["agent_staff"], date(2026, 11, 3), date(2026, 11, 6), "S", org["tl"])
    assert len(_codes(m, org["agent_staff"])) == 5
    roster.set_cell(m, org["agent_staff"], date(2026, 11, 2), "", org["tl"])  # a day off again
    assert date(2026, 11, 2) not in _codes(m, org["agent_staff"])
    with pytest.raises(ServiceError, match="(?i)tidak ada shift|no shift"):
        roster.set_cell(m, org["agent_staff"], date(2026, 11, 9), "ZZ", org["tl"])
    with pytest.raises(ServiceError):  # a person of another team
        roster.set_cell(m, org["other"], date(2026, 11, 9), "P", org["tl"])
    with pytest.raises(ServiceError):  # not in this month
        roster.set_cell(m, org["agent_staff"], date(2026, 12, 1), "P", org["tl"])
    # all or nothing: the range into December is refused as a whole
    with pytest.raises(ServiceError):
        roster.fill_range(m, org["agent_staff"], date(2026, 11, 20), date(2026, 12, 2), "P", org["tl"])
    assert date(2026, 11, 20) not in _codes(m, org["agent_staff"])
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("roster.%"))))
    assert {"roster.created", "roster.cell_set", "roster.range_filled"} <= actions


def test_no_contract_two_shifts_and_operating_hours_are_refused(org, ctx):
    dec = roster.month_for(org["team"], DEC, org["tl"])
    with pytest.raises(ServiceError, match="kontrak|contract"):
        roster.set_cell(dec, org["short"], date(2026, 12, 1), "P", org["tl"])  # contract ended 30 November
    m = roster.month_for(org["team"], NOV, org["tl"])
    roster.set_cell(m, org["short"], date(2026, 11, 30), "P", org["tl"])  # its last day is fine
    # a person moved between teams keeps one shift a day: B's roster already holds the day
    b = roster.month_for(org["team_b"], NOV, org["tl_b"])
    from portal.people.models import TeamMembership

    db.session.add(TeamMembership(staff_id=org["bayu"].id, team_id=org["team_b"].id, starts_on=date(2026, 11, 10),
                                  ends_on=date(2026, 11, 10)))
    db.session.flush()
    db.session.expire(org["bayu"])
    roster.set_cell(b, org["bayu"], date(2026, 11, 10), "P", org["tl_b"])
    with pytest.raises(ServiceError, match="shift"):
        roster.set_cell(m, org["bayu"], date(2026, 11, 10), "S", org["tl"])
    # outbound 08.00-17.00: a shift starting at 07.00 is outside the service's hours
    early = roster.save_shift(org["outbound"].id, {"code": "E", "starts": time(7), "ends": time(15), "break_minutes": 60}, org["admin"])
    out = roster.month_for(org["team_out"], NOV, org["tl_b"])
    with pytest.raises(ServiceError, match="jam operasional|operating hours"):
        roster.set_cell(out, org["tam"], date(2026, 11, 3), early.code, org["tl_b"])
    roster.set_cell(out, org["tam"], date(2026, 11, 3), "R", org["tl_b"])


def test_warnings_rest_days_in_a_row_and_gate(org, ctx):
    shifts = {s.code: s for s in roster.shifts_of(org["inbound"].id)}
    cells = {date(2026, 11, 2): shifts["S"], date(2026, 11, 3): shifts["P"]}  # 23.00 -> 07.00: 8 hours of rest
    warnings = roster.warnings_for(cells)
    assert list(warnings) == [date(2026, 11, 3)]
    week = {date(2026, 11, d): shifts["P"] for d in range(2, 10)}  # 8 days in a row
    warnings = roster.warnings_for(week)
    assert set(warnings) == {date(2026, 11, 8), date(2026, 11, 9)}
    assert all(len(v) == 1 for v in roster.warnings_for({date(2026, 11, 2): shifts["P"]}, gate_flagged=True).values())
    # the night shift then a morning shift two days later: 24 hours of rest, no warning
    assert roster.warnings_for({date(2026, 11, 2): shifts["M"], date(2026, 11, 4): shifts["P"]}) == {}


def test_the_grid_counts_heads_and_marks_blocked_days(org, ctx):
    m = roster.month_for(org["team"], DEC, org["tl"])
    roster.fill_range(m, org["agent_staff"], date(2026, 12, 1), date(2026, 12, 3), "P", org["tl"])
    roster.fill_range(m, org["bayu"], date(2026, 12, 1), date(2026, 12, 1), "P", org["tl"])
    g = roster.grid(org["team"], DEC, date(2026, 11, 30))
    p = next(s for s in g.shifts if s.code == "P")
    assert g.headcount[(p.id, date(2026, 12, 1))] == 2 and g.totals[date(2026, 12, 3)] == 1
    assert (org["short"].id, date(2026, 12, 5)) in g.blocked  # no contract in December
    assert date(2026, 12, 25) in g.off


def test_copy_last_week_across_the_month_boundary(org, ctx):
    nov = roster.month_for(org["team"], NOV, org["tl"])
    roster.fill_range(nov, org["agent_staff"], date(2026, 11, 24), date(2026, 11, 28), "S", org["tl"])
    roster.set_cell(nov, org["bayu"], date(2026, 11, 30), "M", org["tl"])
    dec = roster.month_for(org["team"], DEC, org["tl"])
    n = roster.copy_week(dec, date(2026, 12, 1), org["tl"])  # from 24-30 November
    assert n == 6
    assert _codes(dec, org["agent_staff"]) == {date(2026, 12, d): "S" for d in (1, 2, 3, 4, 5)}
    assert _codes(dec, org["bayu"]) == {date(2026, 12, 7): "M"}  # Monday 30 November's night shift, a week on
    assert roster.copy_week(dec, date(2026, 12, 1), org["tl"]) == 0  # copying again changes nothing


def test_publish_is_signed_by_the_supervisor_and_locks_the_month(org, ctx):
    m = roster.month_for(org["team"], NOV, org["tl"])
    with pytest.raises(ServiceError):
        roster.publish(m, TEST_PASSWORD, org["spv"])  # empty
    roster.fill_range(m, org["agent_staff"], date(2026, 11, 2), date(2026, 11, 6), "P", org["tl"])
    with pytest.raises(ServiceError):
        roster.publish(m, TEST_PASSWORD, org["tl"])  # a team leader does not publish
    with pytest.raises(ServiceError, match="password|Kata sandi|kata sandi"):
        roster.publish(m, "wrong", org["spv"])
    roster.publish(m, TEST_PASSWORD, org["spv"])
    assert m.is_published and m.published_name == org["spv"].full_name
    with pytest.raises(ServiceError):
        roster.set_cell(m, org["agent_staff"], date(2026, 11, 9), "P", org["tl"])
    with pytest.raises(ServiceError):
        roster.change_published(m, org["agent_staff"], date(2026, 11, 3), "S", "swap", "", org["tl"])  # no reason
    change = roster.change_published(m, org["agent_staff"], date(2026, 11, 3), "S", "swap", "Tukar dengan Bayu", org["tl"])
    roster.change_published(m, org["bayu"], date(2026, 11, 3), "P", "swap", "Tukar dengan Rina", org["tl"])
    assert (change.old_code, change.new_code) == ("P", "S")
    diffs = roster.differences(m)
    assert (str(org["agent_staff"].id), "2026-11-03", "P", "S") in diffs
    assert (str(org["bayu"].id), "2026-11-03", "", "P") in diffs
    assert m.published[str(org["agent_staff"].id)]["2026-11-03"] == "P"  # the signed version is kept
    assert len(roster.changes(m)) == 2


def _at(day: date, hh: int, mm: int) -> datetime:
    """A local (WIB) time as the UTC stored."""
    return realisation.to_utc(datetime.combine(day, time(hh, mm)), "Asia/Jakarta")


def test_midnight_shift_late_and_early_and_the_day_it_belongs_to(org, ctx):
    m = roster.month_for(org["team"], NOV, org["tl"])
    roster.set_cell(m, org["agent_staff"], date(2026, 11, 30), "M", org["tl"])  # 23.00 -> 07.00 on 1 December
    staff = org["agent_staff"]
    # at 02.00 on 1 December the running shift is the one of 30 November
    entry = realisation.entry_for_now(staff, datetime(2026, 12, 1, 2, 0))
    assert entry is not None and entry.day == date(2026, 11, 30)
    row = realisation.check_in(staff, org["agent"], "10.0.0.7", at=_at(date(2026, 11, 30), 23, 12))
    assert row.day == date(2026, 11, 30) and row.in_address == "10.0.0.7"
    with pytest.raises(ServiceError):
        realisation.check_in(staff, org["agent"], "10.0.0.7", at=_at(date(2026, 11, 30), 23, 20))
    realisation.check_out(staff, org["agent"], "10.0.0.8", at=_at(date(2026, 12, 1), 6, 40))
    [d] = realisation.days_of([staff.id], date(2026, 11, 30), date(2026, 11, 30), now_utc=_at(date(2026, 12, 1), 9, 0))
    assert d.late_minutes == 12 and d.late and d.early_minutes == 20 and d.early_leave
    assert d.shift.crosses_midnight and not d.on_time


def test_compliance_arithmetic(org, ctx):
    m = roster.month_for(org["team"], NOV, org["tl"])
    people = [org["agent_staff"], org["bayu"], org["short"]]
    for p in people:
        roster.fill_range(m, p, date(2026, 11, 2), date(2026, 11, 3), "P", org["tl"])  # 6 scheduled (07.00)
    a, b, c = people
    realisation.record_times(a, date(2026, 11, 2), datetime(2026, 11, 2, 6, 55), datetime(2026, 11, 2, 15, 0), org["tl"])  # on time
    realisation.record_times(a, date(2026, 11, 3), datetime(2026, 11, 3, 7, 5), datetime(2026, 11, 3, 15, 0), org["tl"])  # 5 = tolerance
    realisation.record_times(b, date(2026, 11, 2), datetime(2026, 11, 2, 7, 6), datetime(2026, 11, 2, 15, 0), org["tl"])  # late
    realisation.record_times(b, date(2026, 11, 3), datetime(2026, 11, 3, 7, 0), datetime(2026, 11, 3, 14, 0), org["tl"])  # early leave
    realisation.record_absence(c, date(2026, 11, 2), "sick", "Surat dokter", org["tl"])
    with pytest.raises(ServiceError):
        realisation.record_absence(c, date(2026, 11, 3), "sick", "", org["tl"])  # a sick day needs its note
    # 3 November: c has nothing recorded -> absent without a reason
    days = realisation.days_of([p.id for p in people], date(2026, 11, 1), date(2026, 11, 30), now_utc=datetime(2026, 11, 30, 12))
    total, per_person, per_day = realisation.tally(days)
    assert (total.scheduled, total.present, total.on_time, total.late, total.early_leave, total.absent) == (6, 4, 3, 1, 1, 2)
    assert total.by_reason == {"sick": 1, "unrecorded": 1}
    assert total.compliance == Decimal("50.00")
    assert per_person[b.id].compliance == Decimal("50.00") and per_person[c.id].compliance == Decimal("0.00")
    assert per_day[date(2026, 11, 2)].compliance == Decimal("33.33")
    assert realisation.tally([])[0].compliance is None
    assert {d.staff.id for d in realisation.exceptions(days)} == {b.id, c.id}


def test_a_shift_not_started_yet_is_not_counted(org, ctx):
    m = roster.month_for(org["team"], NOV, org["tl"])
    roster.set_cell(m, org["agent_staff"], date(2026, 11, 30), "S", org["tl"])  # 15.00
    [d] = realisation.days_of([org["agent_staff"].id], date(2026, 11, 30), date(2026, 11, 30), now_utc=_at(date(2026, 11, 30), 10, 0))
    assert d.state == "expected" and not d.absent
    assert realisation.tally([d])[0].compliance is None
    [d] = realisation.days_of([org["agent_staff"].id], date(2026, 11, 30), date(2026, 11, 30), now_utc=_at(date(2026, 11, 30), 15, 30))
    assert d.state == "absent"


def test_shift_and_hours_data(org, ctx):
    with pytest.raises(ServiceError):
        roster.save_shift(org["inbound"].id, {"code": "P", "starts": time(7), "ends": time(15)}, org["admin"])  # taken
    with pytest.raises(ServiceError):
        roster.save_shift(org["inbound"].id, {"code": "X", "starts": time(7), "ends": time(7)}, org["admin"])
    night = db.session.scalar(select(Shift).where(Shift.service_id == org["inbound"].id, Shift.code == "M"))
    assert night.crosses_midnight and night.hours == 7.0
    with pytest.raises(ServiceError):
        roster.save_hours(org["outbound"].id, {"opens": time(17), "closes": time(8)}, org["admin"])
    assert db.session.scalar(select(Attendance.id)) is None

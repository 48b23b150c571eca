"""The working-day calendar in core: weekends, Indonesian public holidays (the holidays package) and the company's
own days off; HK+3 deadlines across them."""
from __future__ import annotations

from datetime import date

from portal.core import workdays
from portal.core.workdays import CompanyDayOff
from portal.extensions import db


def test_weekends_and_public_holidays_are_not_working_days(app):
    with app.test_request_context():
        assert workdays.is_working_day(date(2026, 11, 30))  # a Monday
        assert not workdays.is_working_day(date(2026, 11, 28))  # Saturday
        assert not workdays.is_working_day(date(2026, 8, 17))  # Hari Kemerdekaan, a Monday
        assert workdays.public_holiday(date(2026, 8, 17))
        assert not workdays.is_working_day(date(2026, 12, 25))


def test_hk3_skips_the_weekend(app):
    with app.test_request_context():
        assert workdays.add_working_days(date(2026, 11, 27), 3) == date(2026, 12, 2)  # Friday -> Wednesday
        assert workdays.add_working_days(date(2026, 11, 24), 3) == date(2026, 11, 27)  # Tuesday -> Friday


def test_a_public_holiday_inside_hk3_pushes_the_deadline(app):
    with app.test_request_context():
        # Friday 14 August 2026: Monday 17 is Independence Day, so Tue 18, Wed 19, Thu 20.
        assert workdays.add_working_days(date(2026, 8, 14), 3) == date(2026, 8, 20)
        assert workdays.working_days_between(date(2026, 8, 14), date(2026, 8, 20)) == 3


def test_a_company_day_off_counts_like_a_holiday(app):
    with app.test_request_context():
        assert workdays.add_working_days(date(2026, 11, 24), 3) == date(2026, 11, 27)
        db.session.add(CompanyDayOff(day=date(2026, 11, 26), name="Cuti bersama"))
        db.session.flush()
        assert not workdays.is_working_day(date(2026, 11, 26))
        assert workdays.add_working_days(date(2026, 11, 24), 3) == date(2026, 11, 30)
        assert workdays.days_off(date(2026, 11, 1), date(2026, 11, 30))[date(2026, 11, 26)] == "Cuti bersama"


def test_a_long_holiday_is_crossed(app):
    with app.test_request_context():
        for d in range(1, 28):  # a whole month of collective leave
            db.session.add(CompanyDayOff(day=date(2027, 2, d), name="Libur"))
        db.session.flush()
        due = workdays.add_working_days(date(2027, 1, 29), 3)  # Friday
        assert due == date(2027, 3, 3)
        assert workdays.add_working_days(date(2027, 1, 30), 0) == date(2027, 3, 1)  # Saturday, then a month off

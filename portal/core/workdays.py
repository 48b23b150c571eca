"""The working-day calendar every module uses: weekends and Indonesian public holidays (the maintained `holidays`
package, country ID) are not working days, nor are the company's own days off (collective leave, kept in a table
and managed by an administrator). `add_working_days(day, 3)` gives an "HK+3" deadline."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import utcnow
from portal.extensions import db


class CompanyDayOff(db.Model):
    """A day the company does not work although it is neither a weekend nor a public holiday (cuti bersama)."""

    __tablename__ = "company_day_off"
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(120))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<CompanyDayOff {self.day} {self.name}>"


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> dict[date, str]:
    import holidays

    return dict(holidays.country_holidays("ID", years=year, language="id"))


def public_holidays(year: int) -> dict[date, str]:
    """The Indonesian public holidays of a year, with their Indonesian names."""
    return dict(_public_holidays(year))


def public_holiday(day: date) -> str | None:
    """The name of the Indonesian public holiday on `day` (in Indonesian), or None."""
    return _public_holidays(day.year).get(day)


def days_off(start: date, end: date) -> dict[date, str]:
    """Every day between start and end (inclusive) that is not worked, weekends aside: public holidays and the
    company's days off, with their names (one statement)."""
    out: dict[date, str] = {}
    for year in range(start.year, end.year + 1):
        out.update({d: n for d, n in _public_holidays(year).items() if start <= d <= end})
    for day, name in db.session.execute(select(CompanyDayOff.day, CompanyDayOff.name)
                                        .where(CompanyDayOff.day >= start, CompanyDayOff.day <= end)):
        out[day] = name
    return out


def is_working_day(day: date, off: dict[date, str] | None = None) -> bool:
    """Monday to Friday, not a public holiday nor a company day off (`off`: days_off() already loaded)."""
    if day.weekday() >= 5:
        return False
    if off is None:
        off = days_off(day, day)
    return day not in off


def add_working_days(day: date, n: int) -> date:
    """The n-th working day after `day` (n >= 0; n = 0: `day` itself if it is a working day, else the next one).
    HK+3 of a Friday report is the next Wednesday; holidays and company days off in between push it further."""
    # Two weeks of slack per three working days covers Lebaran's collective leave; widened when it does not.
    span = max(14, n * 3 + 14)
    while True:
        off = days_off(day, day + timedelta(days=span))
        current, left = day, n
        if n == 0:
            while current <= day + timedelta(days=span):
                if is_working_day(current, off):
                    return current
                current += timedelta(days=1)
        else:
            while current < day + timedelta(days=span):
                current += timedelta(days=1)
                if is_working_day(current, off):
                    left -= 1
                    if left == 0:
                        return current
        span *= 2


def working_days_between(start: date, end: date) -> int:
    """How many working days lie after `start` up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    off = days_off(start, end)
    return sum(1 for i in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=i), off))

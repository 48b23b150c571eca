"""Retention arithmetic and the disposal rule: nothing is ever removed before its date or while held."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings, strategies as st

from portal.records import retention
from portal.records.retention import Retention


@pytest.mark.parametrize("text, expected", [
    ("2 Tahun", Retention("fixed", 2, "years")),
    ("2 TAHUN", Retention("fixed", 2, "years")),
    ("6 bulan", Retention("fixed", 6, "months")),
    ("30 Hari", Retention("fixed", 30, "days")),
    ("Selama PKS", Retention("contract")),
    ("selama kontrak berlaku", Retention("contract")),
    ("", Retention("unknown")),
    ("Permanen", Retention("unknown")),
    ("0 Tahun", Retention("unknown")),
    ("dua tahun", Retention("unknown")),
])
def test_parse(text, expected):
    assert retention.parse(text) == expected


@pytest.mark.parametrize("start, amount, unit, expected", [
    (date(2024, 1, 31), 1, "months", date(2024, 2, 29)),
    (date(2024, 2, 29), 1, "years", date(2025, 2, 28)),
    (date(2023, 6, 5), 2, "years", date(2025, 6, 5)),
    (date(2025, 11, 30), 3, "months", date(2026, 2, 28)),
    (date(2026, 1, 1), 30, "days", date(2026, 1, 31)),
])
def test_add(start, amount, unit, expected):
    assert retention.add(start, amount, unit) == expected


def test_disposal_date_is_the_day_after_the_full_period():
    assert retention.disposal_date(Retention("fixed", 2, "years"), date(2024, 1, 31), None) == date(2026, 2, 1)
    assert retention.disposal_date(Retention("contract"), date(2024, 1, 31), date(2025, 12, 31)) == date(2026, 1, 1)
    assert retention.disposal_date(Retention("contract"), date(2026, 3, 1), date(2025, 12, 31)) == date(2026, 3, 2)
    assert retention.disposal_date(Retention("contract"), date(2024, 1, 31), None) is None
    assert retention.disposal_date(Retention("unknown"), date(2024, 1, 31), date(2025, 1, 1)) is None


TEXTS = st.one_of(st.sampled_from(["2 Tahun", "1 tahun", "5 TAHUN", "3 Bulan", "18 bulan", "90 Hari", "Selama PKS",
                                   "Permanen", "", "selama kontrak"]),
                  st.builds(lambda n, u: f"{n} {u}", st.integers(0, 30), st.sampled_from(["Tahun", "Bulan", "Hari", "Minggu"])),
                  st.text(max_size=20))


@settings(max_examples=1000, deadline=None, derandomize=True)
@given(text=TEXTS, period_end=st.dates(date(2000, 1, 1), date(2040, 12, 31)),
       contract_end=st.one_of(st.none(), st.dates(date(2000, 1, 1), date(2045, 12, 31))),
       today=st.dates(date(2000, 1, 1), date(2080, 12, 31)), held=st.booleans())
def test_nothing_is_disposable_before_its_date_or_while_held(text, period_end, contract_end, today, held):
    """1,000 random cases: the rule allows disposal only on or after the end of the full retention period
    (and of the contract, for "Selama PKS"), never under a legal hold, never for an unreadable retention."""
    r = retention.parse(text)
    due = retention.disposal_date(r, period_end, contract_end)
    allowed = retention.may_dispose(due, today, held)
    if held or r.kind == "unknown":
        assert not allowed
    if allowed:
        assert today > period_end
        if r.kind == "fixed":
            assert today > retention.add(period_end, r.amount, r.unit)
            kept_days = (today - period_end).days
            minimum = {"days": r.amount, "months": 28 * r.amount, "years": 365 * r.amount}[r.unit]
            assert kept_days > minimum
        if r.kind == "contract":
            assert contract_end is not None and today > contract_end
    if due is not None and not held:
        assert retention.may_dispose(due, due, False) and not retention.may_dispose(due, due - timedelta(days=1), False)

"""Retention arithmetic: "2 Tahun", "6 Bulan", "30 Hari" from the end of the record's period, or "Selama PKS"
(for the life of the client contract: until the contract's end date)."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

UNITS = {"tahun": "years", "thn": "years", "year": "years", "years": "years",
         "bulan": "months", "bln": "months", "month": "months", "months": "months",
         "hari": "days", "day": "days", "days": "days"}
FIXED_RE = re.compile(r"^\s*(\d{1,3})\s*([a-z]+)\s*$", re.IGNORECASE)
CONTRACT_RE = re.compile(r"^\s*(selama|sepanjang)\s+(pks|kontrak|perjanjian)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Retention:
    kind: str  # "fixed" | "contract" | "unknown"
    amount: int = 0
    unit: str = ""  # years | months | days

    @property
    def known(self) -> bool:
        return self.kind != "unknown"


@lru_cache(maxsize=1024)  # a pure function of the text; the disposal count asks it once per group of records
def parse(text: str | None) -> Retention:
    """Read a retention period as the SOPs write it; anything else is "unknown" (never disposable)."""
    text = (text or "").strip()
    m = FIXED_RE.match(text)
    if m and m.group(2).lower() in UNITS and int(m.group(1)) > 0:
        return Retention("fixed", int(m.group(1)), UNITS[m.group(2).lower()])
    if CONTRACT_RE.match(text):
        return Retention("contract")
    return Retention("unknown")


def add(start: date, amount: int, unit: str) -> date:
    """start + amount units; the 31st plus a month is the last day of that month, 29 Feb plus a year is 28 Feb."""
    if unit == "days":
        return start + timedelta(days=amount)
    months = amount * 12 if unit == "years" else amount
    y, m = divmod(start.month - 1 + months, 12)
    year, month = start.year + y, m + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@lru_cache(maxsize=8192)  # a pure function of its arguments; the disposal count asks it once per group of records
def disposal_date(retention: Retention, period_end: date, contract_end: date | None) -> date | None:
    """The first day a record may be disposed of; None while it cannot be known (an open contract, unknown text).

    A record is kept for its whole retention period: "2 Tahun" for a period ending on 31 Jan 2024
    may be disposed of from 1 Feb 2026, never earlier.
    """
    try:
        if retention.kind == "fixed":
            return add(period_end, retention.amount, retention.unit) + timedelta(days=1)
        if retention.kind == "contract" and contract_end is not None:
            return max(contract_end, period_end) + timedelta(days=1)
    except (OverflowError, ValueError):  # beyond the calendar (a date near 9999): never disposable, never a 500
        return None
    return None


def may_dispose(due: date | None, today: date, legal_hold: bool) -> bool:
    """The one rule: a known date that has come, and no legal hold."""
    return due is not None and today >= due and not legal_hold

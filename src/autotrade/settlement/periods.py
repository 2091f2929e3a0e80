"""Settlement periods: China-time calendar days, stored as UTC instants [start, end)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from autotrade.settlement.errors import InvalidPeriod

CHINA = ZoneInfo("Asia/Shanghai")
MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    start: datetime  # UTC: China-time midnight of the first day
    end: datetime  # UTC: China-time midnight after the last day (exclusive)
    label: str  # "2026-11" or "2026-11-01~2026-11-15"
    code: str  # for statement numbers: "202611" or "20261101-20261115"


def _midnight(d: date) -> datetime:
    return datetime.combine(d, time(0), tzinfo=CHINA).astimezone(UTC)


def month(value: str) -> Period:
    try:
        year, mon = (int(x) for x in value.split("-"))
        first = date(year, mon, 1)
    except ValueError as e:
        raise InvalidPeriod(f"{value!r} is not a month like 2026-11", field="period") from e
    nxt = date(year + (mon == 12), 1 if mon == 12 else mon + 1, 1)
    return Period(_midnight(first), _midnight(nxt), f"{year:04d}-{mon:02d}", f"{year:04d}{mon:02d}")


def days(first: date, last: date) -> Period:
    if last < first:
        raise InvalidPeriod("date_to is before date_from", field="date_to")
    if (last - first).days >= MAX_DAYS:
        raise InvalidPeriod(f"a period spans at most {MAX_DAYS} days", field="date_to")
    return Period(
        _midnight(first),
        _midnight(last + timedelta(days=1)),
        f"{first.isoformat()}~{last.isoformat()}",
        f"{first:%Y%m%d}-{last:%Y%m%d}",
    )


def parse(period: str | None, date_from: date | None, date_to: date | None) -> Period:
    """A month (``2026-11``) or inclusive China-time dates; exactly one of the two forms."""
    if period and (date_from or date_to):
        raise InvalidPeriod("give either period or date_from/date_to, not both", field="period")
    if period:
        return month(period)
    if date_from is None or date_to is None:
        raise InvalidPeriod(
            "give a month (period=2026-11) or both date_from and date_to",
            field="date_from" if date_from is None else "date_to",
        )
    return days(date_from, date_to)


def china_date(at: datetime) -> date:
    return at.astimezone(CHINA).date()

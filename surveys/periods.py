"""Reporting periods as the plans name them, in the commune's time zone.

``2026-07`` a month, ``2026-Q3`` a quarter, ``2026-H1``/``2026-H2`` half-years,
``2026-6M`` and ``2026-9M`` the 6- and 9-month reports (from 1 January), ``2026`` the
year. A period is [start, end) in local dates; ``utc_bounds`` turns it into the
timestamps stored in the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config import TIMEZONE

LOCAL = ZoneInfo(TIMEZONE)
_PATTERN = re.compile(r"^(\d{4})(?:-(?:(\d{1,2})|Q([1-4])|H([12])|(6|9)M))?$", re.I)


@dataclass(frozen=True)
class Period:
    label: str
    start: date  # first day
    end: date  # the day after the last

    def utc_bounds(self) -> tuple[datetime, datetime]:
        return (local_midnight(self.start), local_midnight(self.end))

    def months(self) -> list[Period]:
        result, first = [], self.start
        while first < self.end:
            nxt = _add_months(first, 1)
            result.append(Period(f"{first:%Y-%m}", first, min(nxt, self.end)))
            first = nxt
        return result

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def title(self) -> str:
        """How a Vietnamese report names the period."""
        label = self.label.upper()
        year = self.start.year
        if re.fullmatch(r"\d{4}-Q[1-4]", label):
            return f"Quý {['I', 'II', 'III', 'IV'][int(label[-1]) - 1]} năm {year}"
        if re.fullmatch(r"\d{4}-\d{2}", label):
            return f"Tháng {self.start.month} năm {year}"
        if label.endswith("-H1") or label.endswith("-6M"):
            return f"6 tháng đầu năm {year}"
        if label.endswith("-H2"):
            return f"6 tháng cuối năm {year}"
        if label.endswith("-9M"):
            return f"9 tháng đầu năm {year}"
        if re.fullmatch(r"\d{4}", label):
            return f"Năm {year}"
        return f"Từ {self.start:%d/%m/%Y} đến {self.end - timedelta(days=1):%d/%m/%Y}"


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), LOCAL).astimezone(UTC)


def local_date(moment: datetime) -> date:
    return moment.astimezone(LOCAL).date()


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def parse_period(text: str) -> Period:
    match = _PATTERN.match(text.strip())
    if match is None:
        raise ValueError(
            f"unknown period {text!r}: use 2026-07, 2026-Q3, 2026-H1, 2026-6M, 2026-9M or 2026"
        )
    year = int(match.group(1))
    month, quarter, half, months = match.group(2), match.group(3), match.group(4), match.group(5)
    label = text.strip().upper()
    if month:
        m = int(month)
        if not 1 <= m <= 12:
            raise ValueError(f"no month {m}")
        start = date(year, m, 1)
        return Period(f"{year}-{m:02d}", start, _add_months(start, 1))
    if quarter:
        start = date(year, 3 * int(quarter) - 2, 1)
        return Period(label, start, _add_months(start, 3))
    if half:
        start = date(year, 1 if half == "1" else 7, 1)
        return Period(label, start, _add_months(start, 6))
    if months:
        start = date(year, 1, 1)
        return Period(label, start, _add_months(start, int(months)))
    return Period(str(year), date(year, 1, 1), date(year + 1, 1, 1))


def between(start: date, end_inclusive: date) -> Period:
    return Period(f"{start}..{end_inclusive}", start, end_inclusive + timedelta(days=1))

"""The working calendar: which days and hours count towards a deadline.

Vietnamese public holidays, including the lunar Tết days and the substitute days off
for holidays on a weekend, come from the maintained ``holidays`` package (country "VN").
Each year the government also moves days (an extra day off bridged to a holiday,
paid back by working a Saturday); staff record those as days off and working days, and
they win over both the weekday rule and the package.

Deadlines count working days from the day after receipt and end when the office closes
on the last one. Pauses (waiting for the resident) are measured in working time and
push the deadline by exactly that much working time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from bot.config import TIMEZONE
from complaints.config import WorkingHours

_MAX_DAYS = 3660  # safety bound for the day walks below


@lru_cache(maxsize=4)
def _public_holidays(country: str) -> holidays.HolidayBase:
    # Expands to new years lazily on lookup; one shared instance per country.
    return holidays.country_holidays(country, language="vi")


class WorkingCalendar:
    def __init__(
        self,
        hours: WorkingHours | None = None,
        *,
        days_off: Iterable[date] = (),
        working_days: Iterable[date] = (),
        timezone: str = TIMEZONE,
        country: str = "VN",
    ) -> None:
        self.hours = hours or WorkingHours()
        self.days_off = frozenset(days_off)
        self.working_days = frozenset(working_days)
        self.tz = ZoneInfo(timezone)
        self.country = country

    # --- days ------------------------------------------------------------------------

    def holiday_name(self, day: date) -> str | None:
        name = _public_holidays(self.country).get(day)
        return str(name) if name else None

    def is_working_day(self, day: date) -> bool:
        if day in self.working_days:
            return True
        if day in self.days_off:
            return False
        if day in _public_holidays(self.country):
            return False
        return day.weekday() in self.hours.weekdays

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        for _ in range(_MAX_DAYS):
            day += timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise ValueError("no working day within ten years")

    # --- times -----------------------------------------------------------------------

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def opens(self, day: date) -> datetime:
        return datetime.combine(day, self.hours.start, self.tz)

    def closes(self, day: date) -> datetime:
        return datetime.combine(day, self.hours.end, self.tz)

    def is_working_time(self, moment: datetime) -> bool:
        local = self.local(moment)
        day = local.date()
        return self.is_working_day(day) and self.opens(day) <= local < self.closes(day)

    def next_opening(self, moment: datetime) -> datetime:
        """``moment`` if the office is open then, else when it next opens (UTC)."""
        if self.is_working_time(moment):
            return moment
        local = self.local(moment)
        day = local.date()
        if self.is_working_day(day) and local < self.opens(day):
            return self.opens(day).astimezone(UTC)
        return self.opens(self.next_working_day(day)).astimezone(UTC)

    def deadline(self, received: datetime, working_days: int) -> datetime:
        """Closing time of the ``working_days``-th working day after the day of receipt.

        Zero means the same day if it is a working day, else the next one.
        """
        day = self.local(received).date()
        if working_days <= 0:
            if not self.is_working_day(day):
                day = self.next_working_day(day)
            return self.closes(day).astimezone(UTC)
        for _ in range(working_days):
            day = self.next_working_day(day)
        return self.closes(day).astimezone(UTC)

    def working_seconds(self, start: datetime, end: datetime) -> float:
        """Working time between two moments, in seconds (0 if ``end`` is not later)."""
        if end <= start:
            return 0.0
        a, b = self.local(start), self.local(end)
        total = 0.0
        day = a.date()
        for _ in range(_MAX_DAYS):
            if day > b.date():
                break
            if self.is_working_day(day):
                lo = max(a, self.opens(day))
                hi = min(b, self.closes(day))
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += timedelta(days=1)
        return total

    def add_working_seconds(self, moment: datetime, seconds: float) -> datetime:
        """The moment ``seconds`` of working time after ``moment`` (UTC)."""
        if seconds <= 0:
            return moment
        local = self.local(moment)
        day = local.date()
        remaining = seconds
        for _ in range(_MAX_DAYS):
            if self.is_working_day(day):
                position = max(local, self.opens(day))
                available = (self.closes(day) - position).total_seconds()
                if available > 0:
                    if remaining <= available:
                        return (position + timedelta(seconds=remaining)).astimezone(UTC)
                    remaining -= available
            day += timedelta(days=1)
            local = self.opens(day)
        raise ValueError("pause longer than ten years")

"""Working time between two moments: opening hours in Wuppertal, without holidays.

Targets for handovers count working time, not nights, weekends and public
holidays of North Rhine-Westphalia (from the ``holidays`` package).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays

from zentrum.domain.clock import LOCAL_TZ


@dataclass(frozen=True)
class OpeningHours:
    """Daily opening hours on the given weekdays (0 = Monday)."""

    opens: time = time(8, 0)
    closes: time = time(18, 0)
    weekdays: frozenset[int] = frozenset(range(5))

    @property
    def day_minutes(self) -> int:
        """Working minutes of one full working day."""
        return (self.closes.hour * 60 + self.closes.minute) - (
            self.opens.hour * 60 + self.opens.minute
        )


DEFAULT_HOURS = OpeningHours()


@lru_cache(maxsize=64)
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("DE", subdiv="NW", years=year)


@lru_cache(maxsize=4096)
def is_working_day(day: date, hours: OpeningHours = DEFAULT_HOURS) -> bool:
    """True on an opening weekday that is no public holiday in NRW."""
    return day.weekday() in hours.weekdays and day not in _holidays(day.year)


@lru_cache(maxsize=4096)
def _day_window(day: date, hours: OpeningHours) -> tuple[datetime, datetime]:
    """Opening and closing of one local day, as UTC (so that arithmetic is real time).

    Kept, like ``is_working_day``: the dashboard counts the working time of every waiting
    offer, day by day, and the days repeat from offer to offer."""
    return (
        datetime.combine(day, hours.opens, tzinfo=LOCAL_TZ).astimezone(UTC),
        datetime.combine(day, hours.closes, tzinfo=LOCAL_TZ).astimezone(UTC),
    )


def business_time(start: datetime, end: datetime, hours: OpeningHours = DEFAULT_HOURS) -> timedelta:
    """Working time between two aware moments; zero when end is not after start."""
    if end <= start:
        return timedelta(0)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    first = start.astimezone(LOCAL_TZ).date()
    last = end.astimezone(LOCAL_TZ).date()
    total = timedelta(0)
    day = first
    while day <= last:
        total += _worked(day, start, end, hours)
        day += timedelta(days=1)
    return total


def business_times(
    starts: Sequence[datetime], end: datetime, hours: OpeningHours = DEFAULT_HOURS
) -> list[timedelta]:
    """``business_time(start, end)`` for each of many starts and one end (every waiting
    offer up to now): the days from the earliest start to the end are walked once, and
    each start adds only its own day to the working time of the days after it."""
    end = end.astimezone(UTC)
    last = end.astimezone(LOCAL_TZ).date()
    days = [start.astimezone(LOCAL_TZ).date() for start in starts]
    # after[day]: working time of the days after ``day`` up to the end.
    after: dict[date, timedelta] = {}
    total, day = timedelta(0), last
    first = min(days, default=last)
    while day >= first:
        after[day] = total
        total += _worked(day, None, end, hours)
        day -= timedelta(days=1)
    # Many starts share a day: its window is looked up once.
    windows = {
        day: _day_window(day, hours) if is_working_day(day, hours) else None for day in after
    }
    result = []
    for start, day in zip(starts, days, strict=True):
        if start >= end:
            result.append(timedelta(0))
            continue
        worked, window = after[day], windows[day]
        if window is not None:
            lo, hi = max(start, window[0]), min(end, window[1])
            if hi > lo:
                worked += hi - lo
        result.append(worked)
    return result


def _worked(day: date, start: datetime | None, end: datetime, hours: OpeningHours) -> timedelta:
    """Working time of one day from ``start`` (None: its opening) up to ``end``."""
    if not is_working_day(day, hours):
        return timedelta(0)
    opens, closes = _day_window(day, hours)
    lo, hi = max(start or opens, opens), min(end, closes)
    return hi - lo if hi > lo else timedelta(0)


def add_business_time(
    start: datetime, amount: timedelta, hours: OpeningHours = DEFAULT_HOURS
) -> datetime:
    """The moment when ``amount`` of working time after ``start`` has passed."""
    if amount < timedelta(0):
        # Counting on with a negative amount gave moments before opening or after start.
        raise ValueError("add_business_time: amount must not be negative")
    remaining = amount
    start = start.astimezone(UTC)
    day = start.astimezone(LOCAL_TZ).date()
    while True:
        if is_working_day(day, hours):
            opens, closes = _day_window(day, hours)
            lo = max(start, opens)
            if closes > lo:
                if lo + remaining <= closes:
                    return lo + remaining
                remaining -= closes - lo
        day += timedelta(days=1)

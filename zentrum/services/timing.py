"""Working time of the house, as configured, for the services and reports."""

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from zentrum.domain.business_hours import (
    DEFAULT_HOURS,
    OpeningHours,
    business_time,
    business_times,
)
from zentrum.domain.clock import local_date

_hours: list[OpeningHours] = [DEFAULT_HOURS]


def parse_opening_hours(text: str, days: str) -> OpeningHours:
    """Opening hours from "08:00-18:00" and weekdays from "0-4" or "0,1,2,3,4" (0 = Monday)."""
    opens, _sep, closes = text.partition("-")
    if "-" in days:
        first, last = (int(part) for part in days.split("-", 1))
        weekdays = frozenset(range(first, last + 1))
    else:
        weekdays = frozenset(int(part) for part in days.split(",") if part.strip())
    hours = OpeningHours(
        time.fromisoformat(opens.strip()), time.fromisoformat(closes.strip()), weekdays
    )
    if hours.day_minutes <= 0 or not weekdays <= set(range(7)) or not weekdays:
        raise ValueError(f"unusable opening hours: {text!r} on {days!r}")
    return hours


def configure_hours(config) -> None:
    """Take the opening hours from the app's configuration."""
    _hours[0] = parse_opening_hours(config["OPENING_HOURS"], config["OPENING_DAYS"])


def house_hours() -> OpeningHours:
    """The opening hours in force."""
    return _hours[0]


def working_seconds(start: datetime, end: datetime) -> int:
    """Working seconds between two moments, under the house's opening hours."""
    return int(business_time(start, end, house_hours()).total_seconds())


def working_seconds_until(starts: Sequence[datetime], end: datetime) -> list[int]:
    """``working_seconds(start, end)`` for each of many starts, the days walked once."""
    return [int(t.total_seconds()) for t in business_times(starts, end, house_hours())]


def wall_seconds(start: datetime, end: datetime) -> int:
    """Seconds between two moments."""
    return int((end - start).total_seconds())


def week_of(moment: datetime) -> date:
    """Monday of the Wuppertal week of a moment."""
    return monday_of(local_date(moment))


def monday_of(day: date) -> date:
    """Monday of a day's week."""
    return day - timedelta(days=day.weekday())


def mondays(first: date, last: date) -> list[date]:
    """The Mondays from ``first`` (a Monday) up to ``last``, a week apart (none when
    ``last`` lies before ``first``)."""
    return [first + timedelta(days=7 * n) for n in range((last - first).days // 7 + 1)]

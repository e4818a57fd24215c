"""Report periods: this week, last 4 weeks, this quarter, or chosen days (Wuppertal time)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from zentrum.domain.clock import LOCAL_TZ, local_date


@dataclass(frozen=True)
class Period:
    """From the start of ``first`` to the end of ``last`` (local days), as UTC bounds."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), tzinfo=LOCAL_TZ).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """Exclusive end: midnight after the last day."""
        after = self.last + timedelta(days=1)
        return datetime.combine(after, time(0), tzinfo=LOCAL_TZ).astimezone(UTC)


PRESETS = ("week", "4weeks", "quarter", "custom")
# What the dashboard shows first.
DEFAULT_PRESET = "4weeks"


def preset(name: str, now: datetime) -> Period:
    """A named period around ``now``: this week, the last 4 weeks, this quarter."""
    today = local_date(now)
    if name == "week":
        return Period(today - timedelta(days=today.weekday()), today)
    if name == "quarter":
        month = 3 * ((today.month - 1) // 3) + 1
        return Period(date(today.year, month, 1), today)
    return Period(today - timedelta(days=27), today)


def previous_month(now: datetime) -> Period:
    """The whole calendar month before ``now``."""
    first_of_this = local_date(now).replace(day=1)
    last = first_of_this - timedelta(days=1)
    return Period(last.replace(day=1), last)

"""Local time of the house: Europe/Berlin, for display and calendar days only."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Europe/Berlin")


def local_date(moment: datetime) -> date:
    """The calendar day in Wuppertal at an aware moment."""
    return moment.astimezone(LOCAL_TZ).date()


def start_of_local_day(moment: datetime) -> datetime:
    """Midnight in Wuppertal on the day of ``moment``, as aware UTC."""
    midnight = datetime.combine(local_date(moment), time(0), tzinfo=LOCAL_TZ)
    return midnight.astimezone(UTC)

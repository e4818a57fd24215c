"""Display of dates in Europe/Berlin and of durations ("3 Std. 20 Min."), per language."""

from datetime import date, datetime, timedelta

from flask_babel import get_locale, get_timezone

from zentrum.translating import gettext as _

# German as German offices write it (24.11.2026, 14:05); English with the month's short
# name (24 Nov 2026, 14:05), so that neither reader mistakes day and month. Written with
# strftime and a fixed month list: the same text as Babel's patterns at a tenth of the
# cost (a case page shows hundreds of moments).
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _english() -> bool:
    locale = get_locale()
    return bool(locale and locale.language == "en")


def _day_text(day: date) -> str:
    if _english():
        return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"
    return day.strftime("%d.%m.%Y")


def local_datetime_text(value: datetime | None) -> str:
    """A moment in Wuppertal time, e.g. "24.11.2026, 14:05" or "24 Nov 2026, 14:05"."""
    if not value:
        return ""
    moment = value.astimezone(get_timezone())
    return f"{_day_text(moment)}, {moment:%H:%M}"


def local_time_text(value: datetime | None) -> str:
    """The time of a moment in Wuppertal, e.g. "14:05"."""
    return value.astimezone(get_timezone()).strftime("%H:%M") if value else ""


def local_date_text(value: date | datetime | None) -> str:
    """A day, e.g. "24.11.2026" or "24 Nov 2026" (a moment: its day in Wuppertal)."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(get_timezone())
    return _day_text(value)


def format_duration(value: timedelta | int | float | None) -> str:
    """A duration in days, hours and minutes, shortened as German offices write it."""
    if value is None:
        return ""
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    minutes = int(max(seconds, 0) // 60)
    if minutes < 1:
        return _("unter 1 Min.")
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)d T.", n=days))
    if hours:
        parts.append(_("%(n)d Std.", n=hours))
    if mins and not days:
        parts.append(_("%(n)d Min.", n=mins))
    return " ".join(parts)

"""Display of dates in Europe/Berlin and of durations ("3 Std. 20 Min."), per language."""

from datetime import date, datetime, timedelta

from flask_babel import format_date, format_datetime, get_locale
from flask_babel import gettext as _

# German as German offices write it (24.11.2026, 14:05); English with the month's short
# name (24 Nov 2026, 14:05), so that neither reader mistakes day and month.
DATE_PATTERNS = {"de": "dd.MM.yyyy", "en": "d MMM yyyy"}
TIME_PATTERN = "HH:mm"


def _date_pattern() -> str:
    locale = get_locale()
    return DATE_PATTERNS.get(locale.language if locale else "de", DATE_PATTERNS["de"])


def local_datetime_text(value: datetime | None) -> str:
    """A moment in Wuppertal time, e.g. "24.11.2026, 14:05" or "24 Nov 2026, 14:05"."""
    if not value:
        return ""
    return format_datetime(value, f"{_date_pattern()}, {TIME_PATTERN}")


def local_date_text(value: date | datetime | None) -> str:
    """A day, e.g. "24.11.2026" or "24 Nov 2026" (a moment: its day in Wuppertal)."""
    if not value:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, _date_pattern())
    return format_date(value, _date_pattern())


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

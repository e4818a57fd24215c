"""German display of durations ("3 Std. 20 Min.") and of moments ("24.11.2026, 14:05")."""

from datetime import datetime, timedelta

from flask_babel import get_timezone
from flask_babel import gettext as _


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


def format_moment(value: datetime | None, pattern: str = "%d.%m.%Y, %H:%M") -> str:
    """A moment in the request's time zone (Europe/Berlin), e.g. ``24.11.2026, 14:05``.

    A fixed numeric pattern needs no CLDR lookup: strftime gives the same text as Babel's
    ``format_datetime`` at a tenth of the cost (a case page shows hundreds of moments).
    """
    return value.astimezone(get_timezone()).strftime(pattern) if value else ""

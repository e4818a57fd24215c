"""German display of durations ("3 Std. 20 Min.")."""

from datetime import timedelta

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

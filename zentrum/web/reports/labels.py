"""German labels of the dashboard's own vocabularies: periods, age and target-share buckets."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from zentrum.domain.business_hours import OpeningHours

REPORT_LABELS = {
    "period": {
        "week": _l("Diese Woche"),
        "4weeks": _l("Letzte 4 Wochen"),
        "quarter": _l("Quartal"),
        "custom": _l("Zeitraum von – bis"),
    },
    "age": {
        "under_week": _l("unter 1 Woche"),
        "one_to_four_weeks": _l("1 bis 4 Wochen"),
        "one_to_three_months": _l("1 bis 3 Monate"),
        "over_three_months": _l("über 3 Monate"),
    },
    "share": {
        "under_half": _l("unter 50 % der Zielzeit"),
        "half_to_80": _l("50 bis 80 %"),
        "80_to_100": _l("80 bis 100 %"),
        "over": _l("über der Zielzeit"),
    },
    "measure": {
        "business": _l("Arbeitszeit"),
        "wall": _l("Kalenderzeit"),
    },
}

_WEEKDAYS = (_l("Mo"), _l("Di"), _l("Mi"), _l("Do"), _l("Fr"), _l("Sa"), _l("So"))


def report_label(kind: str, value: str | None) -> str:
    """The German label of a dashboard value; the value itself when it has none."""
    if value is None:
        return ""
    return str(REPORT_LABELS[kind].get(value, value))


def describe_hours(hours: OpeningHours) -> str:
    """Opening hours as German offices write them: "Mo–Fr 08:00–18:00 Uhr"."""
    days = sorted(hours.weekdays)
    if days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
        day_text = f"{_WEEKDAYS[days[0]]}–{_WEEKDAYS[days[-1]]}"
    else:
        day_text = ", ".join(str(_WEEKDAYS[d]) for d in days)
    return _(
        "%(days)s %(opens)s–%(closes)s Uhr",
        days=day_text,
        opens=hours.opens.strftime("%H:%M"),
        closes=hours.closes.strftime("%H:%M"),
    )


def percent(share: float | None) -> str:
    """A share as a German whole percentage ("83 %"); empty when there is none."""
    if share is None:
        return ""
    return _("%(n)d %%", n=round(share * 100))

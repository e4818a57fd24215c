"""The dashboard's GET form (period and partners) and the drill-down's query string."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import DateField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from zentrum.domain.vocab import DeclineReason, OfferStatus
from zentrum.services.drilldown import DrillFilter
from zentrum.services.periods import DEFAULT_PRESET, Period, preset
from zentrum.web.fields import MultiCheckboxField
from zentrum.web.reports.labels import REPORT_LABELS

# Days outside these years are typing errors; near the ends of the calendar the
# conversion to UTC would even overflow.
FIRST_YEAR, LAST_YEAR = 2000, 2100
# Longer periods make figures nobody reads and queries nobody waits for.
LONGEST = timedelta(days=2 * 366)
UNKNOWN_CHOICE = _l("Diese Auswahl gibt es nicht. Bitte neu wählen.")


class DayField(DateField):
    """A day as the date input sends it (JJJJ-MM-TT) or as typed (TT.MM.JJJJ); German errors."""

    def __init__(self, label, **kwargs) -> None:
        super().__init__(label, format=["%Y-%m-%d", "%d.%m.%Y"], **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        try:
            super().process_formdata([valuelist[0].strip()])
        except ValueError:
            raise ValueError(_l("Bitte ein Datum im Format TT.MM.JJJJ angeben.")) from None
        self.check_year(self.data.year)

    def check_year(self, year: int) -> None:
        """Refuse days outside the years reports can cover."""
        if not FIRST_YEAR <= year <= LAST_YEAR:
            self.data = None
            raise ValueError(
                _l("Bitte ein Datum von %(a)d bis %(b)d angeben.", a=FIRST_YEAR, b=LAST_YEAR)
            )


class ChoiceField(RadioField):
    """Radio buttons whose unknown value gets a German message."""

    def pre_validate(self, form):
        if self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(UNKNOWN_CHOICE)


class PeriodForm(FlaskForm):
    """Which period and which partners the figures are about (a GET form, so no CSRF)."""

    class Meta:
        csrf = False

    # The field names are the query parameters, shared with the exports.
    zeitraum = ChoiceField(
        _l("Zeitraum"),
        choices=[SelectChoice(key, text) for key, text in REPORT_LABELS["period"].items()],
        default=DEFAULT_PRESET,
    )
    von = DayField(_l("von"))
    bis = DayField(_l("bis"))
    partner = MultiCheckboxField(_l("Partnerorganisationen"), coerce=int)

    def validate(self, extra_validators=None) -> bool:
        """Fields first; for a chosen period also: both days given, in order, at most two years."""
        valid = super().validate(extra_validators)
        if self.zeitraum.data != "custom" or self.von.errors or self.bis.errors:
            return valid
        for day in (self.von, self.bis):
            if day.data is None:
                day.errors.append(_l("Bitte einen Tag angeben."))
        if self.von.data is None or self.bis.data is None:
            return False
        if self.von.data > self.bis.data:
            self.bis.errors.append(_l("„bis“ darf nicht vor „von“ liegen."))
            return False
        if self.bis.data - self.von.data > LONGEST:
            self.bis.errors.append(_l("Der Zeitraum darf höchstens zwei Jahre umfassen."))
            return False
        return valid

    def period(self, now: datetime) -> Period:
        """The chosen period (call after ``validate``)."""
        if self.zeitraum.data == "custom":
            return Period(self.von.data, self.bis.data)
        return preset(self.zeitraum.data, now)

    def partner_ids(self) -> list[int]:
        """The chosen partners; empty means all."""
        return sorted(set(self.partner.data or []))


def period_args(period: Period, partner_ids=()) -> dict:
    """Query arguments that name exactly this period (and partners), for links."""
    args = {"zeitraum": "custom", "von": period.first.isoformat(), "bis": period.last.isoformat()}
    if partner_ids:
        args["partner"] = list(partner_ids)
    return args


SORTS = {"angeboten": "offered", "wartezeit": "wait"}


class BadFilter(ValueError):
    """The drill-down's query string names something that does not exist."""


@dataclass(frozen=True)
class DrillQuery:
    """The drill-down's filter, sort order and position, as read from the query string."""

    filter: DrillFilter
    sort: str = "angeboten"
    descending: bool = False
    after: int | None = None


def _one(args: MultiDict, name: str, allowed) -> str | None:
    value = (args.get(name) or "").strip() or None
    if value is not None and value not in allowed:
        raise BadFilter(name)
    return value


def drill_query(form: PeriodForm, args: MultiDict, now: datetime) -> DrillQuery:
    """The filter of a figure (refused with BadFilter), its sort and page (bad ones ignored)."""
    if not form.validate():
        raise BadFilter("zeitraum")
    within = _one(args, "ziel", {"1", "0"})
    sort = args.get("sortierung")
    after = args.get("nach", "")
    return DrillQuery(
        filter=DrillFilter(
            period=form.period(now),
            partner_ids=tuple(form.partner_ids()),
            status=_one(args, "status", set(OfferStatus)),
            within_target=None if within is None else within == "1",
            decline_reason=_one(args, "grund", set(DeclineReason)),
        ),
        sort=sort if sort in SORTS else "angeboten",
        descending=args.get("richtung") == "ab",
        after=int(after) if after.isascii() and after.isdigit() and len(after) < 18 else None,
    )


def drill_args(f: DrillFilter) -> dict:
    """Query arguments of a drill filter, for links to other sort orders and pages."""
    args = period_args(f.period, f.partner_ids)
    if f.status:
        args["status"] = f.status
    if f.within_target is not None:
        args["ziel"] = "1" if f.within_target else "0"
    if f.decline_reason:
        args["grund"] = f.decline_reason
    return args

"""Forms of the rules editor: one routing rule, and the probe that tries the rules out."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Optional,
    StopValidation,
    ValidationError,
)

from zentrum.domain.routing import RoutingInput
from zentrum.domain.vocab import Urgency
from zentrum.labels import choices
from zentrum.services.rules import (
    AGE_MAX,
    AGE_MIN,
    PRIORITY_MAX,
    PRIORITY_MIN,
    REASON_MAX,
    RuleData,
)
from zentrum.web.fields import MultiCheckboxField
from zentrum.web.validators import NoControlCharacters, strip

_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
_ID = re.compile(r"[0-9]{1,18}")
UNKNOWN_CHOICE = _l("Diese Auswahl gibt es nicht. Bitte neu wählen.")


class WholeNumberField(IntegerField):
    """An integer field whose parse error is a German sentence."""

    def process_formdata(self, valuelist):
        raw = valuelist[0].strip() if valuelist else ""
        self.data = None
        if not raw:
            return
        # Only plain digits: int() would also take "1_000" or digits of other scripts.
        if not _WHOLE_NUMBER.fullmatch(raw) or len(raw) > 12:
            raise ValueError(_l("Bitte eine ganze Zahl angeben."))
        self.data = int(raw)


class InRange:
    """The number lies between low and high (both included); an empty field passes."""

    def __init__(self, low: int, high: int, message) -> None:
        self.low, self.high, self.message = low, high, message

    def __call__(self, _form, field) -> None:
        if field.data is not None and not self.low <= field.data <= self.high:
            raise ValidationError(self.message)


def _id_or_text(value):
    """An id as int; anything else as it came (it then names no choice)."""
    if isinstance(value, str) and _ID.fullmatch(value):
        return int(value)
    return value


class IdSelectField(SelectField):
    """A select of rows by id; an empty or unknown id gets a German message."""

    def __init__(self, label, missing, **kwargs) -> None:
        super().__init__(label, coerce=_id_or_text, **kwargs)
        self.missing = missing
        self.flags.required = True

    def process_formdata(self, valuelist):
        raw = valuelist[0] if valuelist else ""
        self.data = _id_or_text(raw) if raw else None

    def pre_validate(self, form):
        if self.data is None:
            raise StopValidation(self.missing)
        if self.data not in {choice.value for choice in self.choices if choice.value != ""}:
            raise StopValidation(UNKNOWN_CHOICE)


def _age_field(label):
    message = _l("Bitte ein Alter von %(low)d bis %(high)d angeben.", low=AGE_MIN, high=AGE_MAX)
    return WholeNumberField(label, validators=[Optional(), InRange(AGE_MIN, AGE_MAX, message)])


class RuleForm(FlaskForm):
    """One routing rule: the partner it points to, its conditions, its priority."""

    partner_id = IdSelectField(_l("Partner"), _l("Bitte einen Partner wählen."))
    priority = WholeNumberField(
        _l("Priorität"),
        default=0,
        validators=[
            InputRequired(_l("Bitte eine Priorität angeben.")),
            InRange(
                PRIORITY_MIN,
                PRIORITY_MAX,
                _l(
                    "Bitte eine Priorität von %(low)d bis %(high)d angeben.",
                    low=PRIORITY_MIN,
                    high=PRIORITY_MAX,
                ),
            ),
        ],
    )
    # Declared in the order the form shows the fields: the error summary lists them so.
    reason = StringField(
        _l("Begründung"),
        validators=[
            DataRequired(_l("Bitte eine Begründung angeben.")),
            NoControlCharacters(),
        ],
        filters=[strip],
    )
    topics = MultiCheckboxField(_l("Themen"), coerce=int)
    min_age = _age_field(_l("Mindestalter (Jahre)"))
    max_age = _age_field(_l("Höchstalter (Jahre)"))
    urgencies = MultiCheckboxField(_l("Dringlichkeit"), choices=choices("urgency"))
    districts = MultiCheckboxField(_l("Stadtbezirke"), choices=choices("district"))
    enabled = BooleanField(_l("Regel ist aktiv"), default=True)
    save = SubmitField(_l("Regel speichern"))

    def validate_reason(self, field) -> None:
        if field.data and len(field.data) > REASON_MAX:
            # Show the start again to shorten, not megabytes of it.
            field.data = field.data[:REASON_MAX]
            raise ValidationError(_l("Höchstens %(max)d Zeichen.", max=REASON_MAX))

    def validate_min_age(self, field) -> None:
        high = self.max_age.data
        if field.data is not None and high is not None and field.data > high:
            raise ValidationError(_l("Das Mindestalter darf nicht über dem Höchstalter liegen."))

    def to_rule_data(self) -> RuleData:
        """The form's content for the rules service."""
        return RuleData(
            partner_id=self.partner_id.data,
            reason=self.reason.data,
            priority=self.priority.data,
            topic_ids=tuple(self.topics.data or ()),
            min_age=self.min_age.data,
            max_age=self.max_age.data,
            urgencies=tuple(self.urgencies.data or ()),
            districts=tuple(self.districts.data or ()),
            enabled=bool(self.enabled.data),
        )


class ProbeForm(FlaskForm):
    """An imagined enquiry, to see which rules would suggest whom (a GET form)."""

    class Meta:
        csrf = False

    topics = MultiCheckboxField(_l("Themen"), coerce=int)
    age = _age_field(_l("Alter (Jahre)"))
    urgency = SelectField(
        _l("Dringlichkeit"), choices=choices("urgency"), default=Urgency.NORMAL.value
    )
    district = SelectField(
        _l("Stadtbezirk"),
        default="",
        choices=[SelectChoice("", _l("– nicht angegeben –")), *choices("district")],
    )
    run = SubmitField(_l("Regeln ausprobieren"))

    def to_routing_input(self) -> RoutingInput:
        """The imagined enquiry as the routing engine sees it."""
        return RoutingInput(
            topic_ids=frozenset(self.topics.data or ()),
            age=self.age.data,
            urgency=self.urgency.data,
            district=self.district.data or None,
        )

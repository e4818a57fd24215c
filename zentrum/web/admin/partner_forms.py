"""The form of a partner organisation: target time in hours, functional address, active."""

import re
from decimal import ROUND_HALF_UP, Decimal

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import InputRequired, Optional, ValidationError

from zentrum.services.partners import EMAIL_MAX, TARGET_HOURS_MAX, TARGET_HOURS_MIN, PartnerData
from zentrum.web.validators import NoControlCharacters, strip

# Hours as German offices write them: "10", "7,5" or "7.5" (at most two decimals).
_HOURS = re.compile(r"[0-9]{1,4}(?:[.,][0-9]{1,2})?")


def hours_text(minutes: int) -> str:
    """Minutes as hours with a decimal comma: 600 → "10", 450 → "7,5", 100 → "1,67"."""
    hours = (Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{hours.normalize():f}".replace(".", ",")


class HoursField(StringField):
    """Hours with up to two decimals (comma or point); ``data`` is a Decimal or None."""

    def process_formdata(self, valuelist):
        raw = valuelist[0].strip() if valuelist else ""
        self.data = None
        if not raw:
            return
        if not _HOURS.fullmatch(raw):
            raise ValueError(_l("Bitte eine Zahl von Stunden angeben, z. B. 10 oder 7,5."))
        self.data = Decimal(raw.replace(",", "."))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data.normalize():f}".replace(".", ",")


class PartnerForm(FlaskForm):
    """What the admin sets on a partner organisation."""

    target_hours = HoursField(
        _l("Zielzeit in Stunden Arbeitszeit"),
        validators=[InputRequired(_l("Bitte eine Zielzeit angeben."))],
    )
    email = StringField(
        _l("Funktionspostfach (E-Mail)"),
        validators=[Optional(), NoControlCharacters()],
        filters=[strip],
    )
    active = BooleanField(_l("Partner ist aktiv"))
    save = SubmitField(_l("Speichern"))

    def validate_target_hours(self, field) -> None:
        if field.data is None:  # only spaces: InputRequired saw something, the parse nothing
            raise ValidationError(_l("Bitte eine Zielzeit angeben."))
        if not TARGET_HOURS_MIN <= field.data <= TARGET_HOURS_MAX:
            raise ValidationError(
                _l(
                    "Bitte eine Zielzeit von %(low)d bis %(high)d Stunden angeben.",
                    low=TARGET_HOURS_MIN,
                    high=TARGET_HOURS_MAX,
                )
            )

    def validate_email(self, field) -> None:
        if not field.data:
            return
        if len(field.data) > EMAIL_MAX:
            field.data = field.data[:EMAIL_MAX]
            raise ValidationError(_l("Höchstens %(max)d Zeichen.", max=EMAIL_MAX))
        try:
            validate_email(field.data, check_deliverability=False)
        except EmailNotValidError:
            raise ValidationError(
                _l("Bitte eine gültige E-Mail-Adresse angeben, z. B. team@beispiel.de.")
            ) from None

    def to_partner_data(self) -> PartnerData:
        """The form's content for the partners service (target in whole minutes)."""
        minutes = (self.target_hours.data * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return PartnerData(
            target_minutes=int(minutes),
            email=self.email.data or None,
            active=bool(self.active.data),
        )

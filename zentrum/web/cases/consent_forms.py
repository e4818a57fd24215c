"""Forms of the case page's consent section: consent, revocation, legal basis, decision."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from zentrum.domain.consent import GUARDIAN_NAMES_MAX, JUSTIFICATION_MIN
from zentrum.domain.vocab import ConsentGiver, DataCategory, LegalBasis
from zentrum.labels import choices
from zentrum.web.cases.forms import PartnerChoiceField, _text
from zentrum.web.fields import MultiCheckboxField
from zentrum.web.validators import NoControlCharacters, strip


def _giver_field(label):
    return RadioField(
        label,
        choices=choices("consent_giver"),
        validators=[InputRequired(_l("Bitte angeben, wer die Einwilligung erteilt hat."))],
    )


def guardian_names_field():
    """The guardians' names: required when they give (or revoke) the consent."""
    return StringField(
        _l("Namen der Sorgeberechtigten"),
        validators=[
            Length(max=GUARDIAN_NAMES_MAX, message=_l("Höchstens 300 Zeichen.")),
            NoControlCharacters(),
        ],
        filters=[strip],
    )


class ConsentForm(FlaskForm):
    """Record a consent for a partner: categories, purpose, the day and who gave it."""

    partner = PartnerChoiceField(_l("Einwilligung zur Weitergabe an"))
    categories = MultiCheckboxField(
        _l("Datenkategorien"),
        choices=choices("data_category"),
        default=[DataCategory.MASTER_DATA.value, DataCategory.CONTACT.value],
        validators=[DataRequired(_l("Bitte mindestens eine Datenkategorie wählen."))],
    )
    purpose = _text(
        _l("Zweck der Weitergabe"),
        required=_l("Bitte den Zweck der Weitergabe angeben."),
        max_length=2000,
    )
    given_on = DateField(
        _l("Erteilt am"), validators=[InputRequired(_l("Bitte das Datum angeben."))]
    )
    given_by = _giver_field(_l("Erteilt von"))
    guardian_names = guardian_names_field()

    def validate_guardian_names(self, field):
        if self.given_by.data == ConsentGiver.GUARDIANS and not field.data:
            raise ValidationError(_l("Bitte die Namen der Sorgeberechtigten angeben."))


class RevokeForm(FlaskForm):
    """Record a revocation, after reading what it does."""

    revoked_by = RadioField(
        _l("Widerrufen von"),
        choices=choices("consent_giver"),
        validators=[InputRequired(_l("Bitte angeben, wer widerrufen hat."))],
    )
    note = _text(_l("Vermerk (optional), z. B. wie der Widerruf erklärt wurde"), max_length=2000)
    confirm = BooleanField(
        _l("Ich bestätige, dass der Widerruf erklärt wurde."),
        validators=[DataRequired(_l("Bitte den Widerruf bestätigen."))],
    )


class BasisForm(FlaskForm):
    """Ask for a legal basis instead of consent; a second person approves it."""

    partner = PartnerChoiceField(_l("Weitergabe an"))
    basis = SelectField(
        _l("Rechtsgrundlage"),
        choices=[
            SelectChoice("", _l("– bitte wählen –")),
            *[c for c in choices("legal_basis") if c.value != LegalBasis.CHILD_PROTECTION],
        ],
        validators=[DataRequired(_l("Bitte eine Rechtsgrundlage wählen."))],
    )
    justification = _text(
        _l("Schriftliche Begründung"),
        required=_l("Bitte die Rechtsgrundlage schriftlich begründen (mindestens 30 Zeichen)."),
        max_length=2000,
    )

    def validate_justification(self, field):
        if field.data and len(field.data) < JUSTIFICATION_MIN:
            raise ValidationError(
                _l("Bitte die Rechtsgrundlage schriftlich begründen (mindestens 30 Zeichen).")
            )


class DecideForm(FlaskForm):
    """A supervisor approves or refuses a requested legal basis."""

    # No Optional(): it would stop the check that a refusal has a reason.
    note = TextAreaField(
        _l("Vermerk (bei Ablehnung: Grund)"),
        validators=[
            Length(max=2000, message=_l("Höchstens %(max)d Zeichen.", max=2000)),
            NoControlCharacters(multiline=True),
        ],
        filters=[strip],
    )
    approve = SubmitField(_l("Freigeben"))
    refuse = SubmitField(_l("Ablehnen"))

    def validate_note(self, field):
        if self.refuse.data and not field.data:
            raise ValidationError(_l("Bitte die Ablehnung begründen."))

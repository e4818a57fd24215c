"""Forms on the case page: offer, answers, referral, work on the case, notes."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from zentrum.domain.vocab import DeclineReason, Outcome
from zentrum.labels import choices
from zentrum.services.notes import NOTE_MAX
from zentrum.web.validators import NoControlCharacters, as_id, strip

_TEXT_MAX = 2000


def _text(label, *, required=None, max_length=_TEXT_MAX, **kwargs):
    """A multi-line text field with length and control-character checks."""
    validators = [
        Length(max=max_length, message=_l("Höchstens %(max)d Zeichen.", max=max_length)),
        NoControlCharacters(multiline=True),
    ]
    validators.insert(0, DataRequired(required) if required else Optional())
    return TextAreaField(label, validators=validators, filters=[strip], **kwargs)


class PartnerChoiceField(SelectField):
    """A partner select; the view fills the choices with active partners."""

    def __init__(self, label, **kwargs):
        super().__init__(label, coerce=int, validate_choice=True, **kwargs)

    def pre_validate(self, form):
        if self.data not in {c.value for c in self.choices}:
            raise ValidationError(_l("Bitte eine Partnerorganisation aus der Liste wählen."))

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None


class OfferForm(FlaskForm):
    """Offer the case to a partner (routing at intake, or handover between partners)."""

    partner = PartnerChoiceField(_l("Übergeben an"))
    suggested_rule = HiddenField()
    override_reason = _text(_l("Begründung, wenn Sie vom Vorschlag abweichen"), max_length=1000)
    note = _text(_l("Übergabenotiz für den Partner (optional)"))


class DeclineForm(FlaskForm):
    """Decline an offer or referral with a reason."""

    reason = SelectField(_l("Grund"), choices=choices("decline_reason"))
    comment = _text(_l("Erläuterung"), max_length=1000)

    def validate_comment(self, field):
        if self.reason.data == DeclineReason.OTHER and not field.data:
            raise ValidationError(_l("Bitte den Grund kurz erläutern."))


class ReferForm(FlaskForm):
    """Involve another partner in parallel."""

    partner = PartnerChoiceField(_l("Partner hinzuziehen"))
    note = _text(_l("Worum soll sich der Partner kümmern? (optional)"))


class ReassignForm(FlaskForm):
    """Hand the case to a colleague of the same partner."""

    user = SelectField(_l("Zuständig im Team"), coerce=int, validate_choice=False)


class CloseForm(FlaskForm):
    """Close the case with an outcome."""

    outcome = SelectField(
        _l("Ergebnis"),
        choices=[SelectChoice("", _l("– bitte wählen –")), *choices("outcome")],
        validators=[DataRequired(_l("Bitte ein Ergebnis wählen."))],
    )
    comment = _text(_l("Abschlussvermerk (optional)"), max_length=1000)

    def validate_comment(self, field):
        if self.outcome.data == Outcome.OTHER and not field.data:
            raise ValidationError(_l("Bitte das Ergebnis kurz erläutern."))


class ReopenForm(FlaskForm):
    """Reopen a closed case."""

    reason = _text(
        _l("Warum wird der Fall wieder geöffnet?"),
        required=_l("Bitte einen Grund angeben."),
        max_length=1000,
    )


class NoteForm(FlaskForm):
    """A case note, shared or internal."""

    body = _text(
        _l("Neue Fallnotiz"), required=_l("Bitte einen Text eingeben."), max_length=NOTE_MAX
    )
    internal = BooleanField(_l("Nur intern (für die eigene Organisation sichtbar)"))
    addendum_to = SelectField(_l("Bezug"), validate_choice=False, default="")

    def validate_addendum_to(self, field):
        if field.data and as_id(field.data) is None:
            raise ValidationError(_l("Ungültiger Bezug."))


class ConfirmForm(FlaskForm):
    """A button that only needs the CSRF token (accept, withdraw, first contact, ...)."""

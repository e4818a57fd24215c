"""Forms of the user management: a new account, and the role and partner of one."""

import re

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, StopValidation, ValidationError

from zentrum.domain.passwords import MIN_LENGTH, broken_rules
from zentrum.domain.vocab import Role
from zentrum.labels import choices
from zentrum.web.validators import NoControlCharacters, strip

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,79}")
EMAIL_MAX = 254
UNKNOWN_CHOICE = _l("Diese Auswahl gibt es nicht. Bitte neu wählen.")
GENERATE, TYPED = "generate", "typed"


class KnownChoiceField(SelectField):
    """A select whose unknown value gets a German message."""

    def pre_validate(self, form):
        if self.data not in {str(choice.value) for choice in self.choices}:
            raise StopValidation(UNKNOWN_CHOICE)


def partner_choices(partners) -> list[SelectChoice]:
    """ "No partner" and the given partners, by id."""
    return [SelectChoice("", _l("– keine –"))] + [
        SelectChoice(str(p.id), p.name if p.active else _l("%(name)s (inaktiv)", name=p.name))
        for p in partners
    ]


def _role_field() -> KnownChoiceField:
    return KnownChoiceField(_l("Rolle"), choices=choices("role"))


def _partner_field() -> KnownChoiceField:
    return KnownChoiceField(_l("Partnerorganisation"), default="")


class RoleForm(FlaskForm):
    """Role and partner of an account."""

    role = _role_field()
    partner = _partner_field()
    save = SubmitField(_l("Rolle speichern"))

    def validate_partner(self, field) -> None:
        if self.role.data == Role.ADVISOR and not field.data:
            raise ValidationError(_l("Berater:innen gehören zu genau einer Partnerorganisation."))

    def partner_id(self) -> int | None:
        """The chosen partner's id, or None."""
        return int(self.partner.data) if self.partner.data else None


class NewUserForm(RoleForm):
    """What an admin types for a new account."""

    username = StringField(
        _l("Benutzername"),
        validators=[DataRequired(_l("Bitte einen Benutzernamen angeben."))],
        filters=[strip, lambda v: v.lower() if isinstance(v, str) else v],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    display_name = StringField(
        _l("Name"),
        validators=[
            DataRequired(_l("Bitte den Namen angeben.")),
            Length(max=120, message=_l("Höchstens %(max)d Zeichen.")),
            NoControlCharacters(),
        ],
        filters=[strip],
        render_kw={"autocomplete": "off"},
    )
    email = StringField(
        _l("E-Mail (dienstlich)"), validators=[Optional(), NoControlCharacters()], filters=[strip]
    )
    # Again, after the name fields: the error summary lists errors in this order, as the page.
    role = _role_field()
    partner = _partner_field()
    password_mode = RadioField(
        _l("Erstes Passwort"),
        choices=[
            SelectChoice(GENERATE, _l("erzeugen und einmal anzeigen")),
            SelectChoice(TYPED, _l("selbst eingeben")),
        ],
        default=GENERATE,
        validate_choice=False,
    )
    password = PasswordField(
        _l("Passwort (nur bei „selbst eingeben“)"),
        validators=[Length(max=200, message=_l("Höchstens %(max)d Zeichen."))],
        render_kw={"autocomplete": "new-password"},
    )
    save = SubmitField(_l("Konto anlegen"))

    def validate_username(self, field) -> None:
        if not USERNAME.fullmatch(field.data or ""):
            raise ValidationError(
                _l(
                    "2 bis 80 Zeichen: Kleinbuchstaben, Ziffern, Punkt, Bindestrich oder "
                    "Unterstrich, am Anfang ein Buchstabe oder eine Ziffer."
                )
            )

    def validate_email(self, field) -> None:
        if not field.data:
            return
        if len(field.data) > EMAIL_MAX:
            raise ValidationError(_l("Höchstens %(max)d Zeichen.", max=EMAIL_MAX))
        try:
            field.data = validate_email(field.data, check_deliverability=False).normalized
        except EmailNotValidError:
            raise ValidationError(
                _l("Bitte eine gültige E-Mail-Adresse angeben, z. B. name@beispiel.de.")
            ) from None

    def validate_password_mode(self, field) -> None:
        if field.data not in (GENERATE, TYPED):
            raise ValidationError(UNKNOWN_CHOICE)

    def validate_password(self, field) -> None:
        if self.password_mode.data != TYPED:
            return
        if not field.data:
            raise ValidationError(_l("Bitte ein Passwort eingeben oder „erzeugen“ wählen."))
        problems = broken_rules(field.data, self.username.data or "")
        if problems:
            raise ValidationError(" ".join(gettext(p, min=MIN_LENGTH) for p in problems))

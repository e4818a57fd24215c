"""Forms of the own account: new password, second factor on and off."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length


class PasswordChangeForm(FlaskForm):
    """The current password, and the new one twice."""

    current = PasswordField(
        _l("Bisheriges Passwort"),
        validators=[DataRequired(_l("Bitte das bisherige Passwort eingeben.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    new = PasswordField(
        _l("Neues Passwort"),
        validators=[DataRequired(_l("Bitte ein neues Passwort eingeben.")), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )
    repeat = PasswordField(
        _l("Neues Passwort wiederholen"),
        validators=[
            DataRequired(_l("Bitte das neue Passwort wiederholen.")),
            EqualTo("new", _l("Die beiden neuen Passwörter stimmen nicht überein.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    save = SubmitField(_l("Passwort ändern"))


class EnrolForm(FlaskForm):
    """The code that confirms a newly set-up second factor."""

    code = StringField(
        _l("Code aus der Authenticator-App"),
        validators=[DataRequired(_l("Bitte den sechsstelligen Code eingeben.")), Length(max=12)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
    save = SubmitField(_l("Zweiten Faktor einschalten"))


class DisableForm(FlaskForm):
    """Switching the second factor off takes the password."""

    password = PasswordField(
        _l("Passwort zur Bestätigung"),
        validators=[DataRequired(_l("Bitte das Passwort eingeben.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    save = SubmitField(_l("Zweiten Faktor ausschalten"))

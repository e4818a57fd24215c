"""The login form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from zentrum.web.validators import NoControlCharacters


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField(
        _l("Benutzername"),
        validators=[
            DataRequired(_l("Bitte den Benutzernamen eingeben.")),
            Length(max=80),
            NoControlCharacters(),
        ],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        _l("Passwort"),
        validators=[DataRequired(_l("Bitte das Passwort eingeben.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )


class CodeForm(FlaskForm):
    """The six-digit code of the authenticator app."""

    code = StringField(
        _l("Code aus der Authenticator-App"),
        validators=[DataRequired(_l("Bitte den sechsstelligen Code eingeben.")), Length(max=12)],
        render_kw={
            "autocomplete": "one-time-code",
            "inputmode": "numeric",
            "autofocus": True,
            "spellcheck": "false",
        },
    )

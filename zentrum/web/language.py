"""The interface language: chosen per user, the browser's preference before login."""

from flask import (
    Blueprint,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, refresh
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from zentrum.extensions import db
from zentrum.models.user import LOCALES

DEFAULT_LOCALE = "de"

# Each language is named in itself, so that a user who cannot read the current
# interface still finds their own (not translated on purpose).
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}

bp = Blueprint("language", __name__)


def select_locale() -> str:
    """The user's chosen language; before login the browser's preference; German otherwise."""
    if not has_request_context():
        return DEFAULT_LOCALE  # e-mails and commands outside a request speak German
    if current_user.is_authenticated:
        return current_user.locale if current_user.locale in LOCALES else DEFAULT_LOCALE
    return request.accept_languages.best_match(LOCALES, default=DEFAULT_LOCALE)


def current_language() -> str:
    """The language code of this response, for ``<html lang>``."""
    locale = get_locale()
    return locale.language if locale else DEFAULT_LOCALE


class LanguageForm(FlaskForm):
    """The interface language."""

    locale = RadioField(
        _l("Sprache der Oberfläche"),
        choices=[SelectChoice(code, LANGUAGE_NAMES[code]) for code in LOCALES],
        validators=[InputRequired(_l("Bitte eine Sprache wählen."))],
        validate_choice=True,
    )


@bp.route("/sprache", methods=["GET", "POST"])
def choose():
    """Show and save the user's interface language."""
    g.no_store = True
    form = LanguageForm(data={"locale": current_user.locale})
    if form.validate_on_submit():
        current_user.locale = form.locale.data
        db.session.commit()
        refresh()  # the confirmation is already in the new language
        flash(_("Die Sprache wurde gespeichert."), "success")
        return redirect(url_for("language.choose"))
    status = 422 if form.errors else 200
    return render_template("language/choose.html", form=form, names=LANGUAGE_NAMES), status

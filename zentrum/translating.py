"""Flask-Babel's message domain, with each request's translations looked up once.

Flask-Babel finds the translations anew for every string: through ``g`` three times and
by formatting the locale's name for its cache key. A case page asks for some 200 strings,
which made the lookup a tenth of the page's time. Here the translations are kept for the
locale object the request uses; ``force_locale`` and ``refresh`` put another locale object
there, so they are looked up again.
"""

from functools import lru_cache

from babel import support
from flask import g, request
from flask.globals import _cv_app
from flask_babel import Domain, LazyString, get_domain, get_locale
from wtforms.i18n import messages_path


class RequestDomain(Domain):
    """The domain that remembers the request's translations for its locale."""

    MEMO = "zentrum_translations"

    def get_translations(self):
        try:
            state = g._flask_babel
            locale = state.babel_locale
        except (AttributeError, RuntimeError):  # first lookup, or outside a request
            return super().get_translations()
        memo = getattr(state, self.MEMO, None)
        if memo is not None and memo[0] is locale:
            return memo[1]
        translations = super().get_translations()
        setattr(state, self.MEMO, (locale, translations))
        return translations


def translations() -> support.NullTranslations:
    """The request's translations: kept ones straight from the app context (no proxy of
    ``g`` in between: a list page asks for ten strings a row), else as Flask-Babel finds
    them."""
    context = _cv_app.get(None)
    state = context.g.__dict__.get("_flask_babel") if context is not None else None
    memo = getattr(state, RequestDomain.MEMO, None)
    if memo is not None and memo[0] is getattr(state, "babel_locale", None):
        return memo[1]
    return get_domain().get_translations()


def gettext(string: str, **variables) -> str:
    """Flask-Babel's ``gettext``, with the request's translations found faster."""
    text = translations().ugettext(string)
    return text % variables if variables else text


def lazy_gettext(string: str, **variables) -> LazyString:
    """Translated when used, in the language of the request that uses it."""
    return LazyString(gettext, string, **variables)


@lru_cache(maxsize=8)
def wtforms_translations(locale: str) -> support.Translations:
    """WTForms' own messages (a field's "Not a valid choice") in a language, read once."""
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


def _hand_wtforms_its_translations() -> None:
    # Flask-WTF reads WTForms' catalogue from disk in every request that builds a form,
    # unless the request already holds it under this name.
    request.wtforms_translations = wtforms_translations(str(get_locale()))


def install(app) -> None:
    """Use the memoising domain for the app's strings, in Python and in the templates, and
    keep WTForms' catalogue in memory."""
    app.before_request(_hand_wtforms_its_translations)
    config = app.extensions["babel"]
    domain = RequestDomain(domain=config.default_domain)
    # Flask-Babel keeps its domain on the Babel object (a cached property) and finds it there.
    config.instance.domain_instance = domain
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )

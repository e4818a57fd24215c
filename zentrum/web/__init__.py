"""The web layer: blueprints, login on every page, error pages, template helpers."""

from datetime import date, datetime

from flask import (
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext, refresh
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError

from zentrum.domain.clock import local_date
from zentrum.extensions import db, login_manager
from zentrum.labels import label, stock_text, topic_label
from zentrum.models import User
from zentrum.models.base import utcnow
from zentrum.services.second_factor import needs_enrolment
from zentrum.web.auth.sessions import enforce_session_limits
from zentrum.web.formatting import (
    format_duration,
    local_date_text,
    local_datetime_text,
    local_time_text,
)
from zentrum.web.formhelpers import error_items
from zentrum.web.language import current_language
from zentrum.web.language import select_locale as select_locale

# Endpoints reachable without logging in (the second step checks its pending login).
PUBLIC_ENDPOINTS = {"auth.login", "auth.code", "auth.enrol", "static"}
# What a logged-in user who must first choose a new password may still reach.
PASSWORD_CHANGE_ENDPOINTS = {"account.password", "auth.logout", "static"}

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The logged-in user, looked up on every request; None once the session was ended.

    The session holds "id:generation" (``User.get_id``); logout, deactivation and a
    new password raise the user's generation, so older cookies, copies included, fail.
    """
    user_id, _, generation = session_id.partition(":")
    if not (user_id.isdigit() and generation.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_generation != int(generation):
        return None
    return user


def _require_login():
    """Every page but the login page and static files needs a logged-in user."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if request.endpoint is None:
        return None  # a 404 for an unknown URL, answered by the error handler
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def _account_in_order():
    """A password set by an admin is changed first; a required second factor is set up.

    A user whose role now requires a second factor they lack (the role or the
    configuration changed) is logged out and sets it up at the next login.
    """
    if not current_user.is_authenticated or request.endpoint in (None, "static"):
        return None
    if needs_enrolment(current_user, current_app.config["TOTP_REQUIRED_ROLES"]):
        logout_user()
        session.clear()
        flash(
            gettext("Bitte melden Sie sich erneut an und richten Sie den zweiten Faktor ein."),
            "info",
        )
        return redirect(url_for("auth.login"))
    if current_user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        return redirect(url_for("account.password"))
    return None


def _security_headers(response):
    """Headers that every response carries, error pages included."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if getattr(g, "no_store", False):
        response.headers["Cache-Control"] = "no-store"
    return response


def _error_page(status: int, title: str, message: str):
    """A German error page with the given status."""
    db.session.rollback()
    return render_template("errors/error.html", status=status, title=title, message=message), status


def _register_errors(app: Flask) -> None:
    """German pages for the errors a user can meet."""

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return _error_page(
            400,
            str(_l("Formular abgelaufen")),
            str(
                _l(
                    "Das Formular war abgelaufen oder unvollständig. Bitte laden Sie die Seite neu "
                    "und senden Sie es noch einmal."
                )
            ),
        )

    pages = {
        400: (_l("Ungültige Anfrage"), _l("Die Anfrage konnte nicht verarbeitet werden.")),
        403: (_l("Kein Zugriff"), _l("Für diese Seite fehlt Ihnen die Berechtigung.")),
        404: (
            _l("Nicht gefunden"),
            _l("Diese Seite gibt es nicht, oder Sie haben keinen Zugriff."),
        ),
        405: (_l("Nicht erlaubt"), _l("Diese Aktion ist hier nicht möglich.")),
        413: (_l("Eingabe zu groß"), _l("Die gesendeten Daten sind zu groß.")),
        429: (
            _l("Zu viele Anfragen"),
            _l(
                "Zu viele Versuche in kurzer Zeit. Bitte warten Sie eine Minute und "
                "versuchen Sie es dann erneut."
            ),
        ),
        500: (
            _l("Fehler"),
            _l("Ein interner Fehler ist aufgetreten. Es wurde nichts gespeichert."),
        ),
    }
    for status in pages:
        app.register_error_handler(
            status, lambda _e, status=status: _error_page(status, *(str(t) for t in pages[status]))
        )


def _register_template_helpers(app: Flask) -> None:
    """Filters for dates in Europe/Berlin and labels of stored values."""

    @app.template_filter("datetime")
    def datetime_filter(value: datetime | None) -> str:
        return local_datetime_text(value)

    @app.template_filter("date")
    def date_filter(value: date | None) -> str:
        return local_date_text(value)

    @app.template_filter("time")
    def time_filter(value: datetime | None) -> str:
        return local_time_text(value)

    @app.context_processor
    def local_today():
        return {"today": local_date(utcnow())}

    app.jinja_env.filters["duration"] = format_duration
    app.jinja_env.globals["label"] = label
    app.jinja_env.filters["topic"] = topic_label
    app.jinja_env.filters["stock"] = stock_text
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["error_items"] = error_items
    app.jinja_env.add_extension("jinja2.ext.do")


def register(app: Flask) -> None:
    """Blueprints, the login requirement, headers, error pages and template helpers."""
    from zentrum.web.account.views import bp as account_bp
    from zentrum.web.admin.views import bp as admin_bp
    from zentrum.web.audit.views import bp as audit_bp
    from zentrum.web.auditing import register_auditing
    from zentrum.web.auth.views import bp as auth_bp
    from zentrum.web.cases import (
        actions,  # noqa: F401 - registers the case actions on cases.bp
        consents,  # noqa: F401 - the consent section's routes
        printing,  # noqa: F401 - registers the print views on cases.bp
    )
    from zentrum.web.cases.views import bp as cases_bp
    from zentrum.web.converters import IdConverter
    from zentrum.web.input_guard import refuse_nul_in_query
    from zentrum.web.intake.views import bp as intake_bp
    from zentrum.web.language import bp as language_bp
    from zentrum.web.privacy.views import bp as privacy_bp
    from zentrum.web.queues.views import bp as queues_bp
    from zentrum.web.reports.exports import bp as exports_bp
    from zentrum.web.reports.views import bp as reports_bp

    app.url_map.converters["int"] = IdConverter  # before any route is added
    register_auditing()
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Bitte melden Sie sich an.")
    login_manager.login_message_category = "info"
    # Flask-Babel keeps the chosen locale on ``g``; a request inside an app context that
    # is already pushed (tests, shell) would inherit it, so every request chooses afresh.
    app.before_request(refresh)
    app.before_request(refuse_nul_in_query)
    app.before_request(enforce_session_limits)
    app.before_request(_require_login)
    app.before_request(_account_in_order)
    app.after_request(_security_headers)
    app.register_blueprint(auth_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(intake_bp)
    app.register_blueprint(cases_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(queues_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(language_bp)
    _register_errors(app)
    _register_template_helpers(app)

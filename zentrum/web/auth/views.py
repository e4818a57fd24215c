"""Login and logout views."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from zentrum.domain.vocab import AuditAction, Role
from zentrum.extensions import db, limiter
from zentrum.models.base import utcnow
from zentrum.services.audit import record
from zentrum.services.users import authenticate, end_sessions
from zentrum.web.auth import lockout
from zentrum.web.auth.flow import after_password
from zentrum.web.auth.forms import LoginForm

bp = Blueprint("auth", __name__)

# One count per client address for the password and the code steps together.
login_limit = limiter.shared_limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"], scope="login", methods=["POST"]
)


def locked_message() -> str:
    """The same answer for every locked username, known or not."""
    return _(
        "Zu viele fehlgeschlagene Anmeldungen für diesen Benutzernamen. "
        "Bitte versuchen Sie es in 15 Minuten erneut."
    )


def _home(user) -> str:
    """Where a user starts: advisors in their partner's queue, everyone else on the overview."""
    return url_for("queues.inbox") if user.role == Role.ADVISOR else url_for("intake.start")


def _safe_next(target: str | None, user) -> str:
    """Only a path on this site is followed after login (no open redirect)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            if not target.startswith("//"):
                return target
    return _home(user)


def _failed(typed: str, *, locked: bool = False) -> None:
    """Record a failed login under the name as typed (never the password), and commit."""
    record(
        db.session,
        AuditAction.LOGIN_FAILED,
        username=typed.strip()[:80],
        details={"locked": True} if locked else None,
    )
    db.session.commit()


@bp.route("/login", methods=["GET", "POST"])
@login_limit
def login():
    """Show the login form and log the user in."""
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip().lower()
        if lockout.is_locked(username):
            # The same answer for every username, known or not, right password or not.
            form.password.errors.append(locked_message())
            _failed(form.username.data, locked=True)
            return render_template("auth/login.html", form=form), 429
        user = authenticate(db.session, username, form.password.data, utcnow())
        if user is not None:
            # The login entry is written once the last step succeeds (flow.finish_login).
            return after_password(user, _safe_next(request.args.get("next"), user))
        db.session.rollback()
        _failed(form.username.data)
        lockout.note_failure(username)
        form.password.errors.append(_("Benutzername oder Passwort ist falsch."))
        return render_template("auth/login.html", form=form), 401
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    """Log out: this and every other session of the user ends (copied cookies included)."""
    end_sessions(db.session, current_user._get_current_object())
    record(db.session, AuditAction.LOGOUT)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("Sie sind abgemeldet."), "info")
    return redirect(url_for("auth.login"))


from zentrum.web.auth import second_step as _second_step  # noqa: E402, F401 - routes on bp

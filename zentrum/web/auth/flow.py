"""The steps of a login: password, then (if set up or required) the second factor.

Between the steps the session holds only the pending user's id, session
generation and the time of the password step; nobody is logged in until the
last step succeeds.
"""

from flask import current_app, flash, redirect, session, url_for
from flask_babel import gettext as _
from flask_login import login_user

from zentrum.domain.vocab import AuditAction
from zentrum.extensions import db
from zentrum.models import User
from zentrum.models.base import utcnow
from zentrum.services.audit import record
from zentrum.services.second_factor import needs_enrolment
from zentrum.web.auth import lockout
from zentrum.web.auth.sessions import start_session

PENDING = "pending_login"
SETUP = "totp_setup"


def required_roles() -> tuple[str, ...]:
    """The roles that must use a second factor (configuration)."""
    return tuple(current_app.config["TOTP_REQUIRED_ROLES"])


def after_password(user: User, target: str):
    """The step after a right password: the code, the enrolment, or the login itself."""
    if not (user.totp_enabled or needs_enrolment(user, required_roles())):
        return finish_login(user, target)
    db.session.commit()  # keeps a rehashed password
    session.clear()
    session[PENDING] = {
        "id": user.id,
        "gen": user.session_generation,
        "at": utcnow().timestamp(),
        "next": target,
    }
    return redirect(url_for("auth.code" if user.totp_enabled else "auth.enrol"))


def pending_user() -> User | None:
    """The user between password and second factor, while that step is fresh."""
    data = session.get(PENDING)
    if not isinstance(data, dict) or not isinstance(data.get("at"), int | float):
        return None
    limit = current_app.config["TOTP_PENDING_MINUTES"] * 60
    if not 0 <= utcnow().timestamp() - data["at"] <= limit:
        return None
    user = db.session.get(User, data.get("id")) if isinstance(data.get("id"), int) else None
    if user is None or not user.active or user.session_generation != data.get("gen"):
        return None
    return user


def pending_target() -> str:
    """Where the pending login goes once complete (checked at the password step)."""
    data = session.get(PENDING)
    return data.get("next") if isinstance(data, dict) else url_for("intake.start")


def abandon() -> None:
    """Forget a pending login (expired, locked, or finished)."""
    session.pop(PENDING, None)
    session.pop(SETUP, None)


def finish_login(user: User, target: str, message: str | None = None):
    """Log the user in: a fresh session; a password set by an admin is changed first."""
    user.last_login_at = utcnow()
    record(db.session, AuditAction.LOGIN, user=user)
    db.session.commit()
    lockout.forget_failures(user.username)
    session.clear()
    login_user(user)
    start_session()
    if message:
        flash(message, "success")
    if user.must_change_password:
        flash(_("Bitte wählen Sie jetzt ein eigenes Passwort."), "info")
        return redirect(url_for("account.password"))
    return redirect(target)

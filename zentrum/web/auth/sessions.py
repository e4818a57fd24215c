"""Session lifetime: login time and last request in the cookie, idle and absolute limits."""

from datetime import datetime

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import logout_user

from zentrum.domain.vocab import AuditAction
from zentrum.extensions import db
from zentrum.models import User
from zentrum.models.base import utcnow
from zentrum.services.audit import record

LOGIN_AT = "login_at"
SEEN_AT = "seen_at"


def session_clock() -> datetime:
    """The time the session limits are measured with (tests move it)."""
    return utcnow()


def start_session() -> None:
    """Stamp a fresh login: both limits start now."""
    now = session_clock().timestamp()
    session[LOGIN_AT] = now
    session[SEEN_AT] = now


def expired(now: float) -> bool:
    """True when the session has been idle too long or is past its absolute lifetime."""
    config = current_app.config
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if not isinstance(login_at, int | float) or not isinstance(seen_at, int | float):
        return True  # a session without stamps was not made by this login
    return (
        now - seen_at > config["SESSION_IDLE_MINUTES"] * 60
        or now - login_at > config["SESSION_MAX_HOURS"] * 3600
    )


def _record_expiry() -> None:
    """Record that the session ended by its limits, for the user the cookie names."""
    user_id, _sep, _generation = str(session.get("_user_id", "")).partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    # End the read, so that the entry's lock is the next transaction's first statement
    # (SQLite then waits for the write lock instead of failing on a stale snapshot).
    db.session.rollback()
    record(db.session, AuditAction.SESSION_EXPIRED, user=user)
    db.session.commit()


def enforce_session_limits():
    """Before each request: log out an expired session, else note the request."""
    if "_user_id" not in session or request.endpoint == "static":
        return None
    now = session_clock().timestamp()
    if not expired(now):
        session[SEEN_AT] = now
        return None
    _record_expiry()
    logout_user()
    session.clear()
    if request.endpoint == "auth.login":
        return None  # the login form itself goes on, now without the old session
    flash(_("Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an."), "info")
    return redirect(url_for("auth.login"))

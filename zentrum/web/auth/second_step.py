"""The second login step: a code from the authenticator app, or its first set-up.

The routes live on the auth blueprint; ``zentrum.web.auth.views`` imports this
module at its end so that they are registered with it.
"""

from datetime import datetime

from flask import flash, redirect, render_template, session, url_for
from flask_babel import gettext as _

from zentrum.domain.vocab import AuditAction
from zentrum.extensions import db
from zentrum.models import User
from zentrum.models.base import utcnow
from zentrum.services.audit import record
from zentrum.services.second_factor import check_code, enable
from zentrum.totp import (
    UnreadableSecret,
    grouped,
    new_secret,
    provisioning_uri,
    qr_data_uri,
    seal,
    unseal,
)
from zentrum.web.auth import lockout
from zentrum.web.auth.flow import (
    SETUP,
    abandon,
    finish_login,
    pending_target,
    pending_user,
)
from zentrum.web.auth.forms import CodeForm
from zentrum.web.auth.views import bp, locked_message, login_limit


def code_clock() -> datetime:
    """The time codes are checked against (tests move it)."""
    return utcnow()


def _start_again():
    """Back to the password: the pending login is gone or too old."""
    abandon()
    flash(_("Die Anmeldung ist abgelaufen. Bitte melden Sie sich erneut an."), "info")
    return redirect(url_for("auth.login"))


def _locked(template: str, form: CodeForm, **context):
    """Too many failures for this username: the pending login ends."""
    abandon()
    form.code.errors.append(locked_message())
    return render_template(template, form=form, **context), 429


def _wrong(user: User, template: str, form: CodeForm, **context):
    """A wrong code counts like a wrong password."""
    db.session.rollback()
    record(db.session, AuditAction.LOGIN_FAILED, user=user, details={"step": "second_factor"})
    db.session.commit()
    lockout.note_failure(user.username)
    form.code.errors.append(_("Der Code ist falsch oder wurde schon verwendet."))
    return render_template(template, form=form, **context), 401


@bp.route("/login/code", methods=["GET", "POST"])
@login_limit
def code():
    """Ask for the current code of the user's authenticator app."""
    user = pending_user()
    if user is None:
        return _start_again()
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("auth/code.html", form=form), 422 if form.errors else 200
    if lockout.is_locked(user.username):
        return _locked("auth/code.html", form)
    if not check_code(db.session, user, form.code.data, code_clock()):
        return _wrong(user, "auth/code.html", form)
    return finish_login(user, pending_target())


def setup_secret() -> str:
    """The secret offered during this enrolment, kept (sealed) in the session."""
    sealed = session.get(SETUP)
    if isinstance(sealed, str):
        try:
            return unseal(sealed)
        except UnreadableSecret:
            pass  # made under another key: offer a new secret
    secret = new_secret()
    session[SETUP] = seal(secret)
    return secret


def enrolment_context(secret: str, username: str) -> dict:
    """What the enrolment page shows: the secret, its URI and QR code."""
    uri = provisioning_uri(secret, username)
    return {"secret": grouped(secret), "uri": uri, "qr": qr_data_uri(uri)}


@bp.route("/login/einrichten", methods=["GET", "POST"])
@login_limit
def enrol():
    """First login of a role that needs a second factor: set it up, confirm with a code."""
    user = pending_user()
    if user is None or user.totp_enabled:
        return _start_again()
    secret = setup_secret()
    context = enrolment_context(secret, user.username)
    form = CodeForm()
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_template("auth/enrol.html", form=form, **context), status
    if lockout.is_locked(user.username):
        return _locked("auth/enrol.html", form, **context)
    if not enable(db.session, user, secret, form.code.data, code_clock()):
        return _wrong(user, "auth/enrol.html", form, **context)
    return finish_login(user, pending_target(), _("Der zweite Faktor ist eingerichtet."))

"""Mein Konto: the own account, a new password, the second factor on and off."""

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from zentrum.domain.vocab import AuditAction
from zentrum.extensions import db
from zentrum.passwords import verify_password
from zentrum.services.audit import record
from zentrum.services.second_factor import enable, required_for, switch_off
from zentrum.services.users import UserError, change_password
from zentrum.web.account.forms import DisableForm, EnrolForm, PasswordChangeForm
from zentrum.web.auth.flow import SETUP, required_roles
from zentrum.web.auth.second_step import code_clock, enrolment_context, setup_secret
from zentrum.web.auth.sessions import start_session

bp = Blueprint("account", __name__, url_prefix="/konto")


def _me():
    """The logged-in user as a row of this request's session."""
    return current_user._get_current_object()


def _overview(disable_form: DisableForm | None = None, status: int = 200):
    """The account page, with the form to switch the second factor off."""
    me = _me()
    return render_template(
        "account/overview.html",
        me=me,
        required=required_for(me, required_roles()),
        disable_form=disable_form or DisableForm(),
    ), status


@bp.get("/")
def overview():
    """The own account: who I am, my second factor, links to change things."""
    return _overview()


@bp.route("/passwort", methods=["GET", "POST"])
def password():
    """Choose a new password; other sessions of the user end, this one goes on."""
    me = _me()
    form = PasswordChangeForm()
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_template("account/password.html", form=form, me=me), status
    if not verify_password(me.password_hash, form.current.data):
        form.current.errors.append(_("Das bisherige Passwort ist falsch."))
        return render_template("account/password.html", form=form, me=me), 422
    if form.new.data == form.current.data:
        form.new.errors.append(_("Das neue Passwort muss sich vom bisherigen unterscheiden."))
        return render_template("account/password.html", form=form, me=me), 422
    try:
        change_password(db.session, me, form.new.data)
    except UserError as error:
        db.session.rollback()
        form.new.errors.append(error.translated(_))
        return render_template("account/password.html", form=form, me=me), 422
    me.must_change_password = False
    record(db.session, AuditAction.CHANGE, user=me, details={"changed": "own_password"})
    db.session.commit()
    _continue_session(me)
    flash(_("Ihr Passwort wurde geändert. Andere Sitzungen wurden beendet."), "success")
    return redirect(url_for("account.overview"))


def _continue_session(me) -> None:
    """After the user's sessions were ended: this one goes on under the new generation."""
    session.clear()
    login_user(me)
    start_session()


@bp.route("/zweiter-faktor", methods=["GET", "POST"])
def enrol():
    """Set up a second factor: the secret and its QR code, confirmed by a code."""
    me = _me()
    if me.totp_enabled:
        flash(_("Der zweite Faktor ist bereits eingerichtet."), "info")
        return redirect(url_for("account.overview"))
    secret = setup_secret()
    context = enrolment_context(secret, me.username)
    form = EnrolForm()
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_template("account/enrol.html", form=form, **context), status
    if not enable(db.session, me, secret, form.code.data, code_clock()):
        db.session.rollback()
        form.code.errors.append(_("Der Code passt nicht. Bitte den aktuellen Code eingeben."))
        return render_template("account/enrol.html", form=form, **context), 422
    db.session.commit()
    session.pop(SETUP, None)
    flash(_("Der zweite Faktor ist eingerichtet."), "success")
    return redirect(url_for("account.overview"))


@bp.post("/zweiter-faktor/aus")
def disable_factor():
    """Switch the second factor off, where the role does not require it."""
    me = _me()
    form = DisableForm()
    if required_for(me, required_roles()):
        flash(_("Für Ihre Rolle ist der zweite Faktor vorgeschrieben."), "error")
        return _overview(form, 403)
    if not me.totp_enabled:
        # Nothing to switch off, and nothing for the audit log to report as switched off.
        flash(_("Der zweite Faktor ist nicht eingerichtet."), "info")
        return redirect(url_for("account.overview"))
    if not form.validate_on_submit():
        return _overview(form, 422)
    if not verify_password(me.password_hash, form.password.data):
        form.password.errors.append(_("Das Passwort ist falsch."))
        return _overview(form, 422)
    switch_off(db.session, me)
    db.session.commit()
    flash(_("Der zweite Faktor ist ausgeschaltet."), "success")
    return redirect(url_for("account.overview"))

"""Admin views of the user accounts: list, create, deactivate, reset, new role.

The routes live on the admin blueprint; ``zentrum.web.admin.views`` imports
this module at its end so that they are registered with it.
"""

import sqlalchemy as sa
from flask import abort, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from zentrum.domain.vocab import Role
from zentrum.extensions import db
from zentrum.models import Partner, User
from zentrum.models.base import utcnow
from zentrum.services import accounts
from zentrum.services.accounts import AccountRefused, NewAccount
from zentrum.services.users import UserError
from zentrum.web.access import roles_required
from zentrum.web.admin.user_forms import TYPED, NewUserForm, RoleForm, partner_choices
from zentrum.web.admin.views import bp


def _partners() -> list[Partner]:
    """Every partner by name (inactive ones too: an account may still belong to one)."""
    return list(db.session.scalars(sa.select(Partner).order_by(Partner.name)))


def _user(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


def _me() -> User:
    return current_user._get_current_object()


@bp.get("/benutzer")
@roles_required(Role.ADMIN)
def users():
    """Every account: name, username, role, partner, state, last login, second factor."""
    return render_template(
        "admin/users.html",
        accounts=accounts.all_accounts(db.session),
        required=set(current_app.config["TOTP_REQUIRED_ROLES"]),
    )


def _show_once(user: User, password: str, title: str):
    """The page that shows a password once; nothing of it is cached."""
    g.no_store = True
    return render_template("admin/user_password.html", account=user, password=password, title=title)


@bp.route("/benutzer/neu", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_user():
    """Create an account; its first password is typed or generated and shown once."""
    partners = _partners()
    form = NewUserForm()
    form.partner.choices = partner_choices(p for p in partners if p.active)
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_template("admin/user_new.html", form=form), status
    typed = form.password_mode.data == TYPED
    password = form.password.data if typed else accounts.generate_password()
    data = NewAccount(
        username=form.username.data,
        display_name=form.display_name.data,
        email=form.email.data or None,
        role=Role(form.role.data),
        partner=next((p for p in partners if p.id == form.partner_id()), None),
    )
    try:
        user = accounts.create_account(db.session, _me(), data, password, utcnow())
        db.session.commit()
    except UserError as error:
        db.session.rollback()
        form.username.errors.append(error.translated(_))
        return render_template("admin/user_new.html", form=form), 422
    if typed:
        flash(_("Das Konto „%(name)s“ wurde angelegt.", name=user.username), "success")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    return _show_once(user, password, _("Konto angelegt"))


def _edit_page(user: User, form: RoleForm | None = None, problem: str | None = None, status=200):
    """The page of one account: its facts, role form and actions."""
    if form is None:
        form = RoleForm(data={"role": user.role, "partner": str(user.partner_id or "")})
    form.partner.choices = partner_choices(
        p for p in _partners() if p.active or p.id == user.partner_id
    )
    return render_template(
        "admin/user_edit.html",
        account=user,
        form=form,
        problem=problem,
        required=user.role in current_app.config["TOTP_REQUIRED_ROLES"],
        is_me=user.id == current_user.id,
    ), status


@bp.get("/benutzer/<int:user_id>")
@roles_required(Role.ADMIN)
def edit_user(user_id: int):
    """One account and what an admin can do with it."""
    return _edit_page(_user(user_id))


@bp.post("/benutzer/<int:user_id>/rolle")
@roles_required(Role.ADMIN)
def change_role(user_id: int):
    """Give the account another role or partner; its sessions end."""
    user = _user(user_id)
    form = RoleForm()
    form.partner.choices = partner_choices(
        p for p in _partners() if p.active or p.id == user.partner_id
    )
    if not form.validate():
        return _edit_page(user, form, status=422)
    partner = db.session.get(Partner, form.partner_id()) if form.partner_id() else None
    try:
        changed = accounts.change_role(db.session, _me(), user, Role(form.role.data), partner)
        db.session.commit()
    except UserError as error:
        db.session.rollback()
        return _edit_page(user, form, error.translated(_), 409)
    if changed:
        flash(
            _("Rolle von „%(name)s“ geändert; die Sitzungen wurden beendet.", name=user.username),
            "success",
        )
    return redirect(url_for("admin.edit_user", user_id=user.id))


def _act(user_id: int, action, message: str):
    """Run a button action on an account; a refusal shows on its page."""
    user = _user(user_id)
    try:
        action(db.session, _me(), user)
        db.session.commit()
    except AccountRefused as error:
        db.session.rollback()
        return _edit_page(user, problem=error.translated(_), status=409)
    flash(message % {"name": user.username}, "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/benutzer/<int:user_id>/deaktivieren")
@roles_required(Role.ADMIN)
def deactivate_user(user_id: int):
    """Deactivate an account; its sessions end at once."""
    return _act(user_id, accounts.deactivate, _("„%(name)s“ ist deaktiviert."))


@bp.post("/benutzer/<int:user_id>/reaktivieren")
@roles_required(Role.ADMIN)
def reactivate_user(user_id: int):
    """Let a deactivated account log in again."""
    return _act(user_id, accounts.reactivate, _("„%(name)s“ ist wieder aktiv."))


@bp.post("/benutzer/<int:user_id>/zweiter-faktor")
@roles_required(Role.ADMIN)
def reset_factor(user_id: int):
    """Reset an account's second factor (lost phone); it is set up at the next login."""
    message = _("Der zweite Faktor von „%(name)s“ ist zurückgesetzt.")
    return _act(user_id, accounts.reset_second_factor, message)


@bp.post("/benutzer/<int:user_id>/passwort")
@roles_required(Role.ADMIN)
def reset_password(user_id: int):
    """A temporary password, shown once; it must be changed at the next login."""
    user = _user(user_id)
    try:
        password = accounts.reset_password(db.session, _me(), user)
        db.session.commit()
    except AccountRefused as error:
        db.session.rollback()
        return _edit_page(user, problem=error.translated(_), status=409)
    return _show_once(user, password, _("Passwort zurückgesetzt"))

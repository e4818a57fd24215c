"""User management by admins: create, deactivate, reset password or second factor, new role.

Every change writes its audit entry in the same transaction; the caller commits.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from zentrum.domain.passwords import password_problems
from zentrum.domain.vocab import AuditAction, Role
from zentrum.models import Partner, User
from zentrum.passwords import hash_password
from zentrum.seed import N_
from zentrum.services import second_factor
from zentrum.services.audit import record
from zentrum.services.users import UserError, create_user, end_sessions, set_active

# Easy to read aloud and to type: no 0/O, 1/l/I.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
# Roles that may belong to a partner: advisors must, supervisors may (the partner's lead).
PARTNER_ROLES = {Role.ADVISOR, Role.SUPERVISOR}


class AccountRefused(UserError):
    """An admin action on an account that the rules forbid (self, last admin)."""


@dataclass(frozen=True)
class NewAccount:
    """What an admin types to create an account."""

    username: str
    display_name: str
    email: str | None
    role: Role
    partner: Partner | None


def generate_password() -> str:
    """A temporary password like ``k7pq-2mxa-vd9t-wh3e`` that meets the password rules."""
    while True:
        groups = ["".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(4)]
        password = "-".join(groups)
        if not password_problems(password):
            return password


def _partner_for(role: Role, partner: Partner | None) -> Partner | None:
    """The partner the role keeps: required for advisors, none for front desk and admins."""
    if role == Role.ADVISOR and partner is None:
        raise UserError(N_("Berater:innen gehören zu genau einer Partnerorganisation."))
    return partner if role in PARTNER_ROLES else None


def create_account(
    session: Session, actor: User, data: NewAccount, password: str, now: datetime
) -> User:
    """A new account with an initial password that its owner must change at first login."""
    user = create_user(
        session,
        username=data.username,
        password=password,
        role=data.role,
        display_name=data.display_name.strip(),
        partner=_partner_for(data.role, data.partner),
    )
    user.email = data.email or None
    user.must_change_password = True
    user.created_at = now
    session.flush()
    record(
        session,
        AuditAction.USER_CREATED,
        user=actor,
        details={"account": user.username, "role": user.role, "partner_id": user.partner_id},
    )
    return user


def _lock_active_admins(session: Session) -> list[int]:
    """Ids of the active admins, their rows locked until commit (PostgreSQL).

    So that two admins removing each other at once cannot both succeed.
    """
    stmt = (
        sa.select(User.id)
        .where(User.role == Role.ADMIN.value, User.active)
        .order_by(User.id)
        .with_for_update()
    )
    return list(session.scalars(stmt))


def _keep_an_admin(session: Session, user: User) -> None:
    """Refuse when the user is the last active admin."""
    if user.role == Role.ADMIN and user.active and _lock_active_admins(session) == [user.id]:
        raise AccountRefused(N_("Die letzte aktive Administration kann nicht entfernt werden."))


def _not_self(actor: User, user: User, message: str) -> None:
    if actor.id == user.id:
        raise AccountRefused(message)


def deactivate(session: Session, actor: User, user: User) -> None:
    """Deactivate an account: no more logins, its sessions end."""
    _not_self(actor, user, N_("Sie können Ihr eigenes Konto nicht deaktivieren."))
    if not user.active:
        return
    _keep_an_admin(session, user)
    set_active(session, user, False)
    record(session, AuditAction.USER_DEACTIVATED, user=actor, details={"account": user.username})


def reactivate(session: Session, actor: User, user: User) -> None:
    """Let a deactivated account log in again."""
    if user.active:
        return
    set_active(session, user, True)
    record(session, AuditAction.USER_REACTIVATED, user=actor, details={"account": user.username})


def reset_password(session: Session, actor: User, user: User) -> str:
    """A new temporary password (returned once); it must be changed, the sessions end."""
    _not_self(actor, user, N_("Ihr eigenes Passwort ändern Sie unter „Mein Konto“."))
    password = generate_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    end_sessions(session, user)
    record(session, AuditAction.PASSWORD_RESET, user=actor, details={"account": user.username})
    return password


def reset_second_factor(session: Session, actor: User, user: User) -> None:
    """Switch the user's second factor off (lost phone); sessions end, it is set up anew."""
    second_factor.reset(session, user)
    record(session, AuditAction.TOTP_RESET, user=actor, details={"account": user.username})


def change_role(
    session: Session, actor: User, user: User, role: Role, partner: Partner | None
) -> bool:
    """Give the user another role or partner; their sessions end. False: nothing changed."""
    _not_self(actor, user, N_("Ihre eigene Rolle kann nur eine andere Administration ändern."))
    partner = _partner_for(role, partner)
    new_partner_id = partner.id if partner else None
    if user.role == role.value and user.partner_id == new_partner_id:
        return False
    if role != Role.ADMIN:
        _keep_an_admin(session, user)
    details = {
        "account": user.username,
        "from_role": user.role,
        "to_role": role.value,
        "from_partner_id": user.partner_id,
        "to_partner_id": new_partner_id,
    }
    user.role = role.value
    user.partner_id = new_partner_id
    user.partner = partner
    end_sessions(session, user)
    record(session, AuditAction.ROLE_CHANGED, user=actor, details=details)
    return True


def all_accounts(session: Session) -> list[User]:
    """Every account with its partner (one statement): active first, then by name."""
    stmt = sa.select(User).order_by(User.active.desc(), User.display_name, User.username)
    return list(session.scalars(stmt))

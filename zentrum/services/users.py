"""Staff accounts: creation and authentication."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from zentrum.domain.vocab import Role
from zentrum.models import Partner, User
from zentrum.passwords import hash_password, needs_rehash, verify_password
from zentrum.services.errors import ServiceError

MIN_PASSWORD_LENGTH = 10
# Verified when the user is unknown, so that both answers take about as long.
_DUMMY_HASH: dict[str, str] = {}


class UserError(ServiceError):
    """A user account cannot be created as asked."""


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role,
    display_name: str,
    partner: Partner | None = None,
) -> User:
    """Create a user with a hashed password; advisors need a partner."""
    username = username.strip().lower()
    if not username:
        raise UserError("Benutzername fehlt.")
    if role == Role.ADVISOR and partner is None:
        raise UserError("Berater:innen gehören zu genau einer Partnerorganisation.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"Das Passwort braucht mindestens {MIN_PASSWORD_LENGTH} Zeichen.")
    if session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        raise UserError(f"Den Benutzernamen {username} gibt es schon.")
    user = User(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role.value,
        partner_id=partner.id if partner else None,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str, now: datetime) -> User | None:
    """The active user with these credentials, or None; rehashes outdated hashes."""
    user = session.scalar(sa.select(User).where(User.username == username.strip().lower()))
    if user is None or not user.active:
        if "hash" not in _DUMMY_HASH:
            _DUMMY_HASH["hash"] = hash_password("not-a-real-password")
        verify_password(_DUMMY_HASH["hash"], password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    return user

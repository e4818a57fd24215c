"""Staff accounts: creation, authentication, passwords and the end of sessions."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from zentrum.domain.passwords import MIN_LENGTH, broken_rules
from zentrum.domain.vocab import Role
from zentrum.models import Partner, User
from zentrum.passwords import hash_password, needs_rehash, verify_password
from zentrum.seed import N_
from zentrum.services.errors import ServiceError

# Verified when the user is unknown, so that both answers take about as long.
_DUMMY_HASH: dict[str, str] = {}


class UserError(ServiceError):
    """A user account cannot be created as asked.

    Holds German message ids (marked for the catalogue) and their values, so that
    the web layer shows them in the user's language; ``str()`` is the German text.
    """

    def __init__(self, *messages: str, **values) -> None:
        super().__init__(" ".join(message % values for message in messages))
        self.messages = messages
        self.values = values

    def translated(self, gettext) -> str:
        """The messages through the given ``gettext`` (flask_babel's in the web layer)."""
        return " ".join(gettext(message, **self.values) for message in self.messages)


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
        raise UserError(N_("Benutzername fehlt."))
    if role == Role.ADVISOR and partner is None:
        raise UserError(N_("Berater:innen gehören zu genau einer Partnerorganisation."))
    _check_new_password(password, username)
    if session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        raise UserError(N_("Den Benutzernamen %(username)s gibt es schon."), username=username)
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
    """The active user with these credentials, or None; rehashes outdated hashes.

    The login is complete (and ``last_login_at`` set) only after the second factor.
    """
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
    return user


def end_sessions(session: Session, user: User) -> None:
    """End every session of the user on every device: their cookies carry the old generation."""
    user.session_generation = (user.session_generation or 0) + 1
    session.flush()


def change_password(session: Session, user: User, new_password: str) -> None:
    """Set a new password that meets the rules; the user's sessions end."""
    _check_new_password(new_password, user.username)
    user.password_hash = hash_password(new_password)
    end_sessions(session, user)


def set_active(session: Session, user: User, active: bool) -> None:
    """Activate or deactivate a user; deactivation ends the user's sessions."""
    user.active = active
    if not active:
        end_sessions(session, user)
    session.flush()


def _check_new_password(password: str, username: str) -> None:
    """Raise UserError with every reason the password is refused."""
    problems = broken_rules(password, username)
    if problems:
        raise UserError(*problems, min=MIN_LENGTH)

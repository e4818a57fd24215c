"""The second factor on user rows: enrol, check a code once, switch off."""

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from zentrum.domain.vocab import AuditAction
from zentrum.models import User
from zentrum.services.audit import record
from zentrum.services.users import end_sessions
from zentrum.totp import UnreadableSecret, matching_step, seal, unseal


def required_for(user: User, roles: Iterable[str]) -> bool:
    """True when the user's role must use a second factor."""
    return user.role in set(roles)


def needs_enrolment(user: User, roles: Iterable[str]) -> bool:
    """True when the role requires a second factor the user has not set up yet."""
    return required_for(user, roles) and not user.totp_enabled


def _claim_step(session: Session, user: User, step: int) -> bool:
    """Record the step as used, unless it or a later one was used already.

    A conditional UPDATE, so that two requests with the same code cannot both win.
    """
    result = session.execute(
        sa.update(User)
        .where(User.id == user.id)
        .where(sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    session.refresh(user, ["totp_last_step"])
    return True


def check_code(session: Session, user: User, code: str, now: datetime) -> bool:
    """True when the code fits the user's secret now and was not used before."""
    if not user.totp_enabled:
        return False
    try:
        secret = unseal(user.totp_secret)
    except UnreadableSecret:
        return False
    step = matching_step(secret, code, now)
    return step is not None and _claim_step(session, user, step)


def enable(session: Session, user: User, secret: str, code: str, now: datetime) -> bool:
    """Switch the second factor on when the code proves the app holds the secret."""
    step = matching_step(secret, code, now)
    if step is None:
        return False
    user.totp_secret = seal(secret)
    user.totp_last_step = step
    user.totp_enabled_at = now
    session.flush()
    record(session, AuditAction.TOTP_ENABLED, user=user)
    return True


def disable(session: Session, user: User) -> None:
    """Switch the second factor off (the user, or an admin's reset)."""
    user.totp_secret = None
    user.totp_last_step = None
    user.totp_enabled_at = None
    session.flush()


def switch_off(session: Session, user: User) -> None:
    """The user switches their own (optional) second factor off."""
    disable(session, user)
    record(session, AuditAction.TOTP_RESET, user=user, details={"by_owner": True})


def reset(session: Session, user: User) -> None:
    """An admin's reset: the second factor is off and the user's sessions end."""
    disable(session, user)
    end_sessions(session, user)

"""Editing partner organisations: target time, functional address, active (admins only).

The functions check the values once more (the form is not the only caller)
and flush; the caller commits. Partners are reference data: created by the
seed, never deleted, switched off instead.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session

from zentrum.domain.vocab import Role
from zentrum.models import Partner, User
from zentrum.services.errors import ServiceError
from zentrum.services.statements import prepared

# Target for accepting an offer, in working hours: one hour to twenty working days.
TARGET_HOURS_MIN, TARGET_HOURS_MAX = 1, 200
EMAIL_MAX = 254


class PartnerNotAllowed(ServiceError):
    """Only the administration edits partners."""


class InvalidPartner(ServiceError):
    """A partner's value the service refuses; ``field`` names it, ``problem`` says why."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


@dataclass(frozen=True)
class PartnerData:
    """What the admin sets on a partner."""

    target_minutes: int
    email: str | None = None
    active: bool = True


def active_partners(session: Session) -> list[Partner]:
    """Every active partner by name (the choices wherever a partner is picked)."""
    stmt = prepared(
        "active partners", lambda: sa.select(Partner).where(Partner.active).order_by(Partner.name)
    )
    return list(session.scalars(stmt))


def all_partners(session: Session) -> list[Partner]:
    """Every partner, active ones first, then by name."""
    return list(session.scalars(sa.select(Partner).order_by(Partner.active.desc(), Partner.name)))


def normalised_email(text: str | None) -> str | None:
    """The address in its normal form, None when blank; InvalidPartner when it is none."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > EMAIL_MAX:
        raise InvalidPartner("email", "too_long")
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        raise InvalidPartner("email", "invalid") from None


def check_target(minutes: int) -> None:
    """Raise InvalidPartner unless the target lies between 1 and 200 working hours."""
    if not TARGET_HOURS_MIN * 60 <= minutes <= TARGET_HOURS_MAX * 60:
        raise InvalidPartner("target_minutes", "out_of_range")


def update_partner(
    session: Session, actor: User, now: datetime, partner: Partner, data: PartnerData
) -> Partner:
    """Set target time, address and active flag; flush only.

    The partner that handles child protection stays active: a crisis must
    always have somewhere to go (DESIGN.md, invariant 4). ``now`` is part of
    every service's signature; partners keep no change time of their own.
    """
    if not actor.has_role(Role.ADMIN):
        raise PartnerNotAllowed(actor.role)
    check_target(data.target_minutes)
    email = normalised_email(data.email)
    if partner.child_protection and not data.active:
        raise InvalidPartner("active", "child_protection")
    partner.target_minutes = data.target_minutes
    partner.email = email
    partner.active = data.active
    session.flush()
    return partner

"""Escalation of offers that wait too long: record each stage once, say whom to mail.

``escalate`` judges every pending offer by its own clock (a case handed on
starts again with the new offer and the new partner's target), inserts one
``OfferEscalation`` row per new stage and returns the notices to mail. It
flushes and never commits: the caller commits once and mails only after the
commit, so a rolled-back row was never mailed and every mail has its row.

Two runs at the same time cannot both claim a stage: the unique constraint on
(offer, stage) decides, each insert in its own SAVEPOINT, and a run mails only
what it inserted itself.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from zentrum.domain.escalation import Stage, due_stages
from zentrum.domain.vocab import OfferStatus, Role
from zentrum.models import Case, Handover, OfferEscalation, Partner, User
from zentrum.services.timing import working_seconds

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EscalationNotice:
    """One stage reached by one offer, and who is to be told (no personal data)."""

    stage: Stage
    handover_id: int
    case_id: int
    reference: str
    partner_code: str
    partner_name: str
    offered_at: datetime
    waited_seconds: int
    target_minutes: int
    recipients: tuple[str, ...]


def _pending_offers(session: Session) -> list[tuple[Handover, str]]:
    """Every pending offer with its case reference, oldest first (partner loaded)."""
    stmt = (
        sa.select(Handover, Case.reference)
        .join(Case, Case.id == Handover.case_id)
        .where(Handover.status == OfferStatus.PENDING.value)
        .order_by(Handover.id)
    )
    return [(offer, reference) for offer, reference in session.execute(stmt)]


def _recorded_stages(session: Session, handover_ids: list[int]) -> dict[int, set[str]]:
    """The stages already recorded, per offer."""
    recorded: dict[int, set[str]] = {}
    if not handover_ids:
        return recorded
    stmt = sa.select(OfferEscalation.handover_id, OfferEscalation.stage).where(
        OfferEscalation.handover_id.in_(handover_ids)
    )
    for handover_id, stage in session.execute(stmt):
        recorded.setdefault(handover_id, set()).add(stage)
    return recorded


def _supervisors(session: Session) -> list[User]:
    """Active supervisors: of one partner (partner_id set) or of the whole house (None)."""
    stmt = (
        sa.select(User)
        .where(User.role == Role.SUPERVISOR.value, User.active.is_(True))
        .order_by(User.id)
    )
    return list(session.scalars(stmt))


def _addresses(values) -> tuple[str, ...]:
    """Non-blank addresses, stripped, each once (first spelling wins), in order."""
    seen: dict[str, str] = {}
    for value in values:
        address = (value or "").strip()
        if address and address.lower() not in seen:
            seen[address.lower()] = address
    return tuple(seen.values())


def warning_recipients(partner: Partner) -> tuple[str, ...]:
    """The partner's functional address, if it has one."""
    return _addresses([partner.email])


def overdue_recipients(partner: Partner, supervisors: list[User]) -> tuple[str, ...]:
    """The partner's own supervisors and the house-wide supervisors that have an address."""
    concerned = [s for s in supervisors if s.partner_id in (None, partner.id)]
    for supervisor in concerned:
        if not (supervisor.email or "").strip():
            logger.warning(
                "supervisor (user %s) has no e-mail address: no overdue mail for partner %s",
                supervisor.id,
                partner.code,
            )
    return _addresses(s.email for s in concerned)


def _claim(session: Session, offer: Handover, stage: Stage, now: datetime, to: tuple) -> bool:
    """Insert the stage's row in a SAVEPOINT; False when another run recorded it first."""
    try:
        with session.begin_nested():
            session.add(
                OfferEscalation(
                    handover_id=offer.id, stage=stage.value, at=now, mailed_to=", ".join(to)
                )
            )
    except IntegrityError:
        logger.info("escalation %s of offer %s was recorded by another run", stage, offer.id)
        return False
    return True


def _notice(stage: Stage, offer: Handover, reference: str, waited: int, to) -> EscalationNotice:
    """The notice of a stage just recorded."""
    return EscalationNotice(
        stage=stage,
        handover_id=offer.id,
        case_id=offer.case_id,
        reference=reference,
        partner_code=offer.to_partner.code,
        partner_name=offer.to_partner.name,
        offered_at=offer.offered_at,
        waited_seconds=waited,
        target_minutes=offer.to_partner.target_minutes,
        recipients=to,
    )


def escalate(session: Session, now: datetime) -> list[EscalationNotice]:
    """Record the stages that pending offers reached by ``now``; the notices to mail.

    Flushes, never commits. A stage without any address is recorded all the
    same (the offer is flagged) and logged; its notice has no recipients.
    """
    offers = _pending_offers(session)
    recorded = _recorded_stages(session, [offer.id for offer, _ref in offers])
    supervisors: list[User] | None = None  # loaded once, when the first offer is overdue
    notices = []
    for offer, reference in offers:
        done = recorded.get(offer.id, set())
        if len(done) == len(Stage):
            continue  # both stages behind it: spare the working-time arithmetic
        partner = offer.to_partner
        waited = working_seconds(offer.offered_at, now)
        for stage in due_stages(waited, partner.target_minutes, done):
            if stage == Stage.OVERDUE and supervisors is None:
                supervisors = _supervisors(session)
            to = (
                warning_recipients(partner)
                if stage == Stage.WARNING
                else overdue_recipients(partner, supervisors or [])
            )
            if not to:
                logger.warning("escalation %s of %s goes to nobody: no address", stage, reference)
            if _claim(session, offer, stage, now, to):
                notices.append(_notice(stage, offer, reference, waited, to))
    return notices


def overdue_offer_ids(session: Session, partner_id: int | None = None) -> set[int]:
    """Ids of the pending offers flagged overdue, for one partner or for all."""
    stmt = (
        sa.select(Handover.id)
        .join(OfferEscalation, OfferEscalation.handover_id == Handover.id)
        .where(
            Handover.status == OfferStatus.PENDING.value,
            OfferEscalation.stage == Stage.OVERDUE.value,
        )
    )
    if partner_id is not None:
        stmt = stmt.where(Handover.to_partner_id == partner_id)
    return set(session.scalars(stmt))

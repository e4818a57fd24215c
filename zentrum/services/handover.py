"""Offers and handovers: offer, accept, decline, withdraw.

Each function applies one lifecycle rule to the rows, writes the history
event and flushes; the caller commits once. Accepting is decided by the
database: a conditional UPDATE that only one of two racing advisors can win.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from zentrum.domain.lifecycle import (
    TransitionError,
    check_accept,
    check_decline,
    check_offer,
    check_withdraw,
)
from zentrum.domain.routing import Suggestion
from zentrum.domain.vocab import CaseStatus, DeclineReason, EventKind, OfferStatus
from zentrum.models import Case, Handover, Partner, User
from zentrum.services.lifecycle import (
    actor_of,
    add_event,
    case_state,
    open_to_partner,
    receiving_basis,
    touch,
)
from zentrum.services.timing import wall_seconds, week_of, working_seconds


class OfferTaken(TransitionError):
    """Somebody else answered the offer first."""

    def __init__(self, offer: Handover) -> None:
        super().__init__("offer_taken")
        self.offer = offer


def offer_case(
    session: Session,
    actor: User,
    now: datetime,
    case: Case,
    to_partner: Partner,
    *,
    note: str = "",
    suggestion: Suggestion | None = None,
    override_reason: str | None = None,
) -> Handover:
    """Offer the case to a partner; responsibility stays until the partner accepts.

    A choice other than the routing suggestion needs a reason. Without the
    person's consent the offer is refused, except a crisis to the Jugendamt,
    which is recorded with its legal basis.
    """
    state = case_state(session, case)
    check_offer(state, actor_of(actor), to_partner.id)
    if not to_partner.active:
        raise TransitionError("partner_inactive")
    overrides = suggestion is not None and suggestion.partner_id != to_partner.id
    if overrides and not (override_reason or "").strip():
        raise TransitionError("override_needs_reason")
    basis = receiving_basis(session, case, to_partner)
    offer = Handover(
        case_id=case.id,
        from_partner_id=case.holder_partner_id,
        to_partner_id=to_partner.id,
        offered_by_id=actor.id,
        offered_at=now,
        note=note,
        status=OfferStatus.PENDING.value,
        legal_basis=basis.value if basis else None,
        offered_week=week_of(now),
        suggested_partner_id=suggestion.partner_id if suggestion else None,
        suggestion_reason=suggestion.reason if suggestion else None,
        override_reason=override_reason if overrides else None,
    )
    open_to_partner(session, case, offer, to_partner.id, now)
    add_event(
        session,
        case,
        EventKind.OFFER.value,
        actor,
        now,
        target_partner_id=to_partner.id,
        handover_id=offer.id,
        legal_basis=offer.legal_basis,
        suggestion=offer.suggestion_reason,
        override_reason=offer.override_reason,
    )
    session.flush()
    return offer


def _decide(
    session: Session, offer_id: int, status: OfferStatus, actor: User, now: datetime, **values
) -> datetime:
    """Move a pending offer on, only if it is still pending; else report who was first.

    Records how long the offer waited (wall-clock and working time); returns when it was made.
    """
    offered_at = session.scalar(sa.select(Handover.offered_at).where(Handover.id == offer_id))
    result = session.execute(
        sa.update(Handover)
        .where(Handover.id == offer_id, Handover.status == OfferStatus.PENDING.value)
        .values(
            status=status.value,
            decided_at=now,
            decided_by_id=actor.id,
            wait_seconds=wall_seconds(offered_at, now),
            wait_business_seconds=working_seconds(offered_at, now),
            **values,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise OfferTaken(session.get(Handover, offer_id, populate_existing=True))
    return offered_at


def _answered(session: Session, case: Case, offer_id: int, check, actor: User):
    """Apply a rule about an offer; an offer already answered is reported as taken."""
    try:
        return check(case_state(session, case), actor_of(actor), offer_id)
    except TransitionError as error:
        offer = session.get(Handover, offer_id)
        if (
            error.code == "offer_gone"
            and offer is not None
            and offer.case_id == case.id
            and offer.status != OfferStatus.PENDING
        ):
            raise OfferTaken(offer) from None
        raise


def accept_offer(session: Session, actor: User, now: datetime, case: Case, offer_id: int) -> None:
    """Accept the offer: the partner holds the case and the advisor is responsible."""
    offer = _answered(session, case, offer_id, check_accept, actor)
    offered_at = _decide(session, offer_id, OfferStatus.ACCEPTED, actor, now)
    if case.first_accepted_at is None:
        case.first_accepted_at = now
        case.first_accept_seconds = wall_seconds(case.created_at, now)
        case.first_accept_business_seconds = working_seconds(case.created_at, now)
    case.holder_partner_id = offer.to_partner_id
    case.responsible_user_id = actor.id
    case.status = CaseStatus.WITH_PARTNER.value
    # Each holder counts its own first contact.
    case.first_contact_at = None
    case.contact_seconds = case.contact_business_seconds = None
    add_event(
        session,
        case,
        EventKind.ACCEPT.value,
        actor,
        now,
        target_partner_id=offer.to_partner_id,
        handover_id=offer_id,
        from_partner_id=offer.from_partner_id,
        wait_seconds=int((now - offered_at).total_seconds()),
    )
    session.flush()


def decline_offer(
    session: Session,
    actor: User,
    now: datetime,
    case: Case,
    offer_id: int,
    reason: DeclineReason,
    comment: str = "",
) -> None:
    """Decline the offer with a reason; the case stays with whoever offered it."""
    if reason == DeclineReason.OTHER and not comment.strip():
        raise TransitionError("decline_needs_comment")
    offer = _answered(session, case, offer_id, check_decline, actor)
    _decide(
        session,
        offer_id,
        OfferStatus.DECLINED,
        actor,
        now,
        decline_reason=reason.value,
        decline_comment=comment or None,
    )
    touch(case)
    add_event(
        session,
        case,
        EventKind.DECLINE.value,
        actor,
        now,
        target_partner_id=offer.from_partner_id,
        handover_id=offer_id,
        reason=reason.value,
        comment=comment,
    )
    session.flush()


def withdraw_offer(session: Session, actor: User, now: datetime, case: Case, offer_id: int) -> None:
    """Take an open offer back."""
    offer = _answered(session, case, offer_id, check_withdraw, actor)
    _decide(session, offer_id, OfferStatus.WITHDRAWN, actor, now)
    touch(case)
    add_event(
        session,
        case,
        EventKind.WITHDRAW.value,
        actor,
        now,
        target_partner_id=offer.to_partner_id,
        handover_id=offer_id,
    )
    session.flush()


def withdraw_for_revocation(
    session: Session, actor: User, now: datetime, case: Case, offer: Handover
) -> None:
    """Withdraw an open offer because the consent for its partner was revoked.

    Not the holder's rule: whoever records the revocation stops the data going
    out, so the offer is withdrawn on their account, with the cause in the history.
    """
    _decide(session, offer.id, OfferStatus.WITHDRAWN, actor, now)
    touch(case)
    add_event(
        session,
        case,
        EventKind.WITHDRAW.value,
        actor,
        now,
        target_partner_id=offer.to_partner_id,
        handover_id=offer.id,
        cause="consent_revoked",
    )

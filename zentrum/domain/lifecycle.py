"""The case lifecycle: who may do what, in which state, and what follows.

Pure rules on plain values: the services load a ``CaseState``, ask ``check_*``
and apply the answer to rows. DESIGN.md's invariants live here:
exactly one responsible holder (the front desk when ``holder_partner_id`` is
None), at most one open offer, responsibility moves only on acceptance.
"""

from dataclasses import dataclass, field

from zentrum.domain.vocab import CaseStatus, Role


class TransitionError(Exception):
    """A transition the rules refuse; ``code`` names the rule for the message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Actor:
    """Who acts: a user with a role and, for advisors, a partner."""

    user_id: int
    role: str
    partner_id: int | None = None


@dataclass(frozen=True)
class Offer:
    """An open offer of the case to a partner."""

    id: int
    to_partner_id: int
    from_partner_id: int | None


@dataclass(frozen=True)
class Referral:
    """A partner involved in parallel, pending or active."""

    id: int
    to_partner_id: int
    status: str  # "pending" or "active"


@dataclass(frozen=True)
class CaseState:
    """What the rules need to know about a case."""

    status: str
    holder_partner_id: int | None
    responsible_user_id: int | None = None
    pending_offer: Offer | None = None
    referrals: tuple[Referral, ...] = field(default_factory=tuple)
    first_contact_recorded: bool = False


# Actions and the case statuses they start from.
ALLOWED_FROM: dict[str, frozenset[str]] = {
    "offer": frozenset({CaseStatus.AT_FRONT_DESK, CaseStatus.WITH_PARTNER}),
    "accept": frozenset({CaseStatus.AT_FRONT_DESK, CaseStatus.WITH_PARTNER}),
    "decline": frozenset({CaseStatus.AT_FRONT_DESK, CaseStatus.WITH_PARTNER}),
    "withdraw": frozenset({CaseStatus.AT_FRONT_DESK, CaseStatus.WITH_PARTNER}),
    "refer": frozenset({CaseStatus.AT_FRONT_DESK, CaseStatus.WITH_PARTNER}),
    "referral_answer": frozenset({CaseStatus.AT_FRONT_DESK, CaseStatus.WITH_PARTNER}),
    "referral_end": frozenset({CaseStatus.AT_FRONT_DESK, CaseStatus.WITH_PARTNER}),
    "reassign": frozenset({CaseStatus.WITH_PARTNER}),
    "first_contact": frozenset({CaseStatus.WITH_PARTNER}),
    "close": frozenset({CaseStatus.AT_FRONT_DESK, CaseStatus.WITH_PARTNER}),
    "reopen": frozenset({CaseStatus.CLOSED}),
}


def _require_status(action: str, state: CaseState) -> None:
    if state.status not in ALLOWED_FROM[action]:
        raise TransitionError("case_closed" if state.status == CaseStatus.CLOSED else "wrong_state")


def acts_for_holder(actor: Actor, state: CaseState) -> bool:
    """True when the actor speaks for whoever holds the case."""
    if state.holder_partner_id is None:
        return actor.role == Role.FRONTDESK
    return actor.role == Role.ADVISOR and actor.partner_id == state.holder_partner_id


def _advisor_of(actor: Actor, partner_id: int) -> bool:
    return actor.role == Role.ADVISOR and actor.partner_id == partner_id


def check_offer(state: CaseState, actor: Actor, to_partner_id: int) -> None:
    """Offer the case to a partner (first routing or handover between partners)."""
    _require_status("offer", state)
    if not acts_for_holder(actor, state):
        raise TransitionError("not_holder")
    if state.pending_offer is not None:
        raise TransitionError("offer_pending")
    if to_partner_id == state.holder_partner_id:
        raise TransitionError("offer_to_self")


def check_accept(state: CaseState, actor: Actor, offer_id: int) -> Offer:
    """Accept the open offer; the accepting advisor becomes responsible."""
    _require_status("accept", state)
    offer = state.pending_offer
    if offer is None or offer.id != offer_id:
        raise TransitionError("offer_gone")
    if not _advisor_of(actor, offer.to_partner_id):
        raise TransitionError("not_recipient")
    return offer


def check_decline(state: CaseState, actor: Actor, offer_id: int) -> Offer:
    """Decline the open offer; the case stays with whoever offered it."""
    return check_accept(state, actor, offer_id)


def check_withdraw(state: CaseState, actor: Actor, offer_id: int) -> Offer:
    """The holder takes its open offer back."""
    _require_status("withdraw", state)
    offer = state.pending_offer
    if offer is None or offer.id != offer_id:
        raise TransitionError("offer_gone")
    if not acts_for_holder(actor, state):
        raise TransitionError("not_holder")
    return offer


def check_refer(state: CaseState, actor: Actor, to_partner_id: int) -> None:
    """Involve another partner in parallel; the holder stays responsible."""
    _require_status("refer", state)
    if not acts_for_holder(actor, state):
        raise TransitionError("not_holder")
    if to_partner_id == state.holder_partner_id:
        raise TransitionError("refer_to_self")
    if any(r.to_partner_id == to_partner_id for r in state.referrals):
        raise TransitionError("referral_exists")


def _referral(state: CaseState, referral_id: int) -> Referral:
    for referral in state.referrals:
        if referral.id == referral_id:
            return referral
    raise TransitionError("referral_gone")


def check_referral_answer(state: CaseState, actor: Actor, referral_id: int) -> Referral:
    """The referred partner accepts or declines a pending referral."""
    _require_status("referral_answer", state)
    referral = _referral(state, referral_id)
    if referral.status != "pending":
        raise TransitionError("referral_gone")
    if not _advisor_of(actor, referral.to_partner_id):
        raise TransitionError("not_recipient")
    return referral


def check_referral_end(state: CaseState, actor: Actor, referral_id: int) -> Referral:
    """End (or withdraw, while pending) a referral: the holder or the referred partner."""
    _require_status("referral_end", state)
    referral = _referral(state, referral_id)
    if not (acts_for_holder(actor, state) or _advisor_of(actor, referral.to_partner_id)):
        raise TransitionError("not_involved")
    return referral


def check_reassign(state: CaseState, actor: Actor, new_user: Actor) -> None:
    """Hand the case to a colleague of the same partner."""
    _require_status("reassign", state)
    if not acts_for_holder(actor, state):
        raise TransitionError("not_holder")
    if not _advisor_of(new_user, state.holder_partner_id):
        raise TransitionError("not_colleague")
    if new_user.user_id == state.responsible_user_id:
        raise TransitionError("already_responsible")


def check_first_contact(state: CaseState, actor: Actor) -> None:
    """Record the first contact with the young person, once."""
    _require_status("first_contact", state)
    if not acts_for_holder(actor, state):
        raise TransitionError("not_holder")
    if state.first_contact_recorded:
        raise TransitionError("first_contact_recorded")


def check_close(state: CaseState, actor: Actor) -> tuple[Referral, ...]:
    """Close with an outcome; returns the referrals that end with the case."""
    _require_status("close", state)
    if not acts_for_holder(actor, state):
        raise TransitionError("not_holder")
    if state.pending_offer is not None:
        raise TransitionError("offer_pending")
    return state.referrals


def check_reopen(state: CaseState, actor: Actor) -> str:
    """Reopen a closed case with its last holder; returns the status it goes back to."""
    _require_status("reopen", state)
    if not acts_for_holder(actor, state):
        raise TransitionError("not_holder")
    if state.holder_partner_id is None:
        return CaseStatus.AT_FRONT_DESK
    return CaseStatus.WITH_PARTNER

"""Shared steps of the lifecycle services: the rules' view of a case, events, access."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from zentrum.domain.consent import ConsentStanding, sharing_basis
from zentrum.domain.lifecycle import Actor, CaseState, Offer, TransitionError
from zentrum.domain.lifecycle import Referral as ReferralView
from zentrum.domain.vocab import BasisStatus, LegalBasis, MemberRole, OfferStatus, ReferralStatus
from zentrum.models import (
    Case,
    CaseAccess,
    CaseEvent,
    CaseMember,
    Consent,
    Handover,
    LegalBasisRecord,
    Partner,
    Referral,
    User,
)
from zentrum.services.statements import CASE_ID, prepared


def actor_of(user: User) -> Actor:
    """The rules' view of a user."""
    return Actor(user_id=user.id, role=user.role, partner_id=user.partner_id)


def pending_offer(session: Session, case: Case) -> Handover | None:
    """The case's open offer, if any."""
    stmt = prepared(
        "pending offer",
        lambda: sa.select(Handover).where(
            Handover.case_id == CASE_ID, Handover.status == OfferStatus.PENDING.value
        ),
    )
    return session.scalar(stmt, {"case_id": case.id})


def open_referrals(session: Session, case: Case) -> list[Referral]:
    """The case's pending and active referrals."""
    stmt = prepared(
        "open referrals",
        lambda: (
            sa.select(Referral)
            .where(
                Referral.case_id == CASE_ID,
                Referral.status.in_([ReferralStatus.PENDING.value, ReferralStatus.ACTIVE.value]),
            )
            .order_by(Referral.referred_at, Referral.id)
            # The status changes by UPDATE statements; rows already loaded must not hide them.
            .execution_options(populate_existing=True)
        ),
    )
    return list(session.scalars(stmt, {"case_id": case.id}))


def case_state(session: Session, case: Case) -> CaseState:
    """What the lifecycle rules need to know about a case, read fresh from the database."""
    return state_of(case, pending_offer(session, case), open_referrals(session, case))


def state_of(case: Case, offer: Handover | None, referrals: list[Referral]) -> CaseState:
    """The lifecycle state from the case and its open offer and referrals, read already."""
    return CaseState(
        status=case.status,
        holder_partner_id=case.holder_partner_id,
        responsible_user_id=case.responsible_user_id,
        pending_offer=Offer(offer.id, offer.to_partner_id, offer.from_partner_id)
        if offer
        else None,
        referrals=tuple(ReferralView(r.id, r.to_partner_id, r.status) for r in referrals),
        first_contact_recorded=case.first_contact_at is not None,
    )


def young_person_id(session: Session, case: Case) -> int | None:
    """The id of the young person the case is about."""
    stmt = sa.select(CaseMember.person_id).where(
        CaseMember.case_id == case.id, CaseMember.role == MemberRole.YOUNG_PERSON.value
    )
    return session.scalar(stmt)


def has_consent(session: Session, case: Case, partner_id: int) -> bool:
    """True when the young person's consent for this partner stands (not revoked)."""
    return consent_standings(session, case, [partner_id])[partner_id].granted


def consent_standings(
    session: Session, case: Case, partner_ids: list[int] | None = None
) -> dict[int, ConsentStanding]:
    """Per partner: the young person's consents (standing, revoked) and approved legal bases.

    Two statements whatever the number of partners; partners with nothing on
    record are missing unless asked for by ``partner_ids``.
    """
    person_id = young_person_id(session, case)
    consents = sa.select(Consent.partner_id, Consent.revoked_at).where(
        Consent.person_id == person_id
    )
    bases = (
        sa.select(LegalBasisRecord.partner_id, LegalBasisRecord.basis)
        .where(
            LegalBasisRecord.case_id == case.id,
            LegalBasisRecord.status == BasisStatus.APPROVED.value,
        )
        .order_by(LegalBasisRecord.decided_at, LegalBasisRecord.id)
    )
    if partner_ids is not None:
        consents = consents.where(Consent.partner_id.in_(partner_ids))
        bases = bases.where(LegalBasisRecord.partner_id.in_(partner_ids))
    facts: dict[int, dict] = {pid: {} for pid in partner_ids or ()}
    for partner_id, revoked_at in session.execute(consents):
        key = "revoked" if revoked_at is not None else "granted"
        facts.setdefault(partner_id, {})[key] = True
    for partner_id, basis in session.execute(bases):
        facts.setdefault(partner_id, {})["approved_basis"] = LegalBasis(basis)
    return {pid: ConsentStanding(**values) for pid, values in facts.items()}


def grant_access(session: Session, case: Case, partner_id: int, now: datetime) -> None:
    """Remember that a partner is involved, so that it may see the case from now on."""
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = (
        module.insert(CaseAccess)
        .values(case_id=case.id, partner_id=partner_id, since=now)
        .on_conflict_do_nothing(index_elements=["case_id", "partner_id"])
    )
    session.execute(stmt)


def add_event(
    session: Session,
    case: Case,
    kind: str,
    actor: User,
    now: datetime,
    *,
    target_partner_id: int | None = None,
    **details,
) -> CaseEvent:
    """Append a history entry for the case, in the current transaction."""
    event = CaseEvent(
        case_id=case.id,
        kind=kind,
        at=now,
        actor_id=actor.id,
        partner_id=actor.partner_id,
        target_partner_id=target_partner_id,
        details={k: v for k, v in details.items() if v not in (None, "")} or None,
    )
    session.add(event)
    return event


def touch(case: Case) -> None:
    """Mark the case row changed, so its version is checked and bumped on flush.

    Two transitions on one case at the same moment then cannot both win: the
    second flush finds another version and fails (StaleDataError).
    """
    sa.orm.attributes.flag_modified(case, "status")


def receiving_basis(session: Session, case: Case, partner: Partner) -> LegalBasis | None:
    """Whether the case's data may go to this partner: None with consent, or the legal basis.

    Refuses an inactive partner, and a partner without consent unless the law allows it
    (an approved legal basis, or a crisis to the Jugendamt); a revoked consent is
    refused with its own reason.
    """
    if not partner.active:
        raise TransitionError("partner_inactive")
    standing = consent_standings(session, case, [partner.id])[partner.id]
    return sharing_basis(standing, case.urgency, partner.child_protection)


def open_to_partner(session: Session, case: Case, row, partner_id: int, now: datetime) -> None:
    """Store a new offer or referral: the partner may see the case from now on.

    The case row is touched so that a concurrent change of the case fails its
    version check; flushed, so the row has its id for the history entry.
    """
    session.add(row)
    grant_access(session, case, partner_id, now)
    touch(case)
    session.flush()

"""Consents and legal bases: record, revoke, request, approve or refuse; each with its event.

Each function checks the rules, writes the rows and the history entry and
flushes; the caller commits once.
"""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from zentrum.domain.clock import local_date
from zentrum.domain.consent import (
    GUARDIAN_NAMES_MAX,
    JUSTIFICATION_MIN,
    ConsentStanding,
    check_giver,
    hidden_after_revocation,
    required_giver,
)
from zentrum.domain.lifecycle import TransitionError
from zentrum.domain.vocab import (
    BasisStatus,
    CaseStatus,
    ConsentGiver,
    DataCategory,
    EventKind,
    LegalBasis,
    MemberRole,
    OfferStatus,
    ReferralStatus,
    Role,
    Urgency,
)
from zentrum.models import (
    Case,
    CaseAccess,
    CaseMember,
    Consent,
    Handover,
    LegalBasisRecord,
    Partner,
    Person,
    Referral,
    User,
)
from zentrum.services.cases import revocation_stands
from zentrum.services.handover import withdraw_for_revocation
from zentrum.services.lifecycle import add_event, consent_standings, touch, young_person_id
from zentrum.services.referrals import end_referral_rows
from zentrum.services.statements import CASE_ID, prepared

TEXT_MAX = 2000


@dataclass
class ConsentData:
    """What the consent form says."""

    categories: list[str]
    purpose: str
    given_on: date
    given_by: str
    guardian_names: str = ""


def _may_work_on(session: Session, actor: User, case: Case, *, supervisors=False) -> None:
    """Front desk, and advisors of partners involved in the case, record consents and bases.

    Supervisors read along; they may ask for a legal basis (``supervisors``), which
    another supervisor then approves.
    """
    if actor.role == Role.ADMIN or (actor.role == Role.SUPERVISOR and not supervisors):
        raise TransitionError("read_only")
    if actor.role == Role.ADVISOR:
        stmt = sa.select(CaseAccess.case_id).where(
            CaseAccess.case_id == case.id, CaseAccess.partner_id == actor.partner_id
        )
        if session.scalar(stmt) is None:
            raise TransitionError("not_involved_case")


def _young_person(session: Session, case: Case) -> Person:
    return session.get(Person, young_person_id(session, case))


def record_consent(
    session: Session, actor: User, now: datetime, case: Case, partner: Partner, data: ConsentData
) -> Consent:
    """Record the young person's (or the guardians') consent for a partner."""
    _may_work_on(session, actor, case)
    if not partner.active:
        raise TransitionError("partner_inactive")
    categories = [c.value for c in DataCategory if c.value in set(data.categories)]
    if not categories or len(categories) != len(set(data.categories)):
        raise TransitionError("categories_missing")
    purpose = data.purpose.strip()
    if not purpose:
        raise TransitionError("purpose_missing")
    if len(purpose) > TEXT_MAX:
        raise TransitionError("text_too_long")
    names = data.guardian_names.strip()
    if len(names) > GUARDIAN_NAMES_MAX:
        raise TransitionError("guardian_names_too_long")
    if data.given_by not in set(ConsentGiver):
        raise TransitionError("consent_by_unknown")
    person = _young_person(session, case)
    check_giver(person.birth_date, data.given_on, data.given_by, names, local_date(now))
    consent = Consent(
        person_id=person.id,
        partner_id=partner.id,
        case_id=case.id,
        categories=categories,
        purpose=purpose,
        given_on=data.given_on,
        given_by=data.given_by,
        guardian_names=names if data.given_by == ConsentGiver.GUARDIANS else None,
        granted_at=now,
        recorded_by_id=actor.id,
    )
    session.add(consent)
    touch(case)
    session.flush()
    add_event(
        session,
        case,
        EventKind.CONSENT_GIVEN.value,
        actor,
        now,
        target_partner_id=partner.id,
        consent_id=consent.id,
        categories=categories,
        given_by=data.given_by,
        given_on=data.given_on.isoformat(),
    )
    session.flush()
    return consent


def revoke_consent(
    session: Session,
    actor: User,
    now: datetime,
    case: Case,
    consent_id: int,
    revoked_by: str,
    note: str = "",
) -> Consent:
    """Record a revocation; open offers and referrals to that partner end with it.

    The consent belongs to the young person, so the offers and referrals of
    every open case of theirs are stopped, each with its history entry.
    """
    _may_work_on(session, actor, case)
    person = _young_person(session, case)
    consent = session.get(Consent, consent_id)
    if consent is None or consent.person_id != person.id:
        raise TransitionError("consent_gone")
    required = required_giver(person.birth_date, local_date(now))
    if revoked_by not in set(ConsentGiver) or (required and revoked_by != required):
        raise TransitionError(
            "revoke_by_guardians" if required == ConsentGiver.GUARDIANS else "revoke_by_young"
        )
    note = note.strip()
    if len(note) > TEXT_MAX:
        raise TransitionError("text_too_long")
    result = session.execute(
        sa.update(Consent)
        .where(Consent.id == consent_id, Consent.revoked_at.is_(None))
        .values(revoked_at=now, revoked_by_id=actor.id, revoked_by=revoked_by, revocation_note=note)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise TransitionError("consent_already_revoked")
    session.refresh(consent)
    add_event(
        session,
        case,
        EventKind.CONSENT_REVOKED.value,
        actor,
        now,
        target_partner_id=consent.partner_id,
        consent_id=consent.id,
        revoked_by=revoked_by,
        comment=note,
    )
    touch(case)
    _stop_sharing(session, actor, now, person.id, consent.partner)
    session.flush()
    return consent


def _stop_sharing(
    session: Session, actor: User, now: datetime, person_id: int, partner: Partner
) -> None:
    """Withdraw open offers and end referrals to the partner on the person's open cases.

    Not where something else still allows the data to go: another standing
    consent, an approved legal basis, or a crisis at the Jugendamt.
    """
    stmt = (
        sa.select(Case)
        .join(CaseMember, CaseMember.case_id == Case.id)
        .where(
            CaseMember.person_id == person_id,
            CaseMember.role == MemberRole.YOUNG_PERSON.value,
            Case.status != CaseStatus.CLOSED.value,
        )
        .order_by(Case.id)
    )
    for case in session.scalars(stmt):
        standing = consent_standings(session, case, [partner.id])[partner.id]
        crisis = case.urgency == Urgency.CRISIS and partner.child_protection
        if standing.granted or standing.approved_basis is not None or crisis:
            continue
        offer = session.scalar(
            sa.select(Handover).where(
                Handover.case_id == case.id,
                Handover.to_partner_id == partner.id,
                Handover.status == OfferStatus.PENDING.value,
            )
        )
        if offer is not None:
            withdraw_for_revocation(session, actor, now, case, offer)
        referrals = list(
            session.scalars(
                sa.select(Referral).where(
                    Referral.case_id == case.id,
                    Referral.to_partner_id == partner.id,
                    Referral.status.in_(
                        [ReferralStatus.PENDING.value, ReferralStatus.ACTIVE.value]
                    ),
                )
            )
        )
        if referrals:
            end_referral_rows(session, actor, now, case, referrals)


def request_basis(
    session: Session,
    actor: User,
    now: datetime,
    case: Case,
    partner: Partner,
    basis: str,
    justification: str,
) -> LegalBasisRecord:
    """Ask for a legal basis to share the case with a partner; it counts once approved."""
    _may_work_on(session, actor, case, supervisors=True)
    if not partner.active:
        raise TransitionError("partner_inactive")
    if basis not in set(LegalBasis):
        raise TransitionError("basis_unknown")
    justification = justification.strip()
    if len(justification) < JUSTIFICATION_MIN:
        raise TransitionError("justification_too_short")
    if len(justification) > TEXT_MAX:
        raise TransitionError("text_too_long")
    pending = sa.select(LegalBasisRecord.id).where(
        LegalBasisRecord.case_id == case.id,
        LegalBasisRecord.partner_id == partner.id,
        LegalBasisRecord.status == BasisStatus.PENDING.value,
    )
    if session.scalar(pending) is not None:
        raise TransitionError("basis_pending")
    record = LegalBasisRecord(
        case_id=case.id,
        partner_id=partner.id,
        basis=basis,
        justification=justification,
        status=BasisStatus.PENDING.value,
        requested_by_id=actor.id,
        requested_at=now,
    )
    session.add(record)
    touch(case)
    session.flush()
    add_event(
        session,
        case,
        EventKind.BASIS_REQUESTED.value,
        actor,
        now,
        target_partner_id=partner.id,
        basis_id=record.id,
        basis=basis,
    )
    session.flush()
    return record


def decide_basis(
    session: Session,
    actor: User,
    now: datetime,
    case: Case,
    basis_id: int,
    *,
    approve: bool,
    note: str = "",
) -> LegalBasisRecord:
    """A supervisor other than the requester approves or refuses (with a reason) a request."""
    if actor.role != Role.SUPERVISOR:
        raise TransitionError("basis_needs_supervisor")
    record = session.get(LegalBasisRecord, basis_id)
    if record is None or record.case_id != case.id:
        raise TransitionError("basis_gone")
    if record.requested_by_id == actor.id:
        raise TransitionError("four_eyes")
    note = note.strip()
    if not approve and not note:
        raise TransitionError("refusal_needs_reason")
    if len(note) > TEXT_MAX:
        raise TransitionError("text_too_long")
    status = BasisStatus.APPROVED if approve else BasisStatus.REFUSED
    result = session.execute(
        sa.update(LegalBasisRecord)
        .where(
            LegalBasisRecord.id == basis_id,
            LegalBasisRecord.status == BasisStatus.PENDING.value,
        )
        .values(status=status.value, decided_by_id=actor.id, decided_at=now, decision_note=note)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise TransitionError("basis_decided")
    session.refresh(record)
    kind = EventKind.BASIS_APPROVED if approve else EventKind.BASIS_REFUSED
    add_event(
        session,
        case,
        kind.value,
        actor,
        now,
        target_partner_id=record.partner_id,
        basis_id=record.id,
        basis=record.basis,
        comment=note,
    )
    touch(case)
    session.flush()
    return record


def case_bases(session: Session, case: Case) -> list[LegalBasisRecord]:
    """The case's legal bases, newest first."""
    stmt = prepared(
        "case bases",
        lambda: (
            sa.select(LegalBasisRecord)
            .where(LegalBasisRecord.case_id == CASE_ID)
            .order_by(LegalBasisRecord.requested_at.desc(), LegalBasisRecord.id.desc())
        ),
    )
    return list(session.scalars(stmt, {"case_id": case.id}))


def standing_from_rows(
    person_id: int | None, partner_id: int, consents: list[Consent], bases: list[LegalBasisRecord]
) -> ConsentStanding:
    """A partner's standing from rows already loaded for the case page (no statement)."""
    mine = [c for c in consents if c.person_id == person_id and c.partner_id == partner_id]
    approved = [b for b in bases if b.partner_id == partner_id and b.status == BasisStatus.APPROVED]
    return ConsentStanding(
        granted=any(c.revoked_at is None for c in mine),
        revoked=any(c.revoked_at is not None for c in mine),
        approved_basis=LegalBasis(approved[0].basis) if approved else None,
    )


def revoked_holder_flag(
    case: Case, consents: list[Consent], bases: list[LegalBasisRecord]
) -> Partner | None:
    """The responsible partner, when the consent for it was revoked and nothing else stands."""
    if case.holder_partner_id is None or case.status == CaseStatus.CLOSED:
        return None
    person = case.young_person
    standing = standing_from_rows(
        person.id if person else None, case.holder_partner_id, consents, bases
    )
    if hidden_after_revocation(standing, partner_is_holder=False, crisis_child_protection=False):
        return case.holder_partner
    return None


def revoked_but_held(session: Session, *, limit: int = 50) -> list[tuple[Case, Partner]]:
    """Open cases still with a partner for which the young person revoked the consent."""
    stmt = (
        sa.select(Case, Partner)
        .join(Partner, Partner.id == Case.holder_partner_id)
        .where(
            Case.status == CaseStatus.WITH_PARTNER.value,
            revocation_stands(Case.holder_partner_id),
        )
        .order_by(Case.created_at.desc(), Case.id.desc())
        .limit(limit)
    )
    return [(case, partner) for case, partner in session.execute(stmt)]

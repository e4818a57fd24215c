"""Referrals (Hinzuziehung): involve another partner in parallel; the lead stays."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from zentrum.domain.lifecycle import (
    TransitionError,
    check_refer,
    check_referral_answer,
    check_referral_end,
)
from zentrum.domain.vocab import DeclineReason, EventKind, ReferralStatus
from zentrum.models import Case, Partner, Referral, User
from zentrum.services.lifecycle import (
    actor_of,
    add_event,
    case_state,
    open_to_partner,
    receiving_basis,
    touch,
)


def refer_case(
    session: Session, actor: User, now: datetime, case: Case, to_partner: Partner, note: str = ""
) -> Referral:
    """Ask another partner to work on the case alongside the responsible one."""
    check_refer(case_state(session, case), actor_of(actor), to_partner.id)
    basis = receiving_basis(session, case, to_partner)
    referral = Referral(
        case_id=case.id,
        from_partner_id=case.holder_partner_id,
        to_partner_id=to_partner.id,
        referred_by_id=actor.id,
        referred_at=now,
        note=note,
        status=ReferralStatus.PENDING.value,
        legal_basis=basis.value if basis else None,
    )
    open_to_partner(session, case, referral, to_partner.id, now)
    add_event(
        session,
        case,
        EventKind.REFER.value,
        actor,
        now,
        target_partner_id=to_partner.id,
        referral_id=referral.id,
        legal_basis=referral.legal_basis,
    )
    session.flush()
    return referral


def _move(session: Session, referral_id: int, from_statuses: list[str], **values) -> None:
    """Change a referral only if it is still in one of the given statuses."""
    result = session.execute(
        sa.update(Referral)
        .where(Referral.id == referral_id, Referral.status.in_(from_statuses))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise TransitionError("referral_gone")


def answer_referral(
    session: Session,
    actor: User,
    now: datetime,
    case: Case,
    referral_id: int,
    *,
    accept: bool,
    reason: DeclineReason | None = None,
    comment: str = "",
) -> None:
    """The referred partner takes part, or declines with a reason."""
    referral = check_referral_answer(case_state(session, case), actor_of(actor), referral_id)
    if not accept and reason is None:
        raise TransitionError("decline_needs_reason")
    if not accept and reason == DeclineReason.OTHER and not comment.strip():
        raise TransitionError("decline_needs_comment")
    status = ReferralStatus.ACTIVE if accept else ReferralStatus.DECLINED
    _move(
        session,
        referral_id,
        [ReferralStatus.PENDING.value],
        status=status.value,
        decided_at=now,
        decided_by_id=actor.id,
        decline_reason=None if accept else reason.value,
        decline_comment=None if accept else (comment or None),
    )
    touch(case)
    kind = EventKind.REFERRAL_ACCEPT if accept else EventKind.REFERRAL_DECLINE
    add_event(
        session,
        case,
        kind.value,
        actor,
        now,
        target_partner_id=referral.to_partner_id,
        referral_id=referral_id,
        reason=None if accept else reason.value,
        comment=comment,
    )
    session.flush()


def end_referral(
    session: Session, actor: User, now: datetime, case: Case, referral_id: int
) -> None:
    """End an active referral, or withdraw a pending one."""
    referral = check_referral_end(case_state(session, case), actor_of(actor), referral_id)
    end_referral_rows(session, actor, now, case, [referral])
    session.flush()


def end_referral_rows(session: Session, actor: User, now: datetime, case: Case, referrals) -> None:
    """End or withdraw the given (rule-checked) referrals, with their events."""
    for referral in referrals:
        pending = referral.status == ReferralStatus.PENDING
        status = ReferralStatus.WITHDRAWN if pending else ReferralStatus.ENDED
        _move(
            session,
            referral.id,
            [referral.status],
            status=status.value,
            ended_at=now,
            ended_by_id=actor.id,
        )
        kind = EventKind.REFERRAL_WITHDRAW if pending else EventKind.REFERRAL_END
        add_event(
            session,
            case,
            kind.value,
            actor,
            now,
            target_partner_id=referral.to_partner_id,
            referral_id=referral.id,
        )
    touch(case)

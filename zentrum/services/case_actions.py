"""Work on a held case: reassign, first contact, close, reopen."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from zentrum.domain.lifecycle import (
    TransitionError,
    check_close,
    check_first_contact,
    check_reassign,
    check_reopen,
)
from zentrum.domain.vocab import CaseStatus, EventKind, OfferStatus, Outcome
from zentrum.models import Case, Handover, User
from zentrum.services.lifecycle import actor_of, add_event, case_state
from zentrum.services.referrals import end_referral_rows
from zentrum.services.timing import wall_seconds, working_seconds


def reassign_case(session: Session, actor: User, now: datetime, case: Case, new_user: User) -> None:
    """Make a colleague of the same partner responsible."""
    if not new_user.active:
        raise TransitionError("not_colleague")
    check_reassign(case_state(session, case), actor_of(actor), actor_of(new_user))
    previous = case.responsible_user_id
    case.responsible_user_id = new_user.id
    add_event(
        session,
        case,
        EventKind.REASSIGN.value,
        actor,
        now,
        from_user_id=previous,
        to_user_id=new_user.id,
        to_user=new_user.display_name,
    )
    session.flush()


def record_first_contact(session: Session, actor: User, now: datetime, case: Case) -> None:
    """Note that the responsible partner has reached the young person."""
    check_first_contact(case_state(session, case), actor_of(actor))
    accepted_at = session.scalar(
        sa.select(sa.func.max(Handover.decided_at)).where(
            Handover.case_id == case.id, Handover.status == OfferStatus.ACCEPTED.value
        )
    )
    case.first_contact_at = now
    if accepted_at is not None:
        case.contact_seconds = wall_seconds(accepted_at, now)
        case.contact_business_seconds = working_seconds(accepted_at, now)
    add_event(session, case, EventKind.FIRST_CONTACT.value, actor, now)
    session.flush()


def close_case(
    session: Session, actor: User, now: datetime, case: Case, outcome: Outcome, comment: str = ""
) -> None:
    """Close the case with an outcome; open referrals end with it."""
    referrals = check_close(case_state(session, case), actor_of(actor))
    if outcome == Outcome.OTHER and not comment.strip():
        raise TransitionError("outcome_needs_comment")
    end_referral_rows(session, actor, now, case, referrals)
    case.status = CaseStatus.CLOSED.value
    case.outcome = outcome.value
    case.closed_at = now
    add_event(
        session, case, EventKind.CLOSE.value, actor, now, outcome=outcome.value, comment=comment
    )
    session.flush()


def reopen_case(session: Session, actor: User, now: datetime, case: Case, reason: str) -> None:
    """Reopen a closed case with the partner that held it last."""
    status = check_reopen(case_state(session, case), actor_of(actor))
    if case.anonymised_at is not None:
        raise TransitionError("case_anonymised")
    if not reason.strip():
        raise TransitionError("reopen_needs_reason")
    case.status = status
    case.outcome = None
    case.closed_at = None
    add_event(session, case, EventKind.REOPEN.value, actor, now, reason=reason)
    session.flush()

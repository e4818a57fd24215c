"""Retention: anonymise closed cases some years after their closure.

What goes: the persons' names, contact data, language and the exact birth date
(it becomes the first day of its quarter); the case description, note texts,
the free texts of offers and referrals, and free text in the history's details.
What stays: everything the supervisors' figures are made of — times, partners,
topics, district, urgency, channel, outcome, decline reasons — and the consent
records (partner, dates, case), which now name nobody.

A person on a case that is not yet due keeps their data until all their cases
are due. The caller commits once per batch (``anonymise_next_batch``).
"""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from zentrum.domain.retention import (
    ANONYMISED_NAME,
    details_need_scrub,
    quarter_start,
    retention_cutoff,
    scrub_details,
)
from zentrum.domain.vocab import CaseStatus
from zentrum.models import (
    Case,
    CaseEvent,
    CaseMember,
    CaseNote,
    Consent,
    Handover,
    Person,
    PersonNamePair,
    PersonNameToken,
    Referral,
)

BATCH_SIZE = 200


@dataclass
class RetentionCounts:
    """What a run did (or a dry run would do); references, never names."""

    cutoff: datetime
    cases: int = 0
    persons: int = 0
    persons_kept: int = 0
    notes: int = 0
    events: int = 0
    handovers: int = 0
    referrals: int = 0
    consents_kept: int = 0
    references: list[str] = field(default_factory=list)

    def details(self) -> dict:
        """The counts for the audit log."""
        return {
            "cutoff": self.cutoff.isoformat(),
            "cases": self.cases,
            "persons": self.persons,
            "persons_kept": self.persons_kept,
            "notes": self.notes,
            "events": self.events,
            "handovers": self.handovers,
            "referrals": self.referrals,
            "consents_kept": self.consents_kept,
            "references": self.references,
        }


def _due(cutoff: datetime) -> sa.ColumnElement[bool]:
    """Closed before the cutoff and not yet anonymised."""
    return sa.and_(
        Case.status == CaseStatus.CLOSED.value,
        Case.closed_at < cutoff,
        Case.anonymised_at.is_(None),
    )


def _settled(case, cutoff: datetime) -> sa.ColumnElement[bool]:
    """A case that no longer keeps its persons' data: anonymised, or due."""
    return sa.or_(
        case.anonymised_at.is_not(None),
        sa.and_(case.status == CaseStatus.CLOSED.value, case.closed_at < cutoff),
    )


def _member_persons(case_ids) -> sa.Select:
    """Ids of the not yet anonymised persons on the given cases."""
    return (
        sa.select(CaseMember.person_id)
        .join(Person, Person.id == CaseMember.person_id)
        .where(CaseMember.case_id.in_(case_ids), Person.anonymised_at.is_(None))
        .distinct()
    )


def _releasable(cutoff: datetime) -> sa.ColumnElement[bool]:
    """SQL condition on Person: none of their cases still needs their data."""
    other = sa.orm.aliased(Case)
    member = sa.orm.aliased(CaseMember)
    open_case = (
        sa.select(member.id)
        .join(other, other.id == member.case_id)
        .where(member.person_id == Person.id, sa.not_(_settled(other, cutoff)))
    )
    return ~open_case.exists()


def _persons(session: Session, case_ids, cutoff: datetime) -> tuple[list[int], int]:
    """The persons on these cases to anonymise now, and how many must wait for other cases."""
    candidates = _member_persons(case_ids).subquery()
    rows = session.execute(
        sa.select(Person.id, _releasable(cutoff))
        .where(Person.id.in_(sa.select(candidates.c.person_id)))
        .order_by(Person.id)
    ).all()
    release = [person_id for person_id, free in rows if free]
    return release, len(rows) - len(release)


def _count(session: Session, model, *conditions) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model).where(*conditions)) or 0


def _text_conditions(case_ids):
    """Per table: the rows of these cases whose free text anonymising would clear."""
    return {
        "notes": (CaseNote, CaseNote.case_id.in_(case_ids), CaseNote.body != ""),
        "handovers": (
            Handover,
            Handover.case_id.in_(case_ids),
            sa.or_(
                Handover.note != "",
                Handover.decline_comment.is_not(None),
                Handover.override_reason.is_not(None),
            ),
        ),
        "referrals": (
            Referral,
            Referral.case_id.in_(case_ids),
            sa.or_(Referral.note != "", Referral.decline_comment.is_not(None)),
        ),
    }


def _events_to_scrub(session: Session, case_ids) -> list[dict]:
    """New details for the history entries of these cases that carry free text."""
    rows = session.execute(
        sa.select(CaseEvent.id, CaseEvent.kind, CaseEvent.details).where(
            CaseEvent.case_id.in_(case_ids), CaseEvent.details.is_not(None)
        )
    )
    return [
        {"id": event_id, "details": scrub_details(kind, details)}
        for event_id, kind, details in rows
        if details_need_scrub(kind, details)
    ]


def _consents(session: Session, person_ids: list[int]) -> int:
    if not person_ids:
        return 0
    return _count(session, Consent, Consent.person_id.in_(person_ids))


def plan(session: Session, now: datetime, years: int) -> RetentionCounts:
    """What a run at ``now`` would do; reads only."""
    cutoff = retention_cutoff(now, years)
    due_ids = sa.select(Case.id).where(_due(cutoff))
    references = list(
        session.scalars(
            sa.select(Case.reference).where(_due(cutoff)).order_by(Case.closed_at, Case.id)
        )
    )
    counts = RetentionCounts(cutoff=cutoff, cases=len(references), references=references)
    person_ids, counts.persons_kept = _persons(session, due_ids, cutoff)
    counts.persons = len(person_ids)
    for name, (model, *conditions) in _text_conditions(due_ids).items():
        setattr(counts, name, _count(session, model, *conditions))
    counts.events = len(_events_to_scrub(session, due_ids))
    counts.consents_kept = _consents(session, person_ids)
    return counts


def _claim(session: Session, now: datetime, cutoff: datetime, batch_size: int) -> list[int]:
    """Mark the next batch of due cases anonymised; returns their ids.

    The UPDATE re-checks that each case is still closed and not yet anonymised,
    and bumps the version, so a reopening at the same moment cannot slip between.
    """
    ids = list(
        session.scalars(
            sa.select(Case.id)
            .where(_due(cutoff))
            .order_by(Case.closed_at, Case.id)
            .limit(batch_size)
        )
    )
    if not ids:
        return []
    claimed = session.scalars(
        sa.update(Case)
        .where(Case.id.in_(ids), _due(cutoff))
        .values(description="", anonymised_at=now, version=Case.version + 1)
        .returning(Case.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(claimed)


def _clear_texts(session: Session, case_ids: list[int], counts: RetentionCounts) -> None:
    """Empty the notes' and the offers' and referrals' free texts of the cases."""
    values = {
        "notes": {"body": ""},
        "handovers": {"note": "", "decline_comment": None, "override_reason": None},
        "referrals": {"note": "", "decline_comment": None},
    }
    for name, (model, *conditions) in _text_conditions(case_ids).items():
        result = session.execute(
            sa.update(model)
            .where(*conditions)
            .values(**values[name])
            .execution_options(synchronize_session=False)
        )
        setattr(counts, name, result.rowcount)
    events = _events_to_scrub(session, case_ids)
    emptied = [row["id"] for row in events if row["details"] is None]
    if emptied:
        session.execute(
            sa.update(CaseEvent)
            .where(CaseEvent.id.in_(emptied))
            .values(details=sa.null())
            .execution_options(synchronize_session=False)
        )
    changed = [row for row in events if row["details"] is not None]
    if changed:
        session.execute(sa.update(CaseEvent), changed)
    counts.events = len(events)


def _anonymise_persons(session: Session, person_ids: list[int], now: datetime) -> None:
    """Remove names and contact data; the birth date keeps only its quarter."""
    if not person_ids:
        return
    rows = session.execute(
        sa.select(Person.id, Person.birth_date).where(Person.id.in_(person_ids))
    ).all()
    session.execute(
        sa.update(Person),
        [
            {
                "id": person_id,
                "first_name": ANONYMISED_NAME,
                "last_name": "",
                "name_key": "",
                "birth_date": quarter_start(birth_date),
                "phone": None,
                "email": None,
                "postcode": None,
                "language": None,
                "interpreter_needed": False,
                "anonymised_at": now,
            }
            for person_id, birth_date in rows
        ],
    )
    # The name search reads these words; a bulk UPDATE passes the ORM hook that keeps them.
    session.execute(sa.delete(PersonNameToken).where(PersonNameToken.person_id.in_(person_ids)))
    session.execute(sa.delete(PersonNamePair).where(PersonNamePair.person_id.in_(person_ids)))


def anonymise_next_batch(
    session: Session, now: datetime, years: int, batch_size: int = BATCH_SIZE
) -> RetentionCounts:
    """Anonymise up to ``batch_size`` due cases and the persons they release; flush only.

    Returns the counts (``cases == 0``: nothing was due). Commit after each batch.
    """
    cutoff = retention_cutoff(now, years)
    counts = RetentionCounts(cutoff=cutoff)
    case_ids = _claim(session, now, cutoff, batch_size)
    if not case_ids:
        return counts
    counts.cases = len(case_ids)
    counts.references = list(
        session.scalars(sa.select(Case.reference).where(Case.id.in_(case_ids)).order_by(Case.id))
    )
    _clear_texts(session, case_ids, counts)
    person_ids, counts.persons_kept = _persons(session, case_ids, cutoff)
    _anonymise_persons(session, person_ids, now)
    counts.persons = len(person_ids)
    counts.consents_kept = _consents(session, person_ids)
    session.flush()
    # The bulk statements bypassed the identity map: loaded rows must not show old values.
    session.expire_all()
    return counts

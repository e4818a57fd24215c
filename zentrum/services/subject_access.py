"""Subject access (Art. 15 DSGVO): find a person, and read everything stored about them.

A fixed number of statements whatever the person's history: the person, their
cases, the other members' roles, topics, notes, offers, referrals, events,
consents and the audit entries for the person and their cases.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from zentrum.domain.names import name_key
from zentrum.models import (
    AuditCaseRef,
    AuditEntry,
    Case,
    CaseEvent,
    CaseMember,
    CaseNote,
    Consent,
    Handover,
    Person,
    Referral,
    User,
)


@dataclass
class PersonMatch:
    """A person found by name (and birth date), with the references of their cases."""

    person: Person
    references: list[str]
    case_ids: list[int]


def find_persons(
    session: Session, name: str, birth_date: date | None = None, *, limit: int = 50
) -> list[PersonMatch]:
    """Persons whose name contains every word of ``name``, however it was spelt.

    The same normalisation as the case search (ä/ae, accents, case); anonymised
    persons have no name left and are not found.
    """
    tokens = name_key(name).split()
    if not tokens:
        return []
    stmt = (
        sa.select(Person)
        .where(*[Person.name_key.contains(token, autoescape=True) for token in tokens])
        .order_by(Person.last_name, Person.first_name, Person.id)
        .limit(limit)
    )
    if birth_date is not None:
        stmt = stmt.where(Person.birth_date == birth_date)
    persons = list(session.scalars(stmt))
    references: dict[int, list[str]] = {p.id: [] for p in persons}
    case_ids: dict[int, list[int]] = {p.id: [] for p in persons}
    rows = session.execute(
        sa.select(CaseMember.person_id, Case.reference, Case.id)
        .join(Case, Case.id == CaseMember.case_id)
        .where(CaseMember.person_id.in_(list(references)))
        .order_by(Case.created_at, Case.id)
    )
    for person_id, reference, case_id in rows:
        references[person_id].append(reference)
        case_ids[person_id].append(case_id)
    return [PersonMatch(p, references[p.id], case_ids[p.id]) for p in persons]


@dataclass
class SubjectRows:
    """Everything stored about one person, as rows."""

    person: Person
    memberships: list[CaseMember]
    other_roles: dict[int, list[str]]
    notes: list[CaseNote]
    handovers: list[Handover]
    referrals: list[Referral]
    events: list[CaseEvent]
    consents: list[Consent]
    audit: list[tuple[AuditEntry, User | None]]
    # Per audit entry (a search): which of the person's cases it showed.
    shown: dict[int, list[int]]


def _by_cases(session: Session, model, case_ids: list[int], *order) -> list:
    return list(
        session.scalars(sa.select(model).where(model.case_id.in_(case_ids)).order_by(*order))
    )


def subject_rows(session: Session, person_id: int) -> SubjectRows | None:
    """Everything about the person with this id; None when there is none."""
    person = session.get(Person, person_id)
    if person is None:
        return None
    memberships = list(
        session.scalars(
            sa.select(CaseMember)
            .join(Case, Case.id == CaseMember.case_id)
            .where(CaseMember.person_id == person_id)
            .options(selectinload(CaseMember.case).selectinload(Case.topics))
            .order_by(Case.created_at, Case.id)
        )
    )
    case_ids = [m.case_id for m in memberships]
    other_roles: dict[int, list[str]] = {case_id: [] for case_id in case_ids}
    for case_id, role in session.execute(
        sa.select(CaseMember.case_id, CaseMember.role)
        .where(CaseMember.case_id.in_(case_ids), CaseMember.person_id != person_id)
        .order_by(CaseMember.id)
    ):
        other_roles[case_id].append(role)
    # Searches name the cases they showed in an index, not in the entry's case_id.
    shown: dict[int, list[int]] = {}
    for entry_id, case_id in session.execute(
        sa.select(AuditCaseRef.entry_id, AuditCaseRef.case_id).where(
            AuditCaseRef.case_id.in_(case_ids)
        )
    ):
        shown.setdefault(entry_id, []).append(case_id)
    audit = session.execute(
        sa.select(AuditEntry, User)
        .outerjoin(User, User.id == AuditEntry.user_id)
        .where(
            sa.or_(
                AuditEntry.person_id == person_id,
                AuditEntry.case_id.in_(case_ids),
                AuditEntry.id.in_(list(shown)),
            )
        )
        .order_by(AuditEntry.id)
    ).all()
    return SubjectRows(
        person=person,
        memberships=memberships,
        other_roles=other_roles,
        notes=_by_cases(session, CaseNote, case_ids, CaseNote.created_at, CaseNote.id),
        handovers=_by_cases(session, Handover, case_ids, Handover.offered_at, Handover.id),
        referrals=_by_cases(session, Referral, case_ids, Referral.referred_at, Referral.id),
        events=_by_cases(session, CaseEvent, case_ids, CaseEvent.at, CaseEvent.id),
        consents=list(
            session.scalars(
                sa.select(Consent)
                .where(Consent.person_id == person_id)
                .order_by(Consent.granted_at, Consent.id)
            )
        ),
        audit=[(entry, user) for entry, user in audit],
        shown=shown,
    )

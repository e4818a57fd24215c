"""Recording a new enquiry (Anliegen) at the front desk."""

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from zentrum.domain.clock import local_date
from zentrum.domain.consent import check_giver, required_giver
from zentrum.domain.lifecycle import TransitionError
from zentrum.domain.names import name_key
from zentrum.domain.reference import format_reference
from zentrum.domain.vocab import CaseStatus, ConsentGiver, DataCategory, EventKind, MemberRole
from zentrum.models import (
    Case,
    CaseCounter,
    CaseEvent,
    CaseMember,
    Consent,
    Partner,
    Person,
    Topic,
    User,
)
from zentrum.seed import N_
from zentrum.services.errors import InvalidReference
from zentrum.services.statements import prepared

# What the front desk's consent covers unless it says otherwise: the least needed to advise.
INTAKE_CATEGORIES = (DataCategory.MASTER_DATA.value, DataCategory.CONTACT.value)
# Stock text: stored German, shown in the reader's language (labels.stock_text).
INTAKE_PURPOSE = N_("Beratung und Vermittlung zum Anliegen im Zentrum Zukunft Wuppertal")


@dataclass
class PersonData:
    """What the form says about one person."""

    first_name: str
    last_name: str
    birth_date: date | None = None
    phone: str | None = None
    email: str | None = None
    district: str | None = None
    postcode: str | None = None
    language: str | None = None
    interpreter_needed: bool = False


@dataclass
class IntakeData:
    """Everything the front desk records for a new enquiry."""

    young_person: PersonData
    topic_ids: list[int]
    channel: str
    urgency: str
    description: str = ""
    members: list[tuple[PersonData, MemberRole]] = field(default_factory=list)
    consent_partner_ids: list[int] = field(default_factory=list)
    existing_person_id: int | None = None
    # Who gave the consents; None: whoever the young person's age asks for.
    consent_given_by: str | None = None
    consent_guardian_names: str = ""
    consent_categories: list[str] = field(default_factory=lambda: list(INTAKE_CATEGORIES))
    consent_purpose: str = ""


def find_matching_persons(
    session: Session, first_name: str, last_name: str, birth_date: date
) -> list[Person]:
    """Persons already known under the same name (normalised) and birth date."""
    stmt = prepared(
        "matching persons",
        lambda: (
            sa.select(Person)
            .where(Person.name_key == sa.bindparam("name_key", type_=sa.String))
            .where(Person.birth_date == sa.bindparam("birth_date", type_=sa.Date))
            .order_by(Person.id)
            .limit(10)
        ),
    )
    params = {"name_key": name_key(first_name, last_name), "birth_date": birth_date}
    return list(session.scalars(stmt, params))


def latest_references(session: Session, person_ids: list[int]) -> dict[int, str]:
    """The reference of each person's newest case (as any member), in one statement."""
    if not person_ids:
        return {}
    newest = (
        sa.select(CaseMember.person_id, sa.func.max(Case.id).label("case_id"))
        .join(Case, Case.id == CaseMember.case_id)
        .where(CaseMember.person_id.in_(person_ids))
        .group_by(CaseMember.person_id)
        .subquery()
    )
    stmt = sa.select(newest.c.person_id, Case.reference).join(Case, Case.id == newest.c.case_id)
    return {person_id: ref for person_id, ref in session.execute(stmt)}


def _insert_ignoring_conflict(session: Session):
    """INSERT ... ON CONFLICT DO NOTHING for the session's dialect."""
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return module.insert(CaseCounter)


def next_reference(session: Session, year: int) -> str:
    """Hand out the next reference of a year; safe when many save at once.

    The counter row is bumped with one UPDATE ... RETURNING, which the database
    serialises (a row lock in PostgreSQL, the write lock in SQLite); the unique
    constraint on ``cases.reference`` stands behind it.
    """
    bump = prepared(
        "bump case counter",
        lambda: (
            sa.update(CaseCounter)
            .where(CaseCounter.year == sa.bindparam("counter_year", type_=sa.Integer))
            .values(last_number=CaseCounter.last_number + 1)
            .returning(CaseCounter.last_number)
        ),
    )
    number = session.execute(bump, {"counter_year": year}).scalar_one_or_none()
    if number is None:
        session.execute(
            _insert_ignoring_conflict(session)
            .values(year=year, last_number=0)
            .on_conflict_do_nothing(index_elements=["year"])
        )
        number = session.execute(bump, {"counter_year": year}).scalar_one()
    return format_reference(year, number)


def _new_person(data: PersonData) -> Person:
    """A Person row from form data."""
    return Person(
        first_name=data.first_name,
        last_name=data.last_name,
        name_key=name_key(data.first_name, data.last_name),
        birth_date=data.birth_date,
        phone=data.phone,
        email=data.email,
        district=data.district,
        postcode=data.postcode,
        language=data.language,
        interpreter_needed=data.interpreter_needed,
    )


def _update_contact(person: Person, data: PersonData) -> None:
    """Take the newest contact details the front desk was given."""
    for attr in ("phone", "email", "district", "postcode", "language"):
        value = getattr(data, attr)
        if value:
            setattr(person, attr, value)
    person.interpreter_needed = data.interpreter_needed


def _young_person(session: Session, data: IntakeData) -> Person:
    """The existing person the enquiry is attached to, or a new one."""
    if data.existing_person_id is None:
        return _new_person(data.young_person)
    yp = data.young_person
    matches = find_matching_persons(session, yp.first_name, yp.last_name, yp.birth_date)
    person = next((p for p in matches if p.id == data.existing_person_id), None)
    if person is None:
        raise InvalidReference("existing_person_id", data.existing_person_id)
    _update_contact(person, yp)
    return person


def _rows_by_id(session: Session, model, ids: list[int], field_name: str) -> list:
    """The active rows with these ids; any unknown or inactive id is refused."""
    wanted = set(ids)
    if not wanted:
        return []
    # session.get answers from the session when the rows are loaded already (the intake
    # form read every active topic and partner for its choices); otherwise one by one.
    found = [session.get(model, row_id) for row_id in sorted(wanted)]
    rows = [row for row in found if row is not None and row.active]
    missing = wanted - {row.id for row in rows}
    if missing:
        raise InvalidReference(field_name, sorted(missing)[0])
    return rows


def intake_giver(data: IntakeData, today: date) -> tuple[str, str]:
    """Who gave the intake's consents, and the guardians' names (default: the parents listed)."""
    given_by = data.consent_given_by or required_giver(data.young_person.birth_date, today)
    given_by = given_by or ConsentGiver.YOUNG_PERSON
    names = data.consent_guardian_names.strip()
    if given_by == ConsentGiver.GUARDIANS and not names:
        parents = [m for m, role in data.members if role == MemberRole.PARENT]
        names = ", ".join(f"{m.first_name} {m.last_name}" for m in parents)
    return str(given_by), names


def _add_consents(session, actor, now, case, person, partners, data: IntakeData) -> None:
    """The consents given at intake: one per partner, all given today by the same person(s)."""
    if not partners:
        return
    today = local_date(now)
    given_by, names = intake_giver(data, today)
    check_giver(person.birth_date, today, given_by, names, today)
    categories = [c.value for c in DataCategory if c.value in set(data.consent_categories)]
    if not categories:
        raise TransitionError("categories_missing")
    for partner in partners:
        session.add(
            Consent(
                person=person,
                partner_id=partner.id,
                case=case,
                categories=categories,
                purpose=data.consent_purpose.strip() or INTAKE_PURPOSE,
                given_on=today,
                given_by=given_by,
                guardian_names=names if given_by == ConsentGiver.GUARDIANS else None,
                granted_at=now,
                recorded_by_id=actor.id,
            )
        )


def record_intake(session: Session, actor: User, now: datetime, data: IntakeData) -> Case:
    """Create the case, its persons, consents and first history event; flush only."""
    topics = _rows_by_id(session, Topic, data.topic_ids, "topics")
    partners = _rows_by_id(session, Partner, data.consent_partner_ids, "consents")
    person = _young_person(session, data)
    case = Case(
        reference=next_reference(session, local_date(now).year),
        status=CaseStatus.AT_FRONT_DESK.value,
        urgency=data.urgency,
        channel=data.channel,
        description=data.description,
        created_at=now,
        created_by_id=actor.id,
        topics=sorted(topics, key=lambda t: t.sort_order),
    )
    case.members.append(CaseMember(person=person, role=MemberRole.YOUNG_PERSON.value))
    for member_data, role in data.members:
        case.members.append(CaseMember(person=_new_person(member_data), role=role.value))
    session.add(case)
    # Consents and the event name the new case and person, so one flush saves them all.
    _add_consents(session, actor, now, case, person, partners, data)
    session.add(
        CaseEvent(
            case=case,
            kind=EventKind.INTAKE.value,
            at=now,
            actor_id=actor.id,
            details={
                "channel": data.channel,
                "urgency": data.urgency,
                "members": len(case.members),
                "existing_person": data.existing_person_id is not None,
            },
        )
    )
    session.flush()
    return case

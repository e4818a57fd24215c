"""Recording a new enquiry (Anliegen) at the front desk."""

import secrets
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
    case_topics,
)
from zentrum.models.base import utcnow
from zentrum.models.person import index_names
from zentrum.seed import N_
from zentrum.services import audit
from zentrum.services.errors import InvalidReference
from zentrum.services.report_cube import stale_days
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


def provisional_reference() -> str:
    """A case's reference until the year's counter hands out its number in the same
    transaction (unique, 20 characters; no committed case keeps it)."""
    return "neu-" + secrets.token_hex(8)


def _set_reference():
    """UPDATE cases SET reference = :reference WHERE id = :case_id."""
    return prepared(
        "set case reference",
        lambda: (
            sa.update(Case.__table__)
            .where(Case.__table__.c.id == sa.bindparam("case_id", type_=sa.Integer))
            .values(reference=sa.bindparam("reference", type_=sa.String))
        ),
    )


_PERSON_FIELDS = (
    "first_name",
    "last_name",
    "birth_date",
    "phone",
    "email",
    "district",
    "postcode",
    "language",
    "interpreter_needed",
)


def _insert_person(session: Session, data: PersonData, names: dict[int, str]) -> int:
    """A new person from form data; the id, and its name key noted in ``names``."""
    row = {attr: getattr(data, attr) for attr in _PERSON_FIELDS}
    row["name_key"] = name_key(data.first_name, data.last_name)
    person_id = _insert_one(session, Person.__table__, row)
    names[person_id] = row["name_key"]
    return person_id


def _update_contact(person: Person, data: PersonData) -> None:
    """Take the newest contact details the front desk was given."""
    for attr in ("phone", "email", "district", "postcode", "language"):
        value = getattr(data, attr)
        if value:
            setattr(person, attr, value)
    person.interpreter_needed = data.interpreter_needed


def _young_person(session: Session, data: IntakeData, names: dict[int, str]) -> int:
    """The id of the existing person the enquiry is attached to, or of a new one."""
    yp = data.young_person
    if data.existing_person_id is None:
        return _insert_person(session, yp, names)
    matches = find_matching_persons(session, yp.first_name, yp.last_name, yp.birth_date)
    person = next((p for p in matches if p.id == data.existing_person_id), None)
    if person is None:
        raise InvalidReference("existing_person_id", data.existing_person_id)
    _update_contact(person, yp)
    return person.id


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


def _consent_rows(actor, now, partners, data: IntakeData) -> list[dict]:
    """The consents given at intake, one per partner, all given today by the same
    person(s); checked before anything is written. Without ``person_id`` and ``case_id``."""
    if not partners:
        return []
    today = local_date(now)
    given_by, names = intake_giver(data, today)
    check_giver(data.young_person.birth_date, today, given_by, names, today)
    categories = [c.value for c in DataCategory if c.value in set(data.consent_categories)]
    if not categories:
        raise TransitionError("categories_missing")
    return [
        {
            "partner_id": partner.id,
            "categories": categories,
            "purpose": data.consent_purpose.strip() or INTAKE_PURPOSE,
            "given_on": today,
            "given_by": given_by,
            "guardian_names": names if given_by == ConsentGiver.GUARDIANS else None,
            "granted_at": now,
            "recorded_by_id": actor.id,
        }
        for partner in partners
    ]


def _insert_one(session: Session, table: sa.Table, row: dict) -> int:
    """One row into a table; its new id."""
    stmt = prepared(("insert one", table.name), lambda: table.insert().returning(table.c.id))
    return session.execute(stmt, row).scalar_one()


def _insert(session: Session, table: sa.Table, rows: list[dict]) -> None:
    """Rows into a table: one statement (executemany), none for no rows."""
    if rows:
        session.execute(prepared(("insert", table.name), table.insert), rows)


def save_intake(session: Session, actor: User, now: datetime, data: IntakeData) -> tuple[int, str]:
    """Write the case, its persons, consents and first history event; the new case's id
    and reference. The transaction stays open.

    An intake is the front desk's most frequent write, so it inserts its rows directly,
    one statement per table, instead of through the ORM's unit of work; what the flush
    hooks would do for these rows happens here: the name index, the report weeks, and
    the note for the request's audit entry. Everything is checked before the first write.

    The reference is handed out last: the year's counter row stays locked until the
    transaction ends, so the other front desks wait only for the end of this one (the
    audit entry and the commit), not for all of its writes. Until then the case holds a
    provisional reference of its own. With the counter bumped first, four app workers
    on PostgreSQL mostly waited for its row and recorded fewer enquiries than two.
    """
    topics = _rows_by_id(session, Topic, data.topic_ids, "topics")
    partners = _rows_by_id(session, Partner, data.consent_partner_ids, "consents")
    consents = _consent_rows(actor, now, partners, data)
    names: dict[int, str] = {}
    person_id = _young_person(session, data, names)
    case_id = _insert_one(
        session,
        Case.__table__,
        {
            "reference": provisional_reference(),
            "status": CaseStatus.AT_FRONT_DESK.value,
            "urgency": data.urgency,
            "channel": data.channel,
            "description": data.description,
            "created_at": now,
            "created_by_id": actor.id,
        },
    )
    members = [(person_id, MemberRole.YOUNG_PERSON.value)] + [
        (_insert_person(session, member, names), role.value) for member, role in data.members
    ]
    _insert(session, case_topics, [{"case_id": case_id, "topic_id": t.id} for t in topics])
    _insert(
        session,
        CaseMember.__table__,
        [{"case_id": case_id, "person_id": pid, "role": role} for pid, role in members],
    )
    _insert(
        session,
        Consent.__table__,
        [{**row, "person_id": person_id, "case_id": case_id} for row in consents],
    )
    _insert(
        session,
        CaseEvent.__table__,
        [
            {
                "case_id": case_id,
                "kind": EventKind.INTAKE.value,
                "at": now,
                "actor_id": actor.id,
                "details": {
                    "channel": data.channel,
                    "urgency": data.urgency,
                    "members": len(members),
                    "existing_person": data.existing_person_id is not None,
                },
            }
        ],
    )
    if names:
        index_names(session.connection(), names)
    stale_days(session, {now}, utcnow())
    reference = next_reference(session, local_date(now).year)
    session.execute(_set_reference(), {"case_id": case_id, "reference": reference})
    noted = audit.written(session)
    noted["cases"].add(case_id)
    noted["persons"].update(pid for pid, _role in members)
    return case_id, reference


def record_intake(session: Session, actor: User, now: datetime, data: IntakeData) -> Case:
    """``save_intake``, and the new case as an ORM object (demo data, tests)."""
    case_id, _reference = save_intake(session, actor, now, data)
    return session.get(Case, case_id)

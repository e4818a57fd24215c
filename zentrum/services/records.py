"""The facts the record of processing activities is generated from: partners, topics, columns."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from zentrum.models import Partner, Person, Topic, User

# Columns that are keys or bookkeeping, not data about the person.
_TECHNICAL = frozenset({"id", "name_key", "created_at", "anonymised_at"})


@dataclass
class Recipient:
    """A partner organisation that may receive case data."""

    name: str
    active: bool
    child_protection: bool


@dataclass
class RecordFacts:
    """What the database says about the processing: recipients, topics, stored fields."""

    recipients: list[Recipient]
    topics: list[str]
    person_columns: list[str]
    user_columns: list[str]


def _columns(model, skip: frozenset[str]) -> list[str]:
    return [column.name for column in model.__table__.columns if column.name not in skip]


def record_facts(session: Session) -> RecordFacts:
    """Partners (active first), active topics and the stored person and account fields."""
    partners = session.scalars(sa.select(Partner).order_by(Partner.active.desc(), Partner.name))
    topics = session.scalars(
        sa.select(Topic.label).where(Topic.active).order_by(Topic.sort_order, Topic.id)
    )
    return RecordFacts(
        recipients=[Recipient(p.name, p.active, p.child_protection) for p in partners],
        topics=list(topics),
        person_columns=_columns(Person, _TECHNICAL),
        user_columns=_columns(User, _TECHNICAL | {"password_hash", "session_generation"}),
    )

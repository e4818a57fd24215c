"""Young people and their family members."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from zentrum.domain.names import name_pairs, name_tokens
from zentrum.models.base import Base, UTCDateTime, utcnow


class Person(Base):
    """A person on one or more cases."""

    __tablename__ = "persons"
    __table_args__ = (sa.Index("ix_persons_name_key_birth_date", "name_key", "birth_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(sa.String(100))
    last_name: Mapped[str] = mapped_column(sa.String(100))
    # Normalised "first last" (see domain.names.name_key) for matching and search.
    name_key: Mapped[str] = mapped_column(sa.String(210))
    birth_date: Mapped[date | None] = mapped_column(sa.Date)
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    district: Mapped[str | None] = mapped_column(sa.String(30))
    postcode: Mapped[str | None] = mapped_column(sa.String(5))
    language: Mapped[str | None] = mapped_column(sa.String(10))
    interpreter_needed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when retention removed names and contact data (services.retention).
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def full_name(self) -> str:
        """First and last name."""
        return f"{self.first_name} {self.last_name}"

    def __repr__(self) -> str:
        return f"<Person {self.id}>"


class PersonNameToken(Base):
    """One word of a person's name key: the name search finds words by prefix here,
    through an index, instead of scanning every name for a substring."""

    __tablename__ = "person_name_tokens"

    token: Mapped[str] = mapped_column(sa.String(210), primary_key=True)
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class PersonNamePair(Base):
    """Two words of a person's name, in either order ("lena sommer", "sommer lena"): a
    search for a full name finds the people with both words directly, instead of
    intersecting the thousands who share the first name with those sharing the last."""

    __tablename__ = "person_name_pairs"

    pair: Mapped[str] = mapped_column(sa.String(420), primary_key=True)
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True, index=True
    )


def index_names(connection, names: dict[int, str], renamed: bool = False) -> None:
    """Index the words and word pairs of these persons' name keys (person id: name key):
    one statement per table for all of them (executemany), and for renamed persons one
    more per table first to clear their old words."""
    table, pairs = PersonNameToken.__table__, PersonNamePair.__table__
    if renamed:
        ids = list(names)
        connection.execute(table.delete().where(table.c.person_id.in_(ids)))
        connection.execute(pairs.delete().where(pairs.c.person_id.in_(ids)))
    words = {person_id: name_tokens(key) for person_id, key in names.items()}
    rows = [
        {"token": token, "person_id": person_id}
        for person_id, tokens in words.items()
        for token in sorted(tokens)
    ]
    if rows:
        connection.execute(table.insert(), rows)
    pair_rows = [
        {"pair": pair, "person_id": person_id}
        for person_id, tokens in words.items()
        for pair in sorted(name_pairs(tokens))
    ]
    if pair_rows:
        connection.execute(pairs.insert(), pair_rows)


@sa.event.listens_for(Session, "after_flush")
def _index_name_words(session: Session, _context) -> None:
    """Index the names of new and renamed persons in the flush's transaction."""
    people = [p for p in session.new if isinstance(p, Person)]
    renamed = [
        p
        for p in session.dirty
        if isinstance(p, Person) and sa.inspect(p).attrs.name_key.history.has_changes()
    ]
    if renamed:
        index_names(session.connection(), {p.id: p.name_key for p in renamed}, renamed=True)
    if people:
        index_names(session.connection(), {p.id: p.name_key for p in people})

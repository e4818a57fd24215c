"""Young people and their family members."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

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

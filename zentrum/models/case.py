"""Cases (Anliegen), their members, topics and the reference counter."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zentrum.domain.vocab import CaseStatus, Channel, MemberRole, Urgency
from zentrum.models.base import Base, UTCDateTime, utcnow
from zentrum.models.partner import Partner
from zentrum.models.person import Person
from zentrum.models.user import User


def _in(column: str, values) -> str:
    """SQL text of a CHECK that a column holds one of an enum's values."""
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


# A case is open until it is closed. Written as SQL text, not with a parameter: the
# partial index of open cases serves a query only when its condition is the index's own
# (PostgreSQL cannot tell that a parameter is 'closed' in a prepared statement's plan).
OPEN_CASE = sa.text(f"status <> '{CaseStatus.CLOSED.value}'")


case_topics = sa.Table(
    "case_topics",
    Base.metadata,
    sa.Column("case_id", sa.ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("topic_id", sa.ForeignKey("topics.id"), primary_key=True),
)


class Topic(Base):
    """What an enquiry is about (Thema)."""

    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    label: Mapped[str] = mapped_column(sa.String(120))
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class Case(Base):
    """One enquiry and everything that follows it."""

    __tablename__ = "cases"
    __table_args__ = (
        sa.CheckConstraint(_in("status", CaseStatus), name="status_known"),
        sa.CheckConstraint(_in("urgency", Urgency), name="urgency_known"),
        sa.CheckConstraint(_in("channel", Channel), name="channel_known"),
        sa.Index("ix_cases_created_at_id", "created_at", "id"),
        # "Meine Fälle": an advisor's open cases, newest first, however few among millions.
        sa.Index(
            "ix_cases_responsible_user_id_status_created_at",
            "responsible_user_id",
            "status",
            "created_at",
            "id",
        ),
        # Acceptance-to-first-contact figures pick cases by the moment of contact: covering.
        sa.Index(
            "ix_cases_first_contact_at",
            "first_contact_at",
            "contact_business_seconds",
            "contact_seconds",
        ),
        # Percentiles of the case figures read the rows of one histogram bucket.
        sa.Index("ix_cases_intake_work", "first_accept_business_seconds", "created_at"),
        sa.Index("ix_cases_intake_wall", "first_accept_seconds", "created_at"),
        sa.Index("ix_cases_contact_work", "contact_business_seconds", "first_contact_at"),
        sa.Index("ix_cases_contact_wall", "contact_seconds", "first_contact_at"),
        # The dashboard's open cases by age: only the open ones, however many are closed.
        sa.Index(
            "ix_cases_open_created_at",
            "created_at",
            "status",
            sqlite_where=OPEN_CASE,
            postgresql_where=OPEN_CASE,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(20), unique=True)
    status: Mapped[str] = mapped_column(sa.String(20), default=CaseStatus.AT_FRONT_DESK.value)
    urgency: Mapped[str] = mapped_column(sa.String(10))
    channel: Mapped[str] = mapped_column(sa.String(10))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # None means the front desk holds the case.
    holder_partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partners.id"), index=True)
    responsible_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    first_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Facts for the reports, computed from the timestamps when they happen.
    first_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_accept_seconds: Mapped[int | None] = mapped_column()
    first_accept_business_seconds: Mapped[int | None] = mapped_column()
    contact_seconds: Mapped[int | None] = mapped_column()
    contact_business_seconds: Mapped[int | None] = mapped_column()
    outcome: Mapped[str | None] = mapped_column(sa.String(30))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when retention removed the case's free texts (services.retention).
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Every change of the case row checks and bumps this (optimistic locking).
    version: Mapped[int] = mapped_column(default=1)

    topics: Mapped[list[Topic]] = relationship(secondary=case_topics, order_by=Topic.sort_order)
    members: Mapped[list["CaseMember"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseMember.id"
    )
    holder_partner: Mapped[Partner | None] = relationship()
    responsible_user: Mapped[User | None] = relationship(foreign_keys=[responsible_user_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def young_person(self) -> Person | None:
        """The young person the case is about."""
        for member in self.members:
            if member.role == MemberRole.YOUNG_PERSON:
                return member.person
        return None

    def __repr__(self) -> str:
        return f"<Case {self.reference}>"


class CaseMember(Base):
    """A person's part in a case: the young person, a parent, a sibling, ..."""

    __tablename__ = "case_members"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "person_id", name="uq_case_members_case_person"),
        sa.CheckConstraint(_in("role", MemberRole), name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(20))

    case: Mapped[Case] = relationship(back_populates="members")
    person: Mapped[Person] = relationship(lazy="joined")


class CaseCounter(Base):
    """The last reference number handed out per year."""

    __tablename__ = "case_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)

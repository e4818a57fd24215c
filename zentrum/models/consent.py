"""Consents to share a person's data with a partner, and legal bases instead of consent."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zentrum.domain.vocab import BasisStatus, ConsentGiver, LegalBasis
from zentrum.models.base import Base, UTCDateTime, utcnow
from zentrum.models.partner import Partner
from zentrum.models.user import User


def _in(column: str, values, *, nullable: bool = False) -> str:
    """SQL text of a CHECK that a column holds one of an enum's values."""
    check = f"{column} IN ({', '.join(repr(v.value) for v in values)})"
    return f"{column} IS NULL OR {check}" if nullable else check


_REVOKED = sa.text("revoked_at IS NOT NULL")


class Consent(Base):
    """A person's consent (Schweigepflichtentbindung) that a partner may receive the data.

    Given on a day by the young person (from 15) or the guardians (named); recorded
    by a member of staff at a moment. A revocation is recorded on the same row and
    is final: a new consent is a new row.
    """

    __tablename__ = "consents"
    __table_args__ = (
        sa.Index("ix_consents_person_id_partner_id", "person_id", "partner_id"),
        # The few revoked consents, by partner: an advisor's lists ask for them on every
        # case (``hidden_by_revocation``); PostgreSQL otherwise scans all consents.
        sa.Index(
            "ix_consents_revoked_partner_id",
            "partner_id",
            "person_id",
            sqlite_where=_REVOKED,
            postgresql_where=_REVOKED,
        ),
        sa.CheckConstraint(_in("given_by", ConsentGiver), name="given_by_known"),
        sa.CheckConstraint(_in("revoked_by", ConsentGiver, nullable=True), name="revoked_by_known"),
        sa.CheckConstraint(
            "given_by <> 'guardians' OR guardian_names IS NOT NULL", name="guardians_named"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"))
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partners.id"))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id", ondelete="SET NULL"))
    # DataCategory values, in their declared order.
    categories: Mapped[list[str]] = mapped_column(sa.JSON)
    purpose: Mapped[str] = mapped_column(sa.Text)
    # The day the person signed; may lie before the moment it was recorded.
    given_on: Mapped[date] = mapped_column(sa.Date)
    given_by: Mapped[str] = mapped_column(sa.String(20))
    guardian_names: Mapped[str | None] = mapped_column(sa.String(300))
    # When it was recorded in the service, and by whom.
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The staff member who recorded the revocation, and who declared it.
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    revoked_by: Mapped[str | None] = mapped_column(sa.String(20))
    revocation_note: Mapped[str | None] = mapped_column(sa.Text)

    partner: Mapped[Partner] = relationship(lazy="joined")
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id], lazy="joined")
    revocation_recorded_by: Mapped[User | None] = relationship(
        foreign_keys=[revoked_by_id], lazy="joined"
    )


_PENDING = sa.text("status = 'pending'")


class LegalBasisRecord(Base):
    """A legal basis to share a case's data with a partner without consent.

    Requested with a written justification; it counts only once a second person
    (a supervisor, not the requester) approved it. The database refuses an
    approval by the requester and a second pending request for the same partner.
    """

    __tablename__ = "legal_bases"
    __table_args__ = (
        sa.Index("ix_legal_bases_case_id_partner_id", "case_id", "partner_id"),
        sa.Index(
            "uq_legal_bases_one_pending_per_partner",
            "case_id",
            "partner_id",
            unique=True,
            sqlite_where=_PENDING,
            postgresql_where=_PENDING,
        ),
        sa.CheckConstraint(_in("basis", LegalBasis), name="basis_known"),
        sa.CheckConstraint(_in("status", BasisStatus), name="status_known"),
        sa.CheckConstraint(
            "decided_by_id IS NULL OR decided_by_id <> requested_by_id", name="four_eyes"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partners.id"))
    basis: Mapped[str] = mapped_column(sa.String(30))
    justification: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(10), default=BasisStatus.PENDING.value)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(sa.Text)

    partner: Mapped[Partner] = relationship(lazy="joined")
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id], lazy="joined")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="joined")

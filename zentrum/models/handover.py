"""Offers (Übergabe) and referrals (Hinzuziehung) between the front desk and partners."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zentrum.domain.vocab import OfferStatus, ReferralStatus
from zentrum.models.base import Base, UTCDateTime, utcnow
from zentrum.models.partner import Partner
from zentrum.models.user import User

# Written as SQL text, not with a parameter: a query with this very condition can read the
# partial index of pending offers (see models.case.OPEN_CASE).
PENDING_OFFER = sa.text(f"status = '{OfferStatus.PENDING.value}'")
_OPEN_REFERRAL = sa.text("status IN ('pending', 'active')")


class Handover(Base):
    """An offer of responsibility for a case to a partner; pending until answered.

    The partial unique index allows at most one pending offer per case, so the
    database itself refuses a second one.
    """

    __tablename__ = "handovers"
    __table_args__ = (
        sa.Index(
            "uq_handovers_one_pending_per_case",
            "case_id",
            unique=True,
            sqlite_where=PENDING_OFFER,
            postgresql_where=PENDING_OFFER,
        ),
        # The offers waiting now, with what the dashboard shows of them (covering).
        sa.Index(
            "ix_handovers_pending",
            "to_partner_id",
            "offered_at",
            "offered_week",
            "id",
            "status",  # without it, SQLite does not read the index as covering
            sqlite_where=PENDING_OFFER,
            postgresql_where=PENDING_OFFER,
        ),
        # The trailing facts make it covering for the report figures (SQLite reads every
        # partner's range through it, PostgreSQL the chosen partners'): no table lookups.
        sa.Index(
            "ix_handovers_to_partner_id_status_offered_at",
            "to_partner_id",
            "status",
            "offered_at",
            "id",
            "wait_business_seconds",
            "wait_seconds",
            "offered_week",
        ),
        sa.Index("ix_handovers_case_id_offered_at", "case_id", "offered_at"),
        # Percentiles read the rows of one histogram bucket in order: by partner, week and
        # waiting time, the weeks of the period (or the week of the weekly chart), not
        # the bucket's rows of every year kept.
        sa.Index(
            "ix_handovers_week_work_wait",
            "to_partner_id",
            "status",
            "offered_week",
            "wait_business_seconds",
            "offered_at",
        ),
        sa.Index(
            "ix_handovers_week_wall_wait",
            "to_partner_id",
            "status",
            "offered_week",
            "wait_seconds",
            "offered_at",
        ),
        sa.Index("ix_handovers_offered_at_to_partner_id", "offered_at", "to_partner_id"),
        sa.CheckConstraint(
            "status IN (" + ", ".join(f"'{s.value}'" for s in OfferStatus) + ")",
            name="status_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    # None: the front desk offered it.
    from_partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partners.id"))
    to_partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partners.id"))
    offered_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(12), default=OfferStatus.PENDING.value)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decline_reason: Mapped[str | None] = mapped_column(sa.String(30))
    decline_comment: Mapped[str | None] = mapped_column(sa.Text)
    # Set when data went out without consent, on a recorded legal basis.
    legal_basis: Mapped[str | None] = mapped_column(sa.String(30))
    # Facts for the reports, computed from the timestamps when the offer is answered:
    # how long it waited, in wall-clock and in working time.
    wait_seconds: Mapped[int | None] = mapped_column()
    wait_business_seconds: Mapped[int | None] = mapped_column()
    # Monday of the Wuppertal week in which it was offered (weekly charts).
    offered_week: Mapped[date | None] = mapped_column(sa.Date)
    suggested_partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partners.id"))
    suggestion_reason: Mapped[str | None] = mapped_column(sa.String(300))
    override_reason: Mapped[str | None] = mapped_column(sa.Text)

    from_partner: Mapped[Partner | None] = relationship(foreign_keys=[from_partner_id])
    to_partner: Mapped[Partner] = relationship(foreign_keys=[to_partner_id], lazy="joined")
    offered_by: Mapped[User] = relationship(foreign_keys=[offered_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class Referral(Base):
    """Another partner involved in parallel; the responsible partner stays."""

    __tablename__ = "referrals"
    __table_args__ = (
        sa.Index(
            "uq_referrals_one_open_per_partner",
            "case_id",
            "to_partner_id",
            unique=True,
            sqlite_where=_OPEN_REFERRAL,
            postgresql_where=_OPEN_REFERRAL,
        ),
        sa.Index(
            "ix_referrals_to_partner_id_status_referred_at",
            "to_partner_id",
            "status",
            "referred_at",
            "id",
        ),
        # The dashboard counts the referrals of a few days by their moment.
        sa.Index("ix_referrals_referred_at", "referred_at", "to_partner_id", "status"),
        sa.CheckConstraint(
            "status IN (" + ", ".join(f"'{s.value}'" for s in ReferralStatus) + ")",
            name="status_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    from_partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partners.id"))
    to_partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partners.id"))
    referred_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    referred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(12), default=ReferralStatus.PENDING.value)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decline_reason: Mapped[str | None] = mapped_column(sa.String(30))
    decline_comment: Mapped[str | None] = mapped_column(sa.Text)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    legal_basis: Mapped[str | None] = mapped_column(sa.String(30))

    to_partner: Mapped[Partner] = relationship(foreign_keys=[to_partner_id], lazy="joined")
    from_partner: Mapped[Partner | None] = relationship(foreign_keys=[from_partner_id])


class CaseAccess(Base):
    """A partner that was offered, referred or held the case, and so may see it."""

    __tablename__ = "case_access"
    __table_args__ = (sa.Index("ix_case_access_partner_id_case_id", "partner_id", "case_id"),)

    case_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partners.id"), primary_key=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OfferEscalation(Base):
    """A warning (80 % of the target used) or a flag (target passed) for one offer, once each."""

    __tablename__ = "offer_escalations"
    __table_args__ = (
        sa.UniqueConstraint("handover_id", "stage", name="uq_offer_escalations_handover_stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(sa.ForeignKey("handovers.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(sa.String(10))  # "warning" or "overdue"
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    mailed_to: Mapped[str] = mapped_column(sa.Text, default="")

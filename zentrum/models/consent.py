"""Consents to share a person's data with a partner."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zentrum.models.base import Base, UTCDateTime, utcnow
from zentrum.models.partner import Partner


class Consent(Base):
    """A person's consent (Schweigepflichtentbindung) that a partner may receive the data."""

    __tablename__ = "consents"
    __table_args__ = (sa.Index("ix_consents_person_id_partner_id", "person_id", "partner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"))
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partners.id"))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    partner: Mapped[Partner] = relationship(lazy="joined")

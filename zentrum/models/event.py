"""The case history (Verlauf): append-only events."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zentrum.models.base import Base, UTCDateTime, utcnow
from zentrum.models.partner import Partner
from zentrum.models.user import User


class CaseEvent(Base):
    """One step in a case's history: intake, offer, acceptance, note, closure, ..."""

    __tablename__ = "case_events"
    __table_args__ = (sa.Index("ix_case_events_case_id_at", "case_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(30))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The partner the actor acted for (None: front desk) and the partner acted upon.
    partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partners.id"))
    target_partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partners.id"))
    details: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)

    actor: Mapped[User | None] = relationship(lazy="joined")
    partner: Mapped[Partner | None] = relationship(foreign_keys=[partner_id], lazy="joined")
    target_partner: Mapped[Partner | None] = relationship(
        foreign_keys=[target_partner_id], lazy="joined"
    )

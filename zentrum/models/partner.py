"""Partner organisations in the house."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from zentrum.models.base import Base, UTCDateTime, utcnow


class Partner(Base):
    """An agency in the Zentrum Zukunft (Jugendamt, Jobcenter, ...): data, not code."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    active: Mapped[bool] = mapped_column(default=True)
    # The Jugendamt: receives a crisis without consent (child protection).
    child_protection: Mapped[bool] = mapped_column(default=False)
    # Target for accepting an offer, in working minutes (default: one working day).
    target_minutes: Mapped[int] = mapped_column(default=600)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Partner {self.code}>"

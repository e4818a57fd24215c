"""Case notes (Fallnotizen): append-only, shared or internal to the author's partner."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zentrum.models.base import Base, UTCDateTime, utcnow
from zentrum.models.partner import Partner
from zentrum.models.user import User


class CaseNote(Base):
    """A note on a case; never edited, a correction is an addendum."""

    __tablename__ = "case_notes"
    __table_args__ = (sa.Index("ix_case_notes_case_id_created_at", "case_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    # The author's partner (None: front desk); internal notes stay within it.
    partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partners.id"))
    internal: Mapped[bool] = mapped_column(default=False)
    # Written at a child-protection partner (Jugendamt): § 65 SGB VIII protects it,
    # so even a shared note reaches only partners with an approved legal basis.
    youth_office: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    body: Mapped[str] = mapped_column(sa.Text)
    addendum_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_notes.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship(lazy="joined")
    partner: Mapped[Partner | None] = relationship(lazy="joined")

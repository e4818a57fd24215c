"""Routing rules, edited by admins."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zentrum.models.base import Base, UTCDateTime, utcnow
from zentrum.models.case import Topic
from zentrum.models.partner import Partner

routing_rule_topics = sa.Table(
    "routing_rule_topics",
    Base.metadata,
    sa.Column("rule_id", sa.ForeignKey("routing_rules.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("topic_id", sa.ForeignKey("topics.id"), primary_key=True),
)


class RoutingRule(Base):
    """Conditions on topics, age band, urgency and district that point to a partner."""

    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partners.id"))
    reason: Mapped[str] = mapped_column(sa.String(300))
    priority: Mapped[int] = mapped_column(default=0)
    enabled: Mapped[bool] = mapped_column(default=True)
    min_age: Mapped[int | None] = mapped_column()
    max_age: Mapped[int | None] = mapped_column()
    # Comma-separated stored values; empty means "any".
    urgencies: Mapped[str] = mapped_column(sa.String(100), default="")
    districts: Mapped[str] = mapped_column(sa.String(400), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    partner: Mapped[Partner] = relationship(lazy="joined")
    topics: Mapped[list[Topic]] = relationship(secondary=routing_rule_topics)

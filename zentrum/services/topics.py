"""Topics (Themen) as choices."""

import sqlalchemy as sa
from sqlalchemy.orm import Session

from zentrum.models import Topic
from zentrum.services.statements import prepared


def active_topics(session: Session) -> list[Topic]:
    """Every active topic in its order (the choices of the intake form and the queue filter)."""
    stmt = prepared(
        "active topics",
        lambda: sa.select(Topic).where(Topic.active).order_by(Topic.sort_order),
    )
    return list(session.scalars(stmt))

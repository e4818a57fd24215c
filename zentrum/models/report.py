"""Weekly aggregates behind the supervisors' figures, rebuilt from the rows they count.

``report_cube`` holds, per completed week, the counts the dashboard adds up (offers by
status, declines by reason, referrals by status, cases by topic and district) and the
histograms of waiting times (bucket → count) that narrow every percentile down to one
bucket. ``report_weeks`` says which weeks' rows are current: any change to a row that
counts for a week marks that week stale in the same transaction, and stale weeks are
read from the rows themselves until ``zentrum report refresh`` rebuilds them.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from zentrum.models.base import Base, UTCDateTime


class ReportWeek(Base):
    """A week (Monday, Wuppertal time) whose aggregates are current when ``valid``."""

    __tablename__ = "report_weeks"

    week: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    valid: Mapped[bool] = mapped_column(default=False)
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReportCube(Base):
    """One count of one week: ``kind`` says what is counted, ``key`` which value of it."""

    __tablename__ = "report_cube"

    week: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    # 0: the count belongs to no partner (case figures).
    partner_id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    n: Mapped[int] = mapped_column()

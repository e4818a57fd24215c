"""Weekly aggregates behind the supervisors' figures, rebuilt from the rows they count.

``report_cube`` holds, per completed week, the counts the dashboard adds up (offers by
status, declines by reason, referrals by status, cases by topic and district) and the
histograms of waiting times (bucket → count) that narrow every percentile down to one
bucket. ``report_weeks`` says which weeks' rows are current: any change to a row that
counts for a week marks that week stale in the same transaction, and stale weeks are
read from the rows themselves until ``zentrum report refresh`` rebuilds them.

``report_day_cube`` and ``report_days`` hold the same counts per completed day, for the
days at a period's edges that no whole week covers (the start of "last 4 weeks", the
days of the running week before today), so that only today is counted from the rows.

``report_hour_cube`` and ``report_hours`` hold them per completed hour of today (UTC hours),
so that a busy day's dashboard counts only its last hour or so from the rows: the hours are
built every quarter of an hour (``zentrum escalate``) and dropped once their day is over.
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
    # Drawn at random by every build: sums a process keeps are those of this build.
    token: Mapped[int | None] = mapped_column(sa.BigInteger)


class ReportCube(Base):
    """One count of one week: ``kind`` says what is counted, ``key`` which value of it.

    A histogram of waiting times is one row per kind and partner (``key`` empty, ``n`` all
    of its waits): ``counts`` holds its buckets and their counts as text, "bucket n bucket
    n …" in bucket order – read as one value, not as a row per bucket (a four-week period
    at a million cases held ~50,000 such rows)."""

    __tablename__ = "report_cube"

    week: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    # 0: the count belongs to no partner (case figures).
    partner_id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    n: Mapped[int] = mapped_column()
    counts: Mapped[str | None] = mapped_column(sa.Text)


class ReportDay(Base):
    """A day (Wuppertal time) whose aggregates are current when ``valid``."""

    __tablename__ = "report_days"

    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    valid: Mapped[bool] = mapped_column(default=False)
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    token: Mapped[int | None] = mapped_column(sa.BigInteger)


class ReportDayCube(Base):
    """One count of one day, like ``ReportCube`` (without the weekly spreads)."""

    __tablename__ = "report_day_cube"

    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    partner_id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    n: Mapped[int] = mapped_column()
    counts: Mapped[str | None] = mapped_column(sa.Text)


class ReportHour(Base):
    """A completed hour (its UTC start) of today whose aggregates are current when
    ``valid``; like ``ReportDay``."""

    __tablename__ = "report_hours"

    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    valid: Mapped[bool] = mapped_column(default=False)
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    token: Mapped[int | None] = mapped_column(sa.BigInteger)


class ReportHourCube(Base):
    """One count of one hour, like ``ReportDayCube``; its histograms count the waits by
    their value in seconds, not by bucket (the dashboard takes them in hand)."""

    __tablename__ = "report_hour_cube"

    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    partner_id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    n: Mapped[int] = mapped_column()
    counts: Mapped[str | None] = mapped_column(sa.Text)


class ReportOpenWeek(Base):
    """How many cases recorded in a week (Monday, Wuppertal time) are still open; current
    when ``valid`` (a case closed, reopened, recorded or deleted marks its week stale)."""

    __tablename__ = "report_open_weeks"

    week: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    open_cases: Mapped[int] = mapped_column(default=0)
    valid: Mapped[bool] = mapped_column(default=False)
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReportOpenDay(Base):
    """How many cases recorded on a day (Wuppertal time) of the last ``DAY_HORIZON`` are
    still open; current when ``valid``. The age bands end within a week: their edges and
    the last days take days rather than rows."""

    __tablename__ = "report_open_days"

    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    open_cases: Mapped[int] = mapped_column(default=0)
    valid: Mapped[bool] = mapped_column(default=False)
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

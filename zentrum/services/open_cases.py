"""The dashboard's open cases by age, from weekly counts kept current like the report sums.

``report_open_weeks`` holds, per completed week (Monday, Wuppertal time), how many of
the cases recorded that week are still open. A case that is closed, reopened, recorded
or deleted marks its week stale in the same transaction; ``zentrum report --refresh``
counts stale weeks again. The age bands take whole current weeks from there and count
the rest from the rows: the running week, the days at a band's edges and stale weeks.
So the figure is always the rows' own; the weeks only save counting ~100,000 open
cases one by one (3–7 ms at a million cases, on every dashboard).
"""

from datetime import date, datetime, timedelta
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.orm import Session

from zentrum.domain.clock import local_date
from zentrum.models import Case, ReportOpenDay, ReportOpenWeek
from zentrum.models.case import OPEN_CASE
from zentrum.services.periods import Period
from zentrum.services.timing import monday_of, week_of

# Open cases by age: (label key, minimum age in days).
AGE_BUCKETS = (
    ("under_week", 0),
    ("one_to_four_weeks", 7),
    ("one_to_three_months", 28),
    ("over_three_months", 91),
)


@lru_cache(maxsize=4096)
def _span(first: date, days: int) -> tuple[datetime, datetime]:
    """A week (7) or a day (1) from local midnight to local midnight, in UTC."""
    span = Period(first, first + timedelta(days=days - 1))
    return span.start, span.end


# Per grain: the table, its key, its length in days.
_TABLES = {
    "week": (ReportOpenWeek, ReportOpenWeek.week, 7),
    "day": (ReportOpenDay, ReportOpenDay.day, 1),
}


def stale_open_counts(session: Session, moments, now: datetime, horizon: timedelta) -> None:
    """Mark the weeks and days of these recording moments stale in the current
    transaction: completed weeks, and completed days of the last ``horizon`` (the running
    week and today are never built, so they need no mark; a mark already there is kept)."""
    moments = [moment for moment in moments if moment is not None]
    current, today = week_of(now), local_date(now)
    weeks = sorted({week for week in map(week_of, moments) if week < current})
    days = sorted({d for d in map(local_date, moments) if today - horizon <= d < today})
    for (model, column, _length), wanted in ((_TABLES["week"], weeks), (_TABLES["day"], days)):
        if wanted:
            session.execute(
                sa.update(model).where(column.in_(wanted), model.valid).values(valid=False),
                execution_options={"synchronize_session": False},
            )


def _build(session: Session, grain: str, first: date, now: datetime) -> None:
    model, column, length = _TABLES[grain]
    start, end = _span(first, length)
    count = session.scalar(
        sa.select(sa.func.count())
        .select_from(Case)
        .where(OPEN_CASE, Case.created_at >= start, Case.created_at < end)
    )
    row = session.get(model, first)
    if row is None:
        session.add(model(**{column.key: first}, open_cases=count, valid=True, built_at=now))
    else:
        row.open_cases, row.valid, row.built_at = count, True, now


def build_open_week(session: Session, monday: date, now: datetime) -> None:
    """Count the week's open cases from the rows and mark the count current."""
    _build(session, "week", monday, now)


def build_open_day(session: Session, day: date, now: datetime) -> None:
    """Count the day's open cases from the rows and mark the count current."""
    _build(session, "day", day, now)


def drop_open_days(session: Session, before: date) -> None:
    """Forget the daily counts older than the horizon (in the caller's transaction)."""
    session.execute(sa.delete(ReportOpenDay).where(ReportOpenDay.day < before))


def open_by_age(session: Session, now: datetime) -> list[tuple[str, int]]:
    """Open cases by the age bands of ``AGE_BUCKETS`` (a case of age exactly 7 days is in
    the second band): current weeks and days wholly inside a band from their counts (a
    day only where no week is taken), every other stretch of the band counted from the
    partial index of open cases, all in one statement."""
    weekly = sa.select(sa.literal(7), ReportOpenWeek.week, ReportOpenWeek.open_cases).where(
        ReportOpenWeek.valid
    )
    daily = sa.select(sa.literal(1), ReportOpenDay.day, ReportOpenDay.open_cases).where(
        ReportOpenDay.valid
    )
    counted = sorted(
        (_span(first, length), length, n, monday_of(first))
        for length, first, n in session.execute(sa.union_all(weekly, daily)).all()
    )
    # Band i holds the cases recorded after edges[i + 1] and up to edges[i] (None: no end).
    edges = [None, *(now - timedelta(days=days) for _key, days in AGE_BUCKETS[1:]), None]
    totals, stretches = [], []
    for index in range(len(AGE_BUCKETS)):
        after, upto = edges[index + 1], edges[index]
        inside = [
            ((start, end), length, n, monday)
            for (start, end), length, n, monday in counted
            if (after is None or start > after) and (upto is None or end <= upto)
        ]
        weeks = {monday for _span_, length, _n, monday in inside if length == 7}
        inside = [
            (span, n) for span, length, n, monday in inside if length == 7 or monday not in weeks
        ]
        totals.append(sum(n for _span_, n in inside))
        # The band's cases outside those spans: before, between and after them, as
        # (moment, inclusive) bounds; the band's own edge is inclusive at its end only.
        low = (after, False)
        for (start, end), _n in sorted(inside):
            stretches.append((index, low, (start, False)))
            low = (end, True)
        stretches.append((index, low, (upto, True)))
    stretches = [stretch for stretch in stretches if not _empty(*stretch[1:])]
    counts = []
    for _index, (low, low_inclusive), (high, high_inclusive) in stretches:
        where = [OPEN_CASE]
        if low is not None:
            where.append(Case.created_at >= low if low_inclusive else Case.created_at > low)
        if high is not None:
            where.append(Case.created_at <= high if high_inclusive else Case.created_at < high)
        counts.append(sa.select(sa.func.count()).select_from(Case).where(*where).scalar_subquery())
    row = session.execute(sa.select(*counts)).one() if counts else ()
    for (index, _low, _high), n in zip(stretches, row, strict=True):
        totals[index] += int(n)
    return [(key, total) for (key, _days), total in zip(AGE_BUCKETS, totals, strict=True)]


def _empty(low: tuple, high: tuple) -> bool:
    """Whether no moment lies between the (moment, inclusive) bounds (None: open end)."""
    (start, start_in), (end, end_in) = low, high
    if start is None or end is None:
        return False
    return start > end or (start == end and not (start_in and end_in))

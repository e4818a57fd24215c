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

from zentrum.models import Case, ReportOpenWeek
from zentrum.models.case import OPEN_CASE
from zentrum.services.periods import Period
from zentrum.services.timing import week_of

# Open cases by age: (label key, minimum age in days).
AGE_BUCKETS = (
    ("under_week", 0),
    ("one_to_four_weeks", 7),
    ("one_to_three_months", 28),
    ("over_three_months", 91),
)


@lru_cache(maxsize=4096)
def _span(monday: date) -> tuple[datetime, datetime]:
    week = Period(monday, monday + timedelta(days=6))
    return week.start, week.end


def stale_open_weeks(session: Session, moments, now: datetime) -> None:
    """Mark the weeks of these recording moments stale in the current transaction (the
    running week is never built, so it needs no mark; a mark already there is kept)."""
    current = week_of(now)
    weeks = sorted({week for week in map(week_of, filter(None, moments)) if week < current})
    if weeks:
        session.execute(
            sa.update(ReportOpenWeek)
            .where(ReportOpenWeek.week.in_(weeks), ReportOpenWeek.valid)
            .values(valid=False),
            execution_options={"synchronize_session": False},
        )


def build_open_week(session: Session, monday: date, now: datetime) -> None:
    """Count the week's open cases from the rows and mark the count current."""
    start, end = _span(monday)
    count = session.scalar(
        sa.select(sa.func.count())
        .select_from(Case)
        .where(OPEN_CASE, Case.created_at >= start, Case.created_at < end)
    )
    row = session.get(ReportOpenWeek, monday)
    if row is None:
        session.add(ReportOpenWeek(week=monday, open_cases=count, valid=True, built_at=now))
    else:
        row.open_cases, row.valid, row.built_at = count, True, now


def open_weeks_to_build(session: Session, first: datetime, last: date) -> list[date]:
    """The Mondays from the week of ``first`` to ``last`` whose counts are not current."""
    valid = set(session.scalars(sa.select(ReportOpenWeek.week).where(ReportOpenWeek.valid)))
    monday, wanted = week_of(first), []
    while monday <= last:
        if monday not in valid:
            wanted.append(monday)
        monday += timedelta(days=7)
    return wanted


def open_by_age(session: Session, now: datetime) -> list[tuple[str, int]]:
    """Open cases by the age bands of ``AGE_BUCKETS`` (a case of age exactly 7 days is in
    the second band): current weeks wholly inside a band from their counts, every other
    stretch of the band counted from the partial index of open cases, all in one
    statement."""
    weeks = sorted(
        (_span(week), n)
        for week, n in session.execute(
            sa.select(ReportOpenWeek.week, ReportOpenWeek.open_cases).where(ReportOpenWeek.valid)
        )
    )
    # Band i holds the cases recorded after edges[i + 1] and up to edges[i] (None: no end).
    edges = [None, *(now - timedelta(days=days) for _key, days in AGE_BUCKETS[1:]), None]
    totals, stretches = [], []
    for index in range(len(AGE_BUCKETS)):
        after, upto = edges[index + 1], edges[index]
        inside = [
            ((start, end), n)
            for (start, end), n in weeks
            if (after is None or start > after) and (upto is None or end <= upto)
        ]
        totals.append(sum(n for _span_, n in inside))
        # The band's cases outside those weeks: before, between and after them, as
        # (moment, inclusive) bounds; the band's own edge is inclusive at its end only.
        low = (after, False)
        for (start, end), _n in inside:
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

"""Buckets of waiting times for the report histograms.

A duration in seconds falls into a bucket: minutes in the first hour, five minutes up
to a day, hours up to thirty days, days after that. The buckets only narrow the search
for a percentile (which bucket holds the value of a given rank); the value itself is
then read exactly from the rows of that bucket, so the figures stay exact.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from functools import cache

import sqlalchemy as sa

# (first second of the band, width of its buckets in seconds, number of the first bucket)
_BANDS = (
    (0, 60, 0),
    (3_600, 300, 60),
    (86_400, 3_600, 336),
    (2_592_000, 86_400, 1_032),
)


# Where each band starts, for finding a duration's band by bisection.
_STARTS = [start for start, _width, _first in _BANDS]


def bucket_of(seconds: int) -> int:
    """The bucket of a duration (negative durations count as zero).

    Called for every wait a dashboard reads from today's rows (thousands at a city's
    volume): the band is found by bisection, not by a loop over the bands."""
    seconds = max(int(seconds), 0)
    start, width, first = _BANDS[bisect_right(_STARTS, seconds) - 1]
    return first + (seconds - start) // width


@cache
def bucket_bounds(bucket: int) -> tuple[int, int]:
    """The seconds a bucket covers: from ``low`` inclusive to ``high`` exclusive.

    Kept once worked out (a few thousand buckets at most: days after 30 days): a rank
    search asks for the same buckets' bounds again and again."""
    for start, width, first in reversed(_BANDS):
        if bucket >= first:
            low = start + (bucket - first) * width
            return low, low + width
    raise ValueError(f"no bucket {bucket}")


def bucket_counts(ordered: Sequence[int]) -> dict[int, int]:
    """How many of the durations, given in ascending order, lie in each bucket: one
    bisection per bucket rather than one ``bucket_of`` per duration (a dashboard ranks
    thousands of today's waits, in a few hundred buckets)."""
    counts: dict[int, int] = {}
    start, total = 0, len(ordered)
    while start < total:
        bucket = bucket_of(ordered[start])
        end = bisect_left(ordered, bucket_bounds(bucket)[1], start)
        counts[bucket] = end - start
        start = end
    return counts


# One type object for every number: SQLAlchemy works out which operators a type supports
# once per object, and a new ``Integer()`` per number cost 10 ms a dashboard.
_INTEGER = sa.Integer()


def bucket_sql(column) -> sa.ColumnElement[int]:
    """The same bucket, computed in SQL (integer division on SQLite and PostgreSQL).

    The numbers are written inline, so that the expression can stand in GROUP BY on
    PostgreSQL (bound parameters would make the two copies look different).
    """

    def n(number: int):
        return sa.literal_column(str(int(number)), _INTEGER)

    value = sa.case((column < n(0), n(0)), else_=column)
    whens = [
        (value >= n(start), n(first) + (value - n(start)) // n(width))
        for start, width, first in reversed(_BANDS[1:])
    ]
    _start, width, first = _BANDS[0]
    return sa.case(*whens, else_=n(first) + value // n(width))

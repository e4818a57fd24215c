"""Waiting-time buckets: Python and SQL put a duration into the same bucket, and a
bucket's bounds hold every duration put into it."""

import random
from collections import Counter

import sqlalchemy as sa

from zentrum.domain.buckets import bucket_bounds, bucket_counts, bucket_of, bucket_sql

# The edges of every band, a second either side, and values far out.
DURATIONS = sorted(
    {-5, 0, 1, 59, 60, 61, 3_599, 3_600, 3_601, 3_899, 3_900, 86_399, 86_400, 86_401}
    | {89_999, 90_000, 2_591_999, 2_592_000, 2_592_001, 2_678_400, 31_536_000, 10**9}
    | set(range(0, 200_000, 997))
)


def test_every_duration_lies_within_its_buckets_bounds():
    for seconds in DURATIONS:
        low, high = bucket_bounds(bucket_of(seconds))
        assert low <= max(seconds, 0) < high, seconds


def test_buckets_follow_the_bands_and_never_go_back():
    assert [bucket_of(s) for s in (0, 59, 60, 3_600, 3_900, 86_400, 2_592_000)] == [
        0,
        0,
        1,
        60,
        61,
        336,
        1_032,
    ]
    buckets = [bucket_of(s) for s in DURATIONS]
    assert buckets == sorted(buckets)


def test_sql_puts_each_duration_into_the_same_bucket(session):
    # A compound SELECT of literals: SQLite knows no VALUES list as a named table.
    durations = sa.union_all(
        *(sa.select(sa.literal(s, sa.Integer).label("s")) for s in DURATIONS)
    ).subquery()
    stmt = sa.select(durations.c.s, bucket_sql(durations.c.s))
    found = dict(session.execute(stmt).all())
    assert found == {s: bucket_of(s) for s in DURATIONS}


def test_counting_ordered_durations_by_bucket_equals_bucketing_each():
    rng = random.Random(7)
    durations = sorted(
        [*DURATIONS, *(rng.randrange(-100, 5_000_000) for _ in range(3_000)), 3_600, 3_600]
    )
    assert bucket_counts(durations) == Counter(map(bucket_of, durations))
    assert bucket_counts([]) == {}

"""Exact percentiles (nearest rank) from bucket counts and the rows of one bucket.

The counts say in which bucket the value of a rank lies (``zentrum.domain.buckets``);
one small indexed read of that bucket's rows, ordered, gives the value itself. Waits
still pending are merged in from Python. The definition is the nearest rank: the p-th
percentile of n values is the value at rank ceil(p·n/100).
"""

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from zentrum.domain.buckets import bucket_bounds, bucket_of


@dataclass
class Spread:
    """Median, 90th percentile and maximum of some durations, in seconds."""

    count: int = 0
    median: int | None = None
    p90: int | None = None
    maximum: int | None = None


class Lookup(NamedTuple):
    """Where the values of one group live: a base query of one value column, and the
    conditions that pick the group's rows of the period."""

    column: sa.ColumnElement
    where: list


def _pick_statement(requests: list[tuple[int, Lookup, int, int, int, int]]) -> sa.Select:
    parts = []
    for request_id, lookup, low, high, offset, limit in requests:
        inner = (
            sa.select(sa.literal(request_id).label("r"), lookup.column.label("v"))
            .where(*lookup.where, lookup.column >= low, lookup.column < high)
            .order_by(lookup.column)
            .limit(limit)
            .offset(offset)
            .subquery()
        )
        parts.append(sa.select(inner.c.r, inner.c.v))
    return sa.union_all(*parts) if len(parts) > 1 else parts[0]


def _ranks(count: int, with_maximum: bool = True) -> tuple[int, ...]:
    """Nearest ranks of the median, the 90th percentile and (if wanted) the maximum."""
    ranks = (count * 50 + 99) // 100, (count * 90 + 99) // 100
    return (*ranks, count) if with_maximum else ranks


def histogram_spreads(
    session: Session,
    groups: dict[tuple, Counter],
    pending: dict[tuple, list[int]],
    lookup,
    with_maximum: bool = True,
) -> dict[tuple, Spread]:
    """Exact spreads from bucket counts: find the bucket of each rank, then read that one
    value from the rows of the bucket (merged with the waits still pending in it).

    ``lookup(group)`` gives the rows of a group. Of the stored rows in the bucket only the
    stretch that can hold the value is read: with p pending values in the bucket, the
    r-th value overall is among the stored ones ranked r-p … r, or is a pending one.
    Without ``with_maximum`` the spreads leave the maximum out (None): one read less.
    """
    plans, requests = {}, []
    for group in set(groups) | set(pending):
        buckets = groups.get(group, {})
        waits = sorted(pending.get(group, []))
        if waits:
            buckets = Counter(buckets)
            buckets.update(bucket_of(wait) for wait in waits)
        order = sorted(b for b, n in buckets.items() if n)
        # Values up to and including each bucket: the rank's bucket is the first that reaches it.
        upto = list(accumulate(buckets[b] for b in order))
        total = upto[-1] if upto else 0
        if not total:
            continue
        picks, rows = [], lookup(group)
        for rank in _ranks(total, with_maximum):
            index = bisect_left(upto, rank)
            bucket, before = order[index], upto[index - 1] if index else 0
            low, high = bucket_bounds(bucket)
            inside = [w for w in waits if low <= w < high]
            within = rank - before
            first = max(1, within - len(inside))
            request_id = len(requests)
            stored = within - first + 1
            requests.append((request_id, rows, low, high, first - 1, stored))
            picks.append((request_id, inside, within - first + 1))
        plans[group] = (total, picks)
    found: dict[int, list[int]] = {}
    for chunk in range(0, len(requests), _PICKS_PER_STATEMENT):
        stmt = _pick_statement(requests[chunk : chunk + _PICKS_PER_STATEMENT])
        for request_id, value in session.execute(stmt):
            found.setdefault(request_id, []).append(value)
    result = {}
    for group, (total, picks) in plans.items():
        values = []
        for request_id, inside, position in picks:
            merged = sorted(found.get(request_id, []) + inside)
            values.append(merged[position - 1])
        result[group] = Spread(total, *values)  # without the maximum it stays None
    return result


# SQLite allows 500 terms in a compound SELECT.
_PICKS_PER_STATEMENT = 200

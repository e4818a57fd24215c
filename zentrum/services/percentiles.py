"""Exact percentiles (nearest rank) from bucket counts and the rows of one bucket.

The counts say in which bucket the value of a rank lies (``zentrum.domain.buckets``);
one small indexed read of that bucket's rows, ordered, gives the value itself. Waits
still pending are merged in from Python. The definition is the nearest rank: the p-th
percentile of n values is the value at rank ceil(p·n/100).
"""

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Mapping
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


class Ranked:
    """Counts by bucket in bucket order, with running totals: how many values lie up to a
    bucket is found by bisection. Worked out once for sums that are kept (a period's
    completed weeks), so that a request only adds up what it counted itself."""

    __slots__ = ("buckets", "upto")

    def __init__(self, counts: Mapping[int, int]):
        self.buckets = sorted(b for b, n in counts.items() if n)
        self.upto = list(accumulate(counts[b] for b in self.buckets))

    @property
    def total(self) -> int:
        return self.upto[-1] if self.upto else 0

    def through(self, bucket: int) -> int:
        """How many values lie in the buckets up to and including ``bucket``."""
        index = bisect_right(self.buckets, bucket)
        return self.upto[index - 1] if index else 0


def _parts(histogram) -> list[Ranked]:
    """A group's histogram as ranked parts (a plain mapping becomes one part)."""
    if isinstance(histogram, Ranked):
        return [histogram]
    if isinstance(histogram, list):
        return [part if isinstance(part, Ranked) else Ranked(part) for part in histogram]
    return [Ranked(histogram)]


def _rank_bucket(parts: list[Ranked], rank: int) -> tuple[int, int]:
    """The bucket that holds the value of ``rank`` over all parts, and how many values lie
    in the buckets before it: the smallest bucket up to which the parts hold ``rank``
    values, looked for by bisection in each part's buckets."""

    def through(bucket: int) -> int:
        return sum(part.through(bucket) for part in parts)

    found = None
    for part in parts:
        index = bisect_left(part.buckets, rank, key=through)
        if index < len(part.buckets) and (found is None or part.buckets[index] < found):
            found = part.buckets[index]
    if found is None:
        raise ValueError(f"rank {rank} beyond the values")
    return found, through(found - 1)


def histogram_spreads(
    session: Session,
    groups: dict[tuple, Mapping[int, int] | Ranked | list],
    pending: dict[tuple, list[int]],
    lookup,
    with_maximum: bool = True,
) -> dict[tuple, Spread]:
    """Exact spreads from bucket counts: find the bucket of each rank, then read that one
    value from the rows of the bucket (merged with the waits still pending in it).

    A group's counts are a mapping bucket → n, or a ``Ranked``, or a list of those whose
    values are taken together (kept sums and what a request counted itself).
    ``lookup(group)`` gives the rows of a group. Of the stored rows in the bucket only the
    stretch that can hold the value is read: with p pending values in the bucket, the
    r-th value overall is among the stored ones ranked r-p … r, or is a pending one.
    Without ``with_maximum`` the spreads leave the maximum out (None): one read less.
    """
    plans, requests = {}, []
    for group in set(groups) | set(pending):
        parts = _parts(groups.get(group, []))
        waits = sorted(pending.get(group, []))
        if waits:
            parts.append(Ranked(Counter(bucket_of(wait) for wait in waits)))
        total = sum(part.total for part in parts)
        if not total:
            continue
        picks, rows = [], lookup(group)
        for rank in _ranks(total, with_maximum):
            bucket, before = _rank_bucket(parts, rank)
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

"""Exact percentiles (nearest rank) from bucket counts and the rows of one bucket.

The counts say in which bucket the value of a rank lies (``zentrum.domain.buckets``);
one small indexed read of that bucket's rows, ordered, gives the value itself. Waits
still pending are merged in from Python. The definition is the nearest rank: the p-th
percentile of n values is the value at rank ceil(p·n/100).
"""

from bisect import bisect_left, bisect_right
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


def _pick_statement(
    requests: list[tuple[int, Lookup, int | None, int, int, int]],
) -> sa.Select:
    parts = []
    for request_id, lookup, low, high, offset, limit in requests:
        above = [] if low is None else [lookup.column >= low]
        inner = (
            sa.select(sa.literal(request_id).label("r"), lookup.column.label("v"))
            .where(*lookup.where, *above, lookup.column < high)
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


class _BucketsOf:
    """The buckets of values in ascending order, by index, worked out where looked at: a
    bisection over them asks for a few, not for thousands."""

    __slots__ = ("values",)

    def __init__(self, values: list[int]):
        self.values = values

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, index: int) -> int:
        return bucket_of(self.values[index])


class _InHand:
    """Values in hand (ascending) as one part of a group's histogram, like ``Ranked``:
    how many lie up to a bucket is found by bisection in the values themselves, so they
    are never counted bucket by bucket (a dashboard holds thousands of today's waits)."""

    __slots__ = ("buckets", "values")

    def __init__(self, values: list[int]):
        self.values = values
        self.buckets = _BucketsOf(values)

    @property
    def total(self) -> int:
        return len(self.values)

    def through(self, bucket: int) -> int:
        """How many values lie in the buckets up to and including ``bucket`` (none
        before the first)."""
        return bisect_left(self.values, bucket_bounds(bucket)[1]) if bucket >= 0 else 0


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
    known: dict[tuple, list[int]],
    lookup,
    with_maximum: bool = True,
    keep: dict | None = None,
) -> dict[tuple, Spread]:
    """Exact spreads from bucket counts: find the bucket of each rank, then read that one
    value from the stored rows of the bucket, merged with the values known already.

    A group's counts are a mapping bucket → n, or a ``Ranked``, or a list of those whose
    values are taken together: they count the stored rows that ``lookup(group)`` reads.
    ``known`` holds values the caller has in hand (offers still pending, the rows a request
    read itself). Of the stored rows in the bucket only the stretch that can hold the value
    is read: with k known values in the bucket, the r-th value overall is among the stored
    ones ranked r-k … r, or is a known one. Without ``with_maximum`` the spreads leave the
    maximum out (None): one read less.

    ``keep`` (a dict the caller keeps while the stored rows cannot change, e.g. under the
    tokens of kept sums) holds the stretches read, a little wider than needed: a later call
    whose stretch lies inside reads nothing.
    """
    plans, requests = {}, []
    stretches: dict[tuple, list[tuple[int, list[int]]]] = keep if keep is not None else {}
    for group in set(groups) | set(known):
        stored = _parts(groups.get(group, []))
        values = sorted(known.get(group, []))
        parts = [*stored, _InHand(values)] if values else stored
        total = sum(part.total for part in parts)
        if not total:
            continue
        picks, rows = [], None
        for rank in _ranks(total, with_maximum):
            bucket, before = _rank_bucket(parts, rank)
            low, high = bucket_bounds(bucket)
            # Negative durations count as zero (``bucket_of``): the first bucket has no
            # lower bound, in hand or stored.
            low = low if bucket else None
            start = 0 if low is None else bisect_left(values, low)
            inside = values[start : bisect_left(values, high)]
            within = rank - before
            first = max(1, within - len(inside))
            in_bucket = sum(part.through(bucket) - part.through(bucket - 1) for part in stored)
            # Stored values ranked first … first + count - 1 in the bucket (0 when the
            # known values alone reach the rank).
            count = min(within - first + 1, in_bucket - (first - 1))
            picks.append((bucket, first - 1, max(count, 0), inside, within - first + 1))
            if count <= 0 or _stretch(stretches.get((group, bucket), ()), first - 1, count):
                continue
            if rows is None:
                rows = lookup(group)
            margin = _MARGIN if keep is not None else 0
            offset = max(0, first - 1 - margin)
            limit = min(first - 1 + count + margin, in_bucket) - offset
            requests.append(((group, bucket, offset), rows, low, high, offset, limit))
        plans[group] = (total, picks)
    for chunk in range(0, len(requests), _PICKS_PER_STATEMENT):
        batch = requests[chunk : chunk + _PICKS_PER_STATEMENT]
        stmt = _pick_statement([(number, *request[1:]) for number, request in enumerate(batch)])
        read: dict[int, list[int]] = {}
        for number, value in session.execute(stmt).all():
            read.setdefault(number, []).append(value)
        for number, ((group, bucket, offset), *_rest) in enumerate(batch):
            kept = stretches.setdefault((group, bucket), [])
            kept.append((offset, read.get(number, [])))
            del kept[:-_STRETCHES]
    result = {}
    for group, (total, picks) in plans.items():
        spread = []
        for bucket, offset, count, inside, position in picks:
            found = _stretch(stretches.get((group, bucket), ()), offset, count)
            merged = sorted([*(found or []), *inside])
            # Rows changed between the statements of a request (another transaction's
            # commit on PostgreSQL): the nearest value read rather than an error.
            spread.append(merged[min(position, len(merged)) - 1] if merged else None)
        result[group] = Spread(total, *spread)  # without the maximum it stays None
    return result


def _stretch(stretches, offset: int, count: int) -> list[int] | None:
    """The stored values ``offset`` … ``offset + count - 1`` of a bucket from one of the
    stretches read (start, values), or None if none holds them all."""
    if count <= 0:
        return []
    for start, values in stretches:
        if start <= offset and offset + count <= start + len(values):
            return values[offset - start : offset - start + count]
    return None


# Stored values read beyond the needed stretch on either side when they are kept: the
# rank of a percentile moves a little with every value known (today's offers).
_MARGIN = 40
# Stretches kept per bucket (the newest): a median and a p90 can share one.
_STRETCHES = 4
# SQLite allows 500 terms in a compound SELECT.
_PICKS_PER_STATEMENT = 200

"""Percentiles from histograms: exact, with stored and pending waits in the same bucket."""

import math
import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from zentrum.domain.buckets import bucket_bounds, bucket_of
from zentrum.models import Handover, Partner
from zentrum.services.percentiles import Ranked
from zentrum.services.periods import Period
from zentrum.services.reports import Lookup, Spread, histogram_spreads, in_period
from zentrum.services.timing import week_of

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
PERIOD = Period(date(2026, 11, 1), date(2026, 11, 26))


def _nearest_rank(values, percent):
    ordered = sorted(values)
    return ordered[math.ceil(percent * len(ordered) / 100) - 1]


def _expected(values):
    return Spread(len(values), _nearest_rank(values, 50), _nearest_rank(values, 90), max(values))


@pytest.fixture
def stored(session, cases):
    """Accepted offers of one partner with the given waits; returns a writer."""
    partner = session.scalar(sa.select(Partner).where(Partner.code == "ihk"))
    desk = cases.frontdesk()
    carrier = cases("Träger", "Fall")

    def write(waits):
        at = NOW - timedelta(days=2)
        for wait in waits:
            session.add(
                Handover(
                    case_id=carrier.id,
                    to_partner_id=partner.id,
                    offered_by_id=desk.id,
                    offered_at=at,
                    status="accepted",
                    decided_at=at + timedelta(seconds=wait),
                    offered_week=week_of(at),
                    wait_seconds=wait,
                    wait_business_seconds=wait,
                )
            )
        session.commit()
        return partner.id

    return write


def _spread(session, partner_id, stored_waits, pending_waits, counts=None, keep=None):
    if counts is None:
        counts = Counter(bucket_of(w) for w in stored_waits)
    where = [
        Handover.to_partner_id == partner_id,
        Handover.status == "accepted",
        in_period(Handover.offered_at, PERIOD),
    ]
    result = histogram_spreads(
        session,
        {(1,): counts},
        {(1,): pending_waits},
        lambda _group: Lookup(Handover.wait_business_seconds, where),
        keep=keep,
    )
    return result[(1,)]


def test_pending_waits_inside_the_bucket_of_the_median_are_merged(session, stored):
    low, high = bucket_bounds(bucket_of(100))
    stored_waits = [low, low + 10, low + 40, high - 1, 5000]
    partner = stored(stored_waits)
    pending = [low + 5, low + 5, low + 39]
    assert _spread(session, partner, stored_waits, pending) == _expected(stored_waits + pending)


def test_random_waits_equal_the_python_percentiles(session, stored):
    rng = random.Random(11)
    stored_waits = [rng.choice([rng.randint(0, 4000), rng.randint(0, 400_000)]) for _ in range(400)]
    partner = stored(stored_waits)
    for _ in range(20):
        pending = [rng.randint(0, 400_000) for _ in range(rng.randint(0, 60))]
        assert _spread(session, partner, stored_waits, pending) == _expected(stored_waits + pending)


def test_only_pending_waits_need_no_stored_rows(session, stored):
    partner = stored([])
    waits = [(i * 7919) % 100_003 for i in range(1_200)]
    assert _spread(session, partner, [], waits) == _expected(waits)


def test_waits_in_the_first_buckets_are_ranked_among_the_values_in_hand(session, stored):
    # The rank falls into bucket 0 (under a minute) or 1: how many values lie before it
    # is asked for bucket -1 and 0, stored and in hand alike.
    stored_waits = [5, 59, 61, 3_000]
    partner = stored(stored_waits)
    for pending in ([0, 1, 2], [30, 45, 59, 60, 119], [-3, 0, 10], [], [7] * 9):
        spread = _spread(session, partner, stored_waits, pending)
        assert spread == _expected(stored_waits + pending), pending
    only_in_hand = histogram_spreads(session, {}, {(1,): [12, 3, 70, 8]}, lambda _g: None)
    assert only_in_hand == {(1,): Spread(4, 8, 70, 70)}


def test_a_group_without_values_has_no_spread(session, stored):
    partner = stored([])
    where = [Handover.to_partner_id == partner]
    result = histogram_spreads(
        session, {(1,): Counter()}, {}, lambda _g: Lookup(Handover.wait_seconds, where)
    )
    assert result == {}


def test_counts_in_parts_give_the_same_spreads_as_added_up(session, stored):
    # Kept sums of completed weeks (ranked once) and what a request counted itself:
    # the ranks are found across the parts without adding them up.
    rng = random.Random(5)
    stored_waits = [rng.choice([rng.randint(0, 3000), rng.randint(0, 900_000)]) for _ in range(300)]
    partner = stored(stored_waits)
    for _ in range(15):
        cut = sorted(rng.sample(range(len(stored_waits) + 1), 2))
        pieces = [stored_waits[: cut[0]], stored_waits[cut[0] : cut[1]], stored_waits[cut[1] :]]
        parts = [
            Ranked(Counter(bucket_of(w) for w in pieces[0])),
            Counter(bucket_of(w) for w in pieces[1]),
            Ranked(Counter(bucket_of(w) for w in pieces[2])),
        ]
        pending = [rng.randint(0, 900_000) for _ in range(rng.randint(0, 20))]
        spread = _spread(session, partner, stored_waits, pending, counts=parts)
        assert spread == _expected(stored_waits + pending)


def test_ranked_counts_say_how_many_values_lie_up_to_a_bucket():
    ranked = Ranked(Counter({7: 2, 3: 1, 40: 5, 9: 0}))
    assert ranked.buckets == [3, 7, 40] and ranked.total == 8
    assert [ranked.through(b) for b in (0, 3, 5, 7, 39, 40, 99)] == [0, 1, 1, 3, 3, 8, 8]
    assert Ranked({}).total == 0 and Ranked({}).through(5) == 0


def test_kept_stretches_spare_the_reads_while_the_known_values_move_a_little(
    session, stored, count_queries
):
    # The kept sums' rows do not change; today's values (known) grow through the day.
    rng = random.Random(8)
    stored_waits = [rng.randint(1_000, 200_000) for _ in range(600)]
    partner = stored(stored_waits)
    keep: dict = {}
    known = [rng.randint(0, 200_000) for _ in range(10)]
    assert _spread(session, partner, stored_waits, known, keep=keep) == _expected(
        stored_waits + known
    )
    for _ in range(5):
        # Below every stored wait: the stored values that hold the ranks move down.
        known += [5, 5, 5]
        with count_queries() as statements:
            spread = _spread(session, partner, stored_waits, known, keep=keep)
        assert spread == _expected(stored_waits + known)
        assert statements == []
    # Many more values move the ranks beyond what was read: read again, still exact.
    known += [rng.randint(150_000, 200_000) for _ in range(300)]
    with count_queries() as statements:
        spread = _spread(session, partner, stored_waits, known, keep=keep)
    assert spread == _expected(stored_waits + known)
    assert len(statements) == 1

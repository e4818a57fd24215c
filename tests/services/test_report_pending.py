"""Spreads take any number of waiting offers (SQLite allows only 500 terms per compound SELECT)."""

import math
from datetime import date

import sqlalchemy as sa

from zentrum.models import Handover
from zentrum.services.reports import Spread, spreads


def _nearest_rank(values, percent):
    ordered = sorted(values)
    return ordered[math.ceil(percent * len(ordered) / 100) - 1]


def test_spreads_take_more_pending_offers_than_sqlite_has_compound_terms(session):
    waits = [(i * 7919) % 100_003 for i in range(1_200)]
    answered = sa.select(Handover.to_partner_id, Handover.wait_business_seconds)
    result = spreads(session, answered, [(1 + i % 2, w) for i, w in enumerate(waits)])
    for partner in (1, 2):
        mine = waits[partner - 1 :: 2]
        expected = Spread(len(mine), _nearest_rank(mine, 50), _nearest_rank(mine, 90), max(mine))
        assert result[(partner,)] == expected


def test_pending_weeks_group_with_the_stored_ones(session):
    week = date(2026, 11, 23)
    answered = sa.select(Handover.to_partner_id, Handover.offered_week, Handover.wait_seconds)
    result = spreads(session, answered, [(1, week, 60), (1, week, 120), (1, None, 5)], group_cols=2)
    assert result[(1, week)] == Spread(2, 60, 120, 120)
    assert result[(1, None)] == Spread(1, 5, 5, 5)

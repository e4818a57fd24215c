"""Report figures from SQL equal a plain Python computation over the same rows."""

import math
import random
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from zentrum.models import Case, Handover, Partner, ReportWeek
from zentrum.services.periods import Period, preset, previous_month
from zentrum.services.report_cube import refresh
from zentrum.services.reports import (
    case_spreads,
    declines_by_reason,
    partner_figures,
    weekly_spreads,
)
from zentrum.services.timing import wall_seconds, week_of, working_seconds

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
PERIOD = Period(date(2026, 9, 1), date(2026, 11, 26))


def nearest_rank(values, percent):
    """The reference percentile: the value at rank ceil(p·n/100)."""
    ordered = sorted(values)
    return ordered[math.ceil(percent * len(ordered) / 100) - 1] if ordered else None


@pytest.fixture(params=["from rows", "from weekly aggregates", "from daily aggregates"])
def generated(request, session, cases, users):
    """About 300 offers with random fates, written as rows (facts as the services write them).

    Every figure is checked three times: counted from the rows; with the completed weeks
    and days built into the report cubes (``zentrum report refresh``); and with the weeks
    stale, so that the days' sums stand in for them.
    """
    rng = random.Random(7)
    partners = list(session.scalars(sa.select(Partner)))
    for partner in partners:
        partner.target_minutes = rng.choice([300, 600, 1200])
    desk = cases.frontdesk()
    carrier = [cases(f"Fall{i}", "Bericht", at=NOW - timedelta(days=100)) for i in range(6)]
    rows = []
    for i in range(300):
        offered = NOW - timedelta(minutes=rng.randint(10, 120 * 24 * 60))
        status = rng.choices(["accepted", "declined", "withdrawn", "pending"], [70, 10, 5, 15])[0]
        decided = offered + timedelta(minutes=rng.randint(1, 6000)) if status != "pending" else None
        if decided and decided > NOW:
            decided = NOW
        row = Handover(
            case_id=carrier[i % 6].id,
            to_partner_id=rng.choice(partners).id,
            offered_by_id=desk.id,
            offered_at=offered,
            status=status,
            decided_at=decided,
            offered_week=week_of(offered),
            decline_reason=rng.choice(["no_capacity", "not_responsible"])
            if status == "declined"
            else None,
            wait_seconds=wall_seconds(offered, decided) if decided else None,
            wait_business_seconds=working_seconds(offered, decided) if decided else None,
        )
        rows.append(row)
    # The partial unique index allows one pending offer per case: give each its own case.
    pending = [r for r in rows if r.status == "pending"]
    for r in pending:
        r.case_id = cases(f"Offen{r.offered_at.timestamp()}", "Warten").id
    session.add_all(rows)
    session.commit()
    if request.param != "from rows":
        built = refresh(session, NOW)
        assert sum(1 for grain, _first in built if grain == "week") >= 15
        assert sum(1 for grain, _first in built if grain == "day") >= 100
    if request.param == "from daily aggregates":
        session.execute(sa.update(ReportWeek).values(valid=False))
        session.commit()
    return rows


def _in(row, period):
    return period.start <= row.offered_at < period.end


def test_partner_figures_equal_python(session, generated):
    figures = {f.partner.id: f for f in partner_figures(session, PERIOD, None, NOW)}
    targets = dict(session.execute(sa.select(Partner.id, Partner.target_minutes)).all())
    for pid, fig in figures.items():
        mine = [r for r in generated if r.to_partner_id == pid and _in(r, PERIOD)]
        accepted = [r for r in mine if r.status == "accepted"]
        pending = [r for r in mine if r.status == "pending"]
        assert fig.received == len(mine)
        assert fig.accepted == len(accepted)
        assert fig.pending == len(pending)
        assert fig.declined == sum(r.status == "declined" for r in mine)
        assert fig.within_target == sum(
            r.wait_business_seconds <= targets[pid] * 60 for r in accepted
        )
        business = [r.wait_business_seconds for r in accepted] + [
            working_seconds(r.offered_at, NOW) for r in pending
        ]
        wall = [r.wait_seconds for r in accepted] + [
            wall_seconds(r.offered_at, NOW) for r in pending
        ]
        assert fig.business.count == len(business)
        assert fig.business.median == nearest_rank(business, 50)
        assert fig.business.p90 == nearest_rank(business, 90)
        assert fig.business.maximum == (max(business) if business else None)
        assert fig.wall.median == nearest_rank(wall, 50)
        assert fig.wall.p90 == nearest_rank(wall, 90)
        over = sum(working_seconds(r.offered_at, NOW) > targets[pid] * 60 for r in pending)
        assert fig.pending_over_target == over


def test_pending_offers_are_never_missing_from_the_figures(session, generated):
    total_pending = sum(f.pending for f in partner_figures(session, PERIOD, None, NOW))
    assert total_pending == sum(r.status == "pending" and _in(r, PERIOD) for r in generated)
    assert total_pending > 0


def test_weekly_spreads_equal_python(session, generated):
    result = weekly_spreads(session, PERIOD, None, NOW)
    expected = {}
    for r in generated:
        if not _in(r, PERIOD) or r.status not in ("accepted", "pending"):
            continue
        wait = (
            r.wait_business_seconds
            if r.status == "accepted"
            else working_seconds(r.offered_at, NOW)
        )
        expected.setdefault((r.to_partner_id, r.offered_week), []).append(wait)
    assert set(result) == set(expected)
    for key, waits in expected.items():
        assert result[key].count == len(waits), key
        assert result[key].median == nearest_rank(waits, 50), key
        assert result[key].p90 == nearest_rank(waits, 90), key


def test_partner_filter_limits_every_figure(session, generated):
    ihk = session.scalar(sa.select(Partner.id).where(Partner.code == "ihk"))
    figures = partner_figures(session, PERIOD, [ihk], NOW)
    assert [f.partner.id for f in figures] == [ihk]
    assert all(pid == ihk for pid, _r, _n in declines_by_reason(session, PERIOD, [ihk]))


def test_declines_by_reason_count_the_offers_of_the_period(session, cases, generated):
    # Offered the day before the period, declined inside it: belongs to the day before.
    early = cases("Früh", "Abgelehnt")
    before = PERIOD.start - timedelta(hours=2)
    session.add(
        Handover(
            case_id=early.id,
            to_partner_id=generated[0].to_partner_id,
            offered_by_id=cases.frontdesk().id,
            offered_at=before,
            status="declined",
            decided_at=PERIOD.start + timedelta(hours=3),
            decline_reason="duplicate",
            offered_week=week_of(before),
        )
    )
    session.commit()
    counted = {(p, r): n for p, r, n in declines_by_reason(session, PERIOD, None)}
    expected = {}
    for row in generated:
        if row.status == "declined" and _in(row, PERIOD):
            key = (row.to_partner_id, row.decline_reason)
            expected[key] = expected.get(key, 0) + 1
    assert counted == expected


def test_case_spreads_use_the_stored_facts(session, cases):
    for minutes in (30, 90, 600):
        case = cases(at=NOW - timedelta(days=3))
        stored = session.get(Case, case.id)
        stored.first_accept_business_seconds = minutes * 60
        stored.first_accept_seconds = minutes * 120
    session.commit()
    spread = case_spreads(session, PERIOD)["intake_business"]
    assert (spread.count, spread.median, spread.p90, spread.maximum) == (3, 5400, 36000, 36000)


def test_presets_are_wuppertal_calendar_ranges():
    now = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)  # already Friday 27th in Wuppertal
    assert preset("week", now) == Period(date(2026, 11, 23), date(2026, 11, 27))
    assert preset("4weeks", now) == Period(date(2026, 10, 31), date(2026, 11, 27))
    assert preset("quarter", now) == Period(date(2026, 10, 1), date(2026, 11, 27))
    assert previous_month(now) == Period(date(2026, 10, 1), date(2026, 10, 31))
    assert Period(date(2026, 10, 25), date(2026, 10, 25)).end - Period(
        date(2026, 10, 25), date(2026, 10, 25)
    ).start == timedelta(hours=25)  # DST ends

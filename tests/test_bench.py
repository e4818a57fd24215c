"""The dashboard benchmark, tiny: it seeds consistent facts and prints a row per measurement.

Behaviour only; how long anything takes is the benchmark's output, never a test's assertion.
"""

import random
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy.dialects import sqlite

from tests.conftest import make_app
from zentrum.bench import sqlite_moment
from zentrum.bench_plan import WorkingClock
from zentrum.bench_timing import PERIODS, periods
from zentrum.cli import bench_dashboard
from zentrum.domain.business_hours import DEFAULT_HOURS, business_time
from zentrum.extensions import db
from zentrum.models import Case, CaseMember, Handover, Referral, case_topics
from zentrum.models.base import UTCDateTime
from zentrum.services.dashboard import build_dashboard
from zentrum.services.timing import wall_seconds, week_of, working_seconds

HANDOVERS = 2_000


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    """One run of ``zentrum bench-dashboard`` on a small SQLite file: (output, app on it)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('bench') / 'bench.db'}"
    result = CliRunner().invoke(
        bench_dashboard, ["--handovers", str(HANDOVERS), "--repeat", "1", "--database-url", url]
    )
    assert result.exit_code == 0, result.output
    app = make_app(url)
    yield result.output, app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def seeded(bench):
    """A session on the benchmark's database."""
    _output, app = bench
    with app.app_context():
        yield db.session
        db.session.rollback()


def _count(session, column, where=()):
    return session.scalar(sa.select(sa.func.count(column)).where(*where))


def _per_case(session, column, *where) -> list[int]:
    """How many rows each case has (only cases with at least one)."""
    stmt = sa.select(sa.func.count()).select_from(column.table).where(*where)
    return list(session.scalars(stmt.group_by(column)))


def test_output_has_a_table_row_per_query_period_and_partner_choice(bench):
    output, _app = bench
    assert re.search(rf"handovers {HANDOVERS}\b", output)
    assert "Zeilen/s" in output
    rows = [line.split() for line in output.splitlines() if line.startswith("sqlite ")]
    choices = {row[4] for row in rows}
    assert "alle" in choices and len(choices) == 2  # all partners, and the busiest one
    expected = {
        (what, period, partners)
        for what in ("Dashboard", "Drill-down")
        for period in PERIODS
        for partners in choices
    }
    assert {(row[2], row[3], row[4]) for row in rows} == expected
    assert len(rows) == len(expected)
    for row in rows:
        assert row[1] == str(HANDOVERS)
        low, median, high, statements = float(row[5]), float(row[6]), float(row[7]), int(row[8])
        assert low <= median <= high
        assert statements >= (10 if row[2] == "Dashboard" else 1)


def test_rows_are_written_for_a_year_of_cases(seeded):
    assert _count(seeded, Handover.id) == HANDOVERS
    cases = _count(seeded, Case.id)
    assert HANDOVERS / 5 < cases < HANDOVERS / 2
    young = _per_case(seeded, CaseMember.case_id, CaseMember.role == "young_person")
    assert len(young) == cases and set(young) == {1}
    topics = _per_case(seeded, case_topics.c.case_id)
    assert len(topics) == cases and set(topics) <= {1, 2, 3}
    assert 0 < _count(seeded, Referral.id) < cases / 5
    counts = sa.select(Handover.status, sa.func.count()).group_by(Handover.status)
    statuses = dict(seeded.execute(counts).all())
    assert statuses["accepted"] > 0.75 * HANDOVERS
    assert statuses["declined"] > 0 and statuses["withdrawn"] > 0
    assert statuses.get("pending", 0) <= HANDOVERS // 200
    assert set(_per_case(seeded, Handover.case_id, Handover.status == "pending")) <= {1}


def test_offers_fall_into_the_last_year_and_opening_hours(seeded):
    span = sa.select(sa.func.min(Handover.offered_at), sa.func.max(Handover.offered_at))
    first, last = seeded.execute(span).one()
    assert last - first <= timedelta(days=365)
    second = timedelta(seconds=1)
    for offered in seeded.scalars(sa.select(Handover.offered_at)):
        assert working_seconds(offered - second, offered + second) > 0, offered


def test_stored_waits_and_weeks_equal_the_timing_services(seeded):
    for offer in seeded.scalars(sa.select(Handover)):
        assert offer.offered_week == week_of(offer.offered_at)
        if offer.status == "pending":
            assert offer.decided_at is None and offer.wait_seconds is None
            continue
        assert offer.wait_seconds == wall_seconds(offer.offered_at, offer.decided_at)
        assert offer.wait_business_seconds == working_seconds(offer.offered_at, offer.decided_at)


def test_case_facts_follow_their_offers(seeded):
    first_accepted = dict(
        seeded.execute(
            sa.select(Handover.case_id, sa.func.min(Handover.decided_at))
            .where(Handover.status == "accepted")
            .group_by(Handover.case_id)
        ).all()
    )
    for case in seeded.scalars(sa.select(Case)):
        assert case.first_accepted_at == first_accepted.get(case.id)
        if case.first_accepted_at is not None:
            assert case.first_accept_business_seconds == working_seconds(
                case.created_at, case.first_accepted_at
            )
        assert (case.holder_partner_id is None) == (case.first_accepted_at is None)


def test_dashboard_figures_are_consistent(seeded):
    now = seeded.scalar(sa.select(sa.func.max(Handover.offered_at))) + timedelta(minutes=1)
    year = periods(now)["year"]
    dashboard = build_dashboard(seeded, year, None, now)
    received = sum(f.received for f in dashboard.partners)
    accepted = sum(f.accepted for f in dashboard.partners)
    in_year = [Handover.offered_at >= year.start, Handover.offered_at < year.end]
    assert accepted <= received == _count(seeded, Handover.id, in_year)
    for f in dashboard.partners:
        assert f.accepted + f.declined + f.withdrawn + f.pending == f.received
        assert f.within_target <= f.accepted
        assert f.business.count == f.accepted + f.pending
        if f.business.count:
            assert f.business.median <= f.business.p90 <= f.business.maximum
    assert dashboard.overall.count == accepted + sum(f.pending for f in dashboard.partners)


def test_a_second_run_refuses_the_filled_database(bench):
    _output, app = bench
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    result = CliRunner().invoke(bench_dashboard, ["--handovers", "10", "--database-url", url])
    assert result.exit_code != 0
    assert "leer" in result.output


def test_working_clock_equals_working_seconds_across_holidays_and_clock_changes():
    rng = random.Random(5)
    clock = WorkingClock(date(2025, 11, 1), date(2027, 3, 31), DEFAULT_HOURS)
    start = int(datetime(2025, 11, 3, tzinfo=UTC).timestamp())
    end = int(datetime(2027, 1, 20, tzinfo=UTC).timestamp())
    for _ in range(2_000):
        a = rng.randint(start, end)
        b = a + rng.choice([rng.randint(0, 3_600), rng.randint(0, 30 * 86_400)])
        moment_a, moment_b = (datetime.fromtimestamp(x, UTC) for x in (a, b))
        expected = business_time(moment_a, moment_b, DEFAULT_HOURS).total_seconds()
        assert clock.position(b) - clock.position(a) == expected
        assert clock.position(clock.moment(clock.position(a))) == clock.position(a)
        assert clock.week(clock.position(a)) == week_of(
            datetime.fromtimestamp(clock.moment(clock.position(a)), UTC)
        )


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC),  # just before summer time begins
        datetime(2026, 10, 25, 1, 0, 0, tzinfo=UTC),
        datetime(2025, 12, 31, 23, 30, tzinfo=UTC),
    ],
)
def test_sqlite_text_is_what_sqlalchemy_stores(moment):
    dialect = sqlite.dialect()
    stored = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)(moment)
    assert sqlite_moment(int(moment.timestamp())) == stored

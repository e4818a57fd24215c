"""Dashboard figures that are counted apart from the report cube."""

import random
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from zentrum.models import Case, ReportOpenDay, ReportOpenWeek
from zentrum.services.open_cases import AGE_BUCKETS, open_by_age
from zentrum.services.report_cube import refresh
from zentrum.services.timing import week_of

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def test_open_cases_are_counted_by_age_band_with_closed_ones_left_out(session, cases):
    # Ages in days: each band once, its lower edges exactly, and one closed case.
    ages = [0.5, 6.9, 7, 27, 28, 90, 91, 400]
    made = [cases(f"Alter{i}", "Offen", at=NOW - timedelta(days=age)) for i, age in enumerate(ages)]
    closed = cases("Alt", "Geschlossen", at=NOW - timedelta(days=10))
    session.get(Case, closed.id).status = "closed"
    session.commit()
    assert len(made) == len(ages)

    counts = open_by_age(session, NOW)

    assert [key for key, _n in counts] == [key for key, _days in AGE_BUCKETS]
    assert counts == [
        ("under_week", 2),
        ("one_to_four_weeks", 2),
        ("one_to_three_months", 2),
        ("over_three_months", 2),
    ]


def _by_rows(session, now):
    """Open cases by age band, counted case by case in Python."""
    edges = [now - timedelta(days=days) for _key, days in AGE_BUCKETS[1:]]
    counts = dict.fromkeys((key for key, _days in AGE_BUCKETS), 0)
    for created, status in session.execute(sa.select(Case.created_at, Case.status)):
        if status != "closed":
            band = sum(1 for edge in edges if created <= edge)
            counts[AGE_BUCKETS[band][0]] += 1
    return list(counts.items())


def test_open_cases_by_age_take_current_weeks_from_their_counts(session, cases):
    rng = random.Random(6)
    made = [cases(at=NOW - timedelta(hours=rng.randint(1, 24 * 200))) for _ in range(40)]
    for case in made[::4]:
        session.get(Case, case.id).status = "closed"
    session.commit()
    expected = _by_rows(session, NOW)
    assert open_by_age(session, NOW) == expected
    refresh(session, NOW, margin=timedelta(0))
    assert session.scalar(sa.select(sa.func.count()).select_from(ReportOpenWeek)) >= 25
    assert open_by_age(session, NOW) == expected
    # Behind the marks' back (a plain table UPDATE): whole weeks still say what they
    # counted, the rest comes from the rows.
    session.execute(sa.update(Case.__table__).values(status="closed"))
    session.commit()
    kept = open_by_age(session, NOW)
    assert 0 < sum(n for _key, n in kept) < sum(n for _key, n in expected)


def test_the_last_days_come_from_their_daily_counts(session, cases):
    # Recorded two to five days ago: no whole week of them lies within the last seven
    # days, but whole days do.
    for hours in (50, 70, 90, 110):
        cases(at=NOW - timedelta(hours=hours))
    cases(at=NOW - timedelta(hours=1))  # today: never summed
    refresh(session, NOW, margin=timedelta(0))
    assert session.scalar(sa.select(sa.func.count()).select_from(ReportOpenDay)) >= 4
    assert open_by_age(session, NOW)[0] == ("under_week", 5)
    session.execute(sa.update(Case.__table__).values(status="closed"))  # behind the marks
    session.commit()
    assert open_by_age(session, NOW)[0] == ("under_week", 4)


def test_closing_or_reopening_a_case_marks_its_week_and_the_count_follows(session, cases):
    rng = random.Random(7)
    made = [cases(at=NOW - timedelta(hours=rng.randint(1, 24 * 120))) for _ in range(30)]
    refresh(session, NOW, margin=timedelta(0))
    # Twelve closed, then every third of them reopened.
    for step, case in enumerate(made[:12] + made[:12:3]):
        row = session.get(Case, case.id)
        row.status = "closed" if step < 12 else "with_partner"
        session.commit()
        week = week_of(row.created_at)
        valid = session.scalar(sa.select(ReportOpenWeek.valid).where(ReportOpenWeek.week == week))
        assert valid in (False, None) or week == week_of(NOW)
        assert open_by_age(session, NOW) == _by_rows(session, NOW)
        if step % 4 == 0:
            refresh(session, NOW, margin=timedelta(0))
    assert open_by_age(session, NOW) == _by_rows(session, NOW)

"""Dashboard figures that are counted apart from the report cube."""

from datetime import UTC, datetime, timedelta

from zentrum.models import Case
from zentrum.services.dashboard import AGE_BUCKETS, _open_by_age

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def test_open_cases_are_counted_by_age_band_with_closed_ones_left_out(session, cases):
    # Ages in days: each band once, its lower edges exactly, and one closed case.
    ages = [0.5, 6.9, 7, 27, 28, 90, 91, 400]
    made = [cases(f"Alter{i}", "Offen", at=NOW - timedelta(days=age)) for i, age in enumerate(ages)]
    closed = cases("Alt", "Geschlossen", at=NOW - timedelta(days=10))
    session.get(Case, closed.id).status = "closed"
    session.commit()
    assert len(made) == len(ages)

    counts = _open_by_age(session, NOW)

    assert [key for key, _n in counts] == [key for key, _days in AGE_BUCKETS]
    assert counts == [
        ("under_week", 2),
        ("one_to_four_weeks", 2),
        ("one_to_three_months", 2),
        ("over_three_months", 2),
    ]

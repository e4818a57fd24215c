"""Calendar days are Wuppertal's, whatever the UTC date."""

from datetime import UTC, datetime

from zentrum.domain.clock import local_date, start_of_local_day


def test_new_years_eve_late_evening_utc_is_new_year_in_wuppertal():
    moment = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert local_date(moment).isoformat() == "2027-01-01"


def test_start_of_local_day_in_summer_and_winter():
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    winter = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert start_of_local_day(summer) == datetime(2026, 6, 30, 22, 0, tzinfo=UTC)
    assert start_of_local_day(winter) == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)

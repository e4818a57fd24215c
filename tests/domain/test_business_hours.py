"""Working time between moments: Mon–Fri 08:00–18:00 in Wuppertal, without NRW holidays.

Inputs are aware UTC moments; the comments give the local (Europe/Berlin) time.
Winter is UTC+1 (CET), summer UTC+2 (CEST); 2026 switches on 29 March and 25 October.
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zentrum.domain.business_hours import (
    DEFAULT_HOURS,
    OpeningHours,
    add_business_time,
    business_time,
    business_times,
    is_working_day,
)
from zentrum.domain.clock import LOCAL_TZ

H = timedelta(hours=1)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- working days ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 11, 27), True),  # Friday
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 11, 29), False),  # Sunday
        (date(2026, 6, 4), False),  # Fronleichnam, a holiday in NRW
        (date(2026, 6, 3), True),
        (date(2026, 4, 3), False),  # Karfreitag
        (date(2026, 4, 6), False),  # Ostermontag
        (date(2026, 5, 1), False),
        (date(2026, 12, 25), False),
        (date(2027, 1, 1), False),
        (date(2027, 11, 1), False),  # Allerheiligen (NRW), a Monday
        (date(2026, 11, 18), True),  # Buß- und Bettag: only Saxony
        (date(2027, 10, 31), False),  # Reformationstag is no NRW holiday, but this is a Sunday
        (date(2028, 10, 31), True),  # ... and this a Tuesday
    ],
)
def test_working_days_are_weekdays_without_nrw_holidays(day, working):
    assert is_working_day(day) is working


# --- business_time --------------------------------------------------------------------------


def test_within_one_day():
    # Tue 24 Nov 2026, 09:00–11:30
    assert business_time(utc(2026, 11, 24, 8, 0), utc(2026, 11, 24, 10, 30)) == 2.5 * H


def test_a_full_day_counts_ten_hours_whatever_the_span_around_it():
    assert business_time(utc(2026, 11, 23, 23, 0), utc(2026, 11, 24, 23, 0)) == 10 * H
    assert business_time(utc(2026, 11, 24, 0, 0), utc(2026, 11, 24, 12, 0)) == 5 * H


def test_a_span_outside_opening_hours_counts_nothing():
    # Tue 18:30 to Wed 07:59
    assert business_time(utc(2026, 11, 24, 17, 30), utc(2026, 11, 25, 6, 59)) == timedelta(0)


def test_across_a_weekend():
    # Fri 27 Nov 17:00 → Mon 30 Nov 09:00: one hour on Friday, one on Monday
    assert business_time(utc(2026, 11, 27, 16, 0), utc(2026, 11, 30, 8, 0)) == 2 * H


def test_a_whole_week_counts_fifty_hours():
    assert business_time(utc(2026, 11, 23, 7, 0), utc(2026, 11, 30, 7, 0)) == 50 * H


def test_across_fronleichnam():
    # Wed 3 June 17:00 → Fri 5 June 09:00 (CEST); Thursday is a holiday in NRW
    assert business_time(utc(2026, 6, 3, 15, 0), utc(2026, 6, 5, 7, 0)) == 2 * H


def test_across_easter():
    # Thu 2 April 17:00 → Tue 7 April 09:00: Karfreitag, weekend, Ostermontag count nothing
    assert business_time(utc(2026, 4, 2, 15, 0), utc(2026, 4, 7, 7, 0)) == 2 * H


def test_across_new_year():
    # Thu 31 Dec 2026 17:00 → Mon 4 Jan 2027 09:00; 1 January is a holiday
    assert business_time(utc(2026, 12, 31, 16, 0), utc(2027, 1, 4, 8, 0)) == 2 * H


def test_across_the_switch_to_summer_time():
    # Fri 27 March 17:00 CET (16:00 UTC) → Mon 30 March 09:00 CEST (07:00 UTC)
    assert business_time(utc(2026, 3, 27, 16, 0), utc(2026, 3, 30, 7, 0)) == 2 * H
    # Monday 08:00–18:00 in summer time is 06:00–16:00 UTC
    assert business_time(utc(2026, 3, 30, 5, 0), utc(2026, 3, 30, 6, 30)) == 0.5 * H
    assert business_time(utc(2026, 3, 30, 15, 30), utc(2026, 3, 30, 17, 0)) == 0.5 * H


def test_across_the_switch_to_winter_time():
    # Fri 23 Oct 17:00 CEST (15:00 UTC) → Mon 26 Oct 09:00 CET (08:00 UTC)
    assert business_time(utc(2026, 10, 23, 15, 0), utc(2026, 10, 26, 8, 0)) == 2 * H
    # Monday 08:00–18:00 in winter time is 07:00–17:00 UTC
    assert business_time(utc(2026, 10, 26, 6, 0), utc(2026, 10, 26, 7, 30)) == 0.5 * H


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (utc(2026, 3, 23, 7, 0), utc(2026, 3, 30, 6, 0)),  # Mon 08:00 → Mon 08:00, 167 h
        (utc(2026, 10, 19, 6, 0), utc(2026, 10, 26, 7, 0)),  # Mon 08:00 → Mon 08:00, 169 h
    ],
)
def test_a_week_across_a_switch_counts_fifty_hours(start, end):
    assert business_time(start, end) == 50 * H


def test_an_offer_in_the_evening_counts_from_next_opening():
    # offered Tue 24 Nov 20:00, accepted Wed 09:30
    assert business_time(utc(2026, 11, 24, 19, 0), utc(2026, 11, 25, 8, 30)) == 1.5 * H


def test_an_offer_on_saturday_counts_from_monday():
    # offered Sat 28 Nov 11:00, accepted Mon 30 Nov 10:00
    assert business_time(utc(2026, 11, 28, 10, 0), utc(2026, 11, 30, 9, 0)) == 2 * H


def test_any_aware_time_zone_is_the_same_moment():
    start = datetime(2026, 11, 27, 17, 0, tzinfo=LOCAL_TZ)
    end = datetime(2026, 11, 30, 9, 0, tzinfo=LOCAL_TZ)
    assert business_time(start, end) == business_time(utc(2026, 11, 27, 16), utc(2026, 11, 30, 8))


@pytest.mark.parametrize("back", [timedelta(0), timedelta(seconds=-1), -3 * H, -30 * 24 * H])
def test_no_time_passes_when_end_is_not_after_start(back):
    start = utc(2026, 11, 24, 10, 0)
    assert business_time(start, start + back) == timedelta(0)


# --- add_business_time ----------------------------------------------------------------------


def test_add_within_one_day():
    assert add_business_time(utc(2026, 11, 24, 8, 0), 3 * H) == utc(2026, 11, 24, 11, 0)


def test_add_up_to_closing_stays_on_the_day():
    # Tue 10:00 + 8 h is Tue 18:00, not Wed 08:00
    assert add_business_time(utc(2026, 11, 24, 9, 0), 8 * H) == utc(2026, 11, 24, 17, 0)


def test_add_across_a_weekend():
    # Fri 17:00 + 2 h → Mon 09:00
    assert add_business_time(utc(2026, 11, 27, 16, 0), 2 * H) == utc(2026, 11, 30, 8, 0)


def test_add_a_working_day_to_an_evening_offer():
    # offered Tue 20:00 with a target of one working day (600 minutes) → due Wed 18:00
    due = add_business_time(utc(2026, 11, 24, 19, 0), timedelta(minutes=600))
    assert due == utc(2026, 11, 25, 17, 0)


def test_add_to_a_saturday_offer():
    # Sat 11:00 + 1 h → Mon 09:00
    assert add_business_time(utc(2026, 11, 28, 10, 0), H) == utc(2026, 11, 30, 8, 0)


def test_add_across_fronleichnam():
    # Wed 3 June 17:00 + 2 h → Fri 5 June 09:00 (CEST)
    assert add_business_time(utc(2026, 6, 3, 15, 0), 2 * H) == utc(2026, 6, 5, 7, 0)


def test_add_across_the_switch_to_summer_time():
    # Fri 27 March 17:00 CET + 2 h → Mon 30 March 09:00 CEST = 07:00 UTC
    assert add_business_time(utc(2026, 3, 27, 16, 0), 2 * H) == utc(2026, 3, 30, 7, 0)


def test_add_across_the_switch_to_winter_time():
    # Fri 23 Oct 17:00 CEST + 2 h → Mon 26 Oct 09:00 CET = 08:00 UTC
    assert add_business_time(utc(2026, 10, 23, 15, 0), 2 * H) == utc(2026, 10, 26, 8, 0)


def test_add_several_days():
    # Mon 23 Nov 08:00 + 25 h → Wed 25 Nov 13:00
    assert add_business_time(utc(2026, 11, 23, 7, 0), 25 * H) == utc(2026, 11, 25, 12, 0)


def test_add_nothing_within_opening_hours_is_the_start():
    start = utc(2026, 11, 24, 10, 17, 5)
    assert add_business_time(start, timedelta(0)) == start


def test_add_nothing_outside_opening_hours_passes_no_working_time():
    start = utc(2026, 11, 28, 10, 0)  # Saturday
    due = add_business_time(start, timedelta(0))
    assert due >= start
    assert business_time(start, due) == timedelta(0)


def test_add_a_negative_amount_is_refused():
    with pytest.raises(ValueError, match="negative"):
        add_business_time(utc(2026, 11, 24, 10, 0), -H)


def test_other_opening_hours():
    saturday_mornings = OpeningHours(opens=time(9, 30), closes=time(13, 0), weekdays=frozenset({5}))
    assert saturday_mornings.day_minutes == 210
    assert DEFAULT_HOURS.day_minutes == 600
    assert is_working_day(date(2026, 11, 28), saturday_mornings)
    assert not is_working_day(date(2026, 11, 27), saturday_mornings)
    # Mon 23 Nov → Mon 30 Nov: only Saturday morning counts
    week = business_time(utc(2026, 11, 23), utc(2026, 11, 30), saturday_mornings)
    assert week == 3.5 * H
    # Sat 12:00 (11:00 UTC) + 2 h → next Saturday 10:30
    due = add_business_time(utc(2026, 11, 28, 11, 0), 2 * H, saturday_mornings)
    assert due == utc(2026, 12, 5, 9, 30)


# --- properties -----------------------------------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2025, 12, 20), max_value=datetime(2027, 1, 10), timezones=st.just(UTC)
)
amounts = st.integers(min_value=0, max_value=60 * 80).map(lambda m: timedelta(minutes=m))


@given(start=moments, amount=amounts)
def test_adding_then_measuring_gives_back_the_amount(start, amount):
    due = add_business_time(start, amount)
    assert due >= start
    assert business_time(start, due) == amount
    if amount:
        local = due.astimezone(LOCAL_TZ)
        assert is_working_day(local.date())
        assert time(8, 0) < local.time() <= time(18, 0)


@given(a=moments, b=moments, c=moments)
def test_business_time_adds_up_and_never_exceeds_wall_clock(a, b, c):
    a, b, c = sorted((a, b, c))
    assert business_time(a, c) == business_time(a, b) + business_time(b, c)
    assert timedelta(0) <= business_time(a, c) <= c - a


# --- business_times: many starts, one end ---------------------------------------------------


@given(
    end=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
    backs=st.lists(st.integers(min_value=-3 * 86_400, max_value=80 * 86_400), max_size=12),
)
def test_many_starts_to_one_end_count_as_each_alone(end, backs):
    end = end.replace(tzinfo=UTC)
    starts = [end - timedelta(seconds=back) for back in backs]
    assert business_times(starts, end) == [business_time(start, end) for start in starts]


def test_many_starts_across_holidays_and_a_switch_of_time():
    end = utc(2026, 11, 2, 9, 30)  # Mon 10:30, the day after Allerheiligen (a Sunday)
    starts = [
        utc(2026, 10, 23, 15, 0),  # Fri 17:00 before the switch to winter time
        utc(2026, 10, 31, 10, 0),  # Saturday
        utc(2026, 11, 2, 7, 0),  # Mon 08:00, opening
        utc(2026, 11, 2, 9, 30),  # the end itself
        utc(2026, 11, 3, 9, 0),  # after the end
        datetime(2026, 4, 2, 17, 0, tzinfo=LOCAL_TZ),  # before Easter, in local time
    ]
    expected = [business_time(start, end) for start in starts]
    assert business_times(starts, end) == expected
    assert expected[0] == 53.5 * H  # Fri 17:00–18:00, 26–30 Oct 5 × 10 h, Mon 08:00–10:30
    assert expected[2] == 2.5 * H and expected[3] == expected[4] == timedelta(0)
    assert business_times([], end) == []

"""Retention rules: the cutoff, the birth date's quarter, which event details stay."""

from datetime import UTC, date, datetime

import pytest

from zentrum.domain.retention import (
    details_need_scrub,
    quarter_start,
    retention_cutoff,
    scrub_details,
)


def test_cutoff_is_calendar_years_back():
    now = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    assert retention_cutoff(now, 3) == datetime(2023, 11, 26, 10, 0, tzinfo=UTC)


def test_cutoff_from_a_leap_day_falls_back_to_the_28th():
    assert retention_cutoff(datetime(2028, 2, 29, tzinfo=UTC), 3) == datetime(
        2025, 2, 28, tzinfo=UTC
    )


def test_cutoff_needs_at_least_a_year():
    with pytest.raises(ValueError):
        retention_cutoff(datetime(2026, 1, 1, tzinfo=UTC), 0)


@pytest.mark.parametrize(
    ("born", "quarter"),
    [
        (date(2007, 1, 1), date(2007, 1, 1)),
        (date(2007, 3, 31), date(2007, 1, 1)),
        (date(2007, 5, 17), date(2007, 4, 1)),
        (date(2007, 9, 30), date(2007, 7, 1)),
        (date(2007, 12, 31), date(2007, 10, 1)),
        (None, None),
    ],
)
def test_birth_date_becomes_first_day_of_its_quarter(born, quarter):
    assert quarter_start(born) == quarter


def test_free_text_goes_codes_stay():
    details = {"handover_id": 4, "reason": "other", "comment": "Lena zog nach Köln"}
    assert scrub_details("decline", details) == {"handover_id": 4, "reason": "other"}
    assert scrub_details("reopen", {"reason": "Lena meldet sich wieder"}) is None
    assert scrub_details("close", {"outcome": "other", "comment": "x"}) == {"outcome": "other"}
    offer = {"handover_id": 1, "suggestion": "Thema Ausbildung → IHK", "override_reason": "Oma"}
    assert scrub_details("offer", offer) == {
        "handover_id": 1,
        "suggestion": "Thema Ausbildung → IHK",
    }


def test_unknown_detail_keys_go():
    assert scrub_details("note", {"note_id": 3, "someday_text": "Name"}) == {"note_id": 3}
    assert details_need_scrub("note", {"note_id": 3, "someday_text": "Name"})
    assert not details_need_scrub("note", {"note_id": 3})
    assert not details_need_scrub("note", None)

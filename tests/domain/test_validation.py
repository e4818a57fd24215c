"""Plausibility rules for typed input, and case references."""

from datetime import date

import pytest

from zentrum.domain.reference import format_reference, parse_reference
from zentrum.domain.validation import age_on, birth_date_problem, has_control_characters

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("birth_date", "problem"),
    [
        (date(2026, 11, 25), "future"),
        (date(2026, 11, 24), None),
        (date(1926, 11, 24), None),
        (date(1926, 11, 23), "too_old"),
        (date(2008, 2, 29), None),
    ],
)
def test_birth_date_plausibility(birth_date, problem):
    assert birth_date_problem(birth_date, TODAY) == problem


def test_hundred_years_back_from_a_leap_day():
    # 1900 had no 29 February, so the limit falls back to the 28th.
    assert birth_date_problem(date(1900, 2, 27), date(2000, 2, 29)) == "too_old"
    assert birth_date_problem(date(1900, 2, 28), date(2000, 2, 29)) is None


@pytest.mark.parametrize(
    ("text", "multiline", "bad"),
    [
        ("Anna", False, False),
        ("An\x00na", False, True),
        ("An\x1bna", False, True),
        ("Zeile 1\nZeile 2", False, True),
        ("Zeile 1\r\nZeile 2\tTab", True, False),
        ("Glocke\x07", True, True),
        ("Löschen\x7f", True, True),
    ],
)
def test_control_characters(text, multiline, bad):
    assert has_control_characters(text, multiline=multiline) is bad


def test_age_counts_whole_years():
    assert age_on(date(2008, 11, 25), TODAY) == 17
    assert age_on(date(2008, 11, 24), TODAY) == 18


def test_reference_round_trip():
    assert format_reference(2026, 42) == "ZZ-2026-00042"
    assert parse_reference(" zz-2026-00042 ") == (2026, 42)
    assert parse_reference("ZZ-2026-42") is None
    assert parse_reference("Müller") is None

"""Consent rules on plain values: who gives it, and whether data may go to a partner."""

from datetime import date

import pytest

from zentrum.domain.consent import (
    ConsentStanding,
    age_on,
    check_giver,
    hidden_after_revocation,
    required_giver,
    sharing_basis,
)
from zentrum.domain.lifecycle import TransitionError
from zentrum.domain.vocab import LegalBasis

TODAY = date(2026, 11, 26)
BORN = date(2011, 11, 26)  # 15 today


def refused(code: str):
    """Expect a TransitionError with exactly this code."""
    return pytest.raises(TransitionError, match=f"^{code}$")


@pytest.mark.parametrize(
    ("day", "age"),
    [(date(2026, 11, 25), 14), (date(2026, 11, 26), 15), (date(2027, 1, 1), 15)],
)
def test_age_counts_completed_years_on_the_day(day, age):
    assert age_on(BORN, day) == age


def test_born_on_29_february_is_15_on_1_march():
    assert age_on(date(2012, 2, 29), date(2027, 2, 28)) == 14
    assert age_on(date(2012, 2, 29), date(2027, 3, 1)) == 15


def test_from_15_the_young_person_gives_it_below_the_guardians():
    assert required_giver(BORN, date(2026, 11, 26)) == "young_person"
    assert required_giver(BORN, date(2026, 11, 25)) == "guardians"
    assert required_giver(None, TODAY) is None


def test_the_day_of_consent_decides_not_today():
    # Signed by the guardians a week before the 15th birthday, recorded after it: fine.
    check_giver(BORN, date(2026, 11, 19), "guardians", "Maria Muster", date(2026, 12, 1))
    with refused("consent_by_young_person"):
        check_giver(BORN, date(2026, 11, 26), "guardians", "Maria Muster", TODAY)
    with refused("consent_by_guardians"):
        check_giver(BORN, date(2026, 11, 25), "young_person", "", TODAY)


def test_guardians_must_be_named():
    with refused("guardian_names_missing"):
        check_giver(BORN, date(2026, 1, 1), "guardians", "  ", TODAY)


def test_a_consent_cannot_be_given_tomorrow_or_before_birth():
    with refused("consent_date_future"):
        check_giver(date(2000, 1, 1), date(2026, 11, 27), "young_person", "", TODAY)
    with refused("consent_date_before_birth"):
        check_giver(BORN, date(2011, 1, 1), "guardians", "M. Muster", TODAY)


def test_unknown_birth_date_accepts_either_giver():
    check_giver(None, TODAY, "young_person", "", TODAY)
    check_giver(None, TODAY, "guardians", "Maria Muster", TODAY)


@pytest.mark.parametrize("urgency", ["normal", "urgent", "crisis"])
@pytest.mark.parametrize("child_protection", [True, False])
def test_with_standing_consent_no_legal_basis_is_needed(urgency, child_protection):
    standing = ConsentStanding(granted=True, revoked=True)  # re-given after a revocation
    assert sharing_basis(standing, urgency, child_protection) is None


def test_a_crisis_goes_to_child_protection_without_consent_and_says_so():
    assert sharing_basis(ConsentStanding(), "crisis", True) == LegalBasis.CHILD_PROTECTION
    assert sharing_basis(ConsentStanding(revoked=True), "crisis", True) == "child_protection"


def test_an_approved_legal_basis_allows_sharing_even_after_revocation():
    standing = ConsentStanding(revoked=True, approved_basis=LegalBasis.SGB_II_50)
    assert sharing_basis(standing, "normal", False) == LegalBasis.SGB_II_50


@pytest.mark.parametrize(
    ("urgency", "child_protection"),
    [("normal", True), ("urgent", True), ("crisis", False), ("normal", False)],
)
def test_without_consent_sharing_is_refused(urgency, child_protection):
    with refused("no_consent"):
        sharing_basis(ConsentStanding(), urgency, child_protection)
    with refused("consent_revoked"):
        sharing_basis(ConsentStanding(revoked=True), urgency, child_protection)


@pytest.mark.parametrize(
    ("standing", "holder", "crisis_cp", "hidden"),
    [
        (ConsentStanding(revoked=True), False, False, True),
        (ConsentStanding(revoked=True), True, False, False),
        (ConsentStanding(revoked=True), False, True, False),
        (ConsentStanding(revoked=True, granted=True), False, False, False),
        (ConsentStanding(revoked=True, approved_basis=LegalBasis.OTHER), False, False, False),
        (ConsentStanding(), False, False, False),
    ],
)
def test_revocation_hides_the_case_unless_something_else_stands(
    standing, holder, crisis_cp, hidden
):
    assert (
        hidden_after_revocation(
            standing, partner_is_holder=holder, crisis_child_protection=crisis_cp
        )
        is hidden
    )

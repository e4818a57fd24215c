"""Consent rules: who gives it, and whether data may go to a partner.

Pure rules on plain values; the services load the facts and apply the answer.
"""

from dataclasses import dataclass
from datetime import date

from zentrum.domain.lifecycle import TransitionError
from zentrum.domain.vocab import ConsentGiver, LegalBasis, Urgency

# From this age the young person consents (or revokes) themselves, below it the guardians.
SELF_CONSENT_AGE = 15
JUSTIFICATION_MIN = 30
GUARDIAN_NAMES_MAX = 300


def age_on(birth_date: date, day: date) -> int:
    """Completed years of life on a day."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)


def required_giver(birth_date: date | None, given_on: date) -> ConsentGiver | None:
    """Who must give a consent on that day; None when the birth date is unknown."""
    if birth_date is None:
        return None
    if age_on(birth_date, given_on) >= SELF_CONSENT_AGE:
        return ConsentGiver.YOUNG_PERSON
    return ConsentGiver.GUARDIANS


def check_giver(
    birth_date: date | None, given_on: date, given_by: str, guardian_names: str, today: date
) -> None:
    """Refuse a consent given by the wrong person, on an impossible day, or unnamed guardians."""
    if given_on > today:
        raise TransitionError("consent_date_future")
    if birth_date is not None and given_on < birth_date:
        raise TransitionError("consent_date_before_birth")
    required = required_giver(birth_date, given_on)
    if required is not None and given_by != required:
        raise TransitionError(
            "consent_by_young_person"
            if required == ConsentGiver.YOUNG_PERSON
            else "consent_by_guardians"
        )
    if given_by == ConsentGiver.GUARDIANS and not guardian_names.strip():
        raise TransitionError("guardian_names_missing")


@dataclass(frozen=True)
class ConsentStanding:
    """What is on record for one partner: a standing consent, a revoked one, an approved basis."""

    granted: bool = False
    revoked: bool = False
    approved_basis: LegalBasis | None = None


def sharing_basis(
    standing: ConsentStanding, urgency: str, partner_handles_child_protection: bool
) -> LegalBasis | None:
    """Whether data may go to a partner: None with consent, a legal basis, or refused.

    A standing consent comes first; then an approved legal basis (four eyes);
    then a crisis to the Jugendamt (child protection, § 8a SGB VIII), which
    goes regardless and says so. A revoked consent without either is refused
    with its own reason, so the front desk knows it must not ask again blindly.
    """
    if standing.granted:
        return None
    if standing.approved_basis is not None:
        return standing.approved_basis
    if urgency == Urgency.CRISIS and partner_handles_child_protection:
        return LegalBasis.CHILD_PROTECTION
    raise TransitionError("consent_revoked" if standing.revoked else "no_consent")


def hidden_after_revocation(
    standing: ConsentStanding,
    *,
    partner_is_holder: bool,
    crisis_child_protection: bool,
) -> bool:
    """True when a revocation hides the case from a partner that was involved.

    The responsible partner keeps the case (the supervisors see a flag); an
    approved legal basis or a crisis at the Jugendamt keeps it visible too.
    """
    if not standing.revoked or standing.granted or standing.approved_basis is not None:
        return False
    return not (partner_is_holder or crisis_child_protection)

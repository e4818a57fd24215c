"""Retention rules: when a closed case is due, and what anonymising leaves of its data.

Pure functions; ``services.retention`` applies them to the rows.
"""

from datetime import date, datetime
from typing import Any

from zentrum.domain.vocab import DeclineReason, EventKind

# Stored instead of a removed name: says what happened, matches no search.
ANONYMISED_NAME = "[anonymisiert]"

# Event details that stay: ids, codes, counts and the routing rule's own wording.
# Everything else (comments, reasons typed by staff, override reasons) goes, and so
# does any key a later change adds until it is listed here.
KEPT_DETAILS = frozenset(
    {
        "channel",
        "urgency",
        "members",
        "existing_person",
        "handover_id",
        "referral_id",
        "legal_basis",
        "suggestion",
        "from_partner_id",
        "wait_seconds",
        "outcome",
        "note_id",
        "internal",
        "addendum_to",
        "from_user_id",
        "to_user_id",
        "to_user",
    }
)
_DECLINE_REASONS = frozenset(reason.value for reason in DeclineReason)


def retention_cutoff(now: datetime, years: int) -> datetime:
    """The moment ``years`` calendar years before ``now``; closures before it are due.

    A 29 February falls back to the 28th when the target year has none.
    """
    if years < 1:
        raise ValueError("retention needs at least one year")
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def quarter_start(value: date | None) -> date | None:
    """The first day of the date's quarter: 17 May 2007 becomes 1 April 2007."""
    if value is None:
        return None
    return date(value.year, 3 * ((value.month - 1) // 3) + 1, 1)


def scrub_details(kind: str, details: dict[str, Any] | None) -> dict[str, Any] | None:
    """An event's details without free text; None when nothing is left.

    A ``reason`` stays only where it is a decline reason code (a reopening's
    reason is text typed by staff).
    """
    if not details:
        return details
    kept = {key: value for key, value in details.items() if key in KEPT_DETAILS}
    reason = details.get("reason")
    if kind != EventKind.REOPEN and reason in _DECLINE_REASONS:
        kept["reason"] = reason
    return kept or None


def details_need_scrub(kind: str, details: dict[str, Any] | None) -> bool:
    """True when anonymising would change these details."""
    return scrub_details(kind, details) != (details or None)

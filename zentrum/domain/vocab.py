"""The service's fixed vocabularies, stored as English strings.

German labels for them live in one place, ``zentrum.labels``.
"""

from enum import StrEnum


class Role(StrEnum):
    """What a user does in the house."""

    FRONTDESK = "frontdesk"
    ADVISOR = "advisor"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Urgency(StrEnum):
    """How soon somebody must act."""

    NORMAL = "normal"
    URGENT = "urgent"
    CRISIS = "crisis"


class Channel(StrEnum):
    """How the enquiry reached the house."""

    WALK_IN = "walk_in"
    PHONE = "phone"
    EMAIL = "email"
    OUTREACH = "outreach"


class MemberRole(StrEnum):
    """A person's role on a case."""

    YOUNG_PERSON = "young_person"
    PARENT = "parent"
    SIBLING = "sibling"
    OTHER = "other"


class CaseStatus(StrEnum):
    """Where a case stands in its lifecycle."""

    AT_FRONT_DESK = "at_front_desk"
    WITH_PARTNER = "with_partner"
    CLOSED = "closed"


class EventKind(StrEnum):
    """Kinds of entries in a case's history."""

    INTAKE = "intake"


class District(StrEnum):
    """Wuppertal's ten city districts (Stadtbezirke)."""

    ELBERFELD = "elberfeld"
    ELBERFELD_WEST = "elberfeld_west"
    UELLENDAHL_KATERNBERG = "uellendahl_katernberg"
    VOHWINKEL = "vohwinkel"
    CRONENBERG = "cronenberg"
    BARMEN = "barmen"
    OBERBARMEN = "oberbarmen"
    HECKINGHAUSEN = "heckinghausen"
    LANGERFELD_BEYENBURG = "langerfeld_beyenburg"
    RONSDORF = "ronsdorf"
    OUTSIDE = "outside"


# Languages most often spoken at the front desk (ISO 639-1/-3 codes).
LANGUAGES = (
    "de",
    "ar",
    "tr",
    "en",
    "uk",
    "ru",
    "pl",
    "ro",
    "bg",
    "ku",
    "fa",
    "prs",
    "ps",
    "ti",
    "so",
    "fr",
    "it",
    "el",
    "sr",
    "sq",
    "es",
    "other",
)

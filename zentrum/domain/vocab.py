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
    OFFER = "offer"
    ACCEPT = "accept"
    DECLINE = "decline"
    WITHDRAW = "withdraw"
    REFER = "refer"
    REFERRAL_ACCEPT = "referral_accept"
    REFERRAL_DECLINE = "referral_decline"
    REFERRAL_WITHDRAW = "referral_withdraw"
    REFERRAL_END = "referral_end"
    REASSIGN = "reassign"
    NOTE = "note"
    FIRST_CONTACT = "first_contact"
    CLOSE = "close"
    REOPEN = "reopen"
    CONSENT_GIVEN = "consent_given"
    CONSENT_REVOKED = "consent_revoked"
    BASIS_REQUESTED = "basis_requested"
    BASIS_APPROVED = "basis_approved"
    BASIS_REFUSED = "basis_refused"


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


class OfferStatus(StrEnum):
    """Where an offer (handover) stands."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class ReferralStatus(StrEnum):
    """Where a referral (another partner involved in parallel) stands."""

    PENDING = "pending"
    ACTIVE = "active"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    ENDED = "ended"


class DeclineReason(StrEnum):
    """Why a partner declined an offer or referral."""

    NOT_RESPONSIBLE = "not_responsible"
    NO_CAPACITY = "no_capacity"
    NO_CONSENT = "no_consent"
    DUPLICATE = "duplicate"
    OTHER = "other"


class Outcome(StrEnum):
    """Why a case was closed."""

    APPRENTICESHIP_FOUND = "apprenticeship_found"
    STUDY_STARTED = "study_started"
    JOB_FOUND = "job_found"
    SCHOOL_PLACE = "school_place"
    SUPPORT_GRANTED = "support_granted"
    ADVICE_GIVEN = "advice_given"
    REFERRED_ELSEWHERE = "referred_elsewhere"
    NO_CONTACT = "no_contact"
    WITHDRAWN_BY_PERSON = "withdrawn_by_person"
    OTHER = "other"


class LegalBasis(StrEnum):
    """A legal reason to pass data on without the person's consent.

    ``CHILD_PROTECTION`` is what a crisis offer to the Jugendamt records by itself
    (§ 8a SGB VIII); the others are recorded with a justification and a second
    person's approval (``LegalBasisRecord``).
    """

    CHILD_PROTECTION = "child_protection"
    SGB_X_69_1_1 = "sgb_x_69_1_1"
    SGB_II_50 = "sgb_ii_50"
    SGB_VIII_64_2 = "sgb_viii_64_2"
    SGB_VIII_65_1_4 = "sgb_viii_65_1_4"
    OTHER = "other"


class DataCategory(StrEnum):
    """Kinds of personal data a consent or legal basis covers."""

    MASTER_DATA = "master_data"
    CONTACT = "contact"
    SCHOOL = "school"
    FAMILY = "family"
    HEALTH = "health"
    BENEFITS = "benefits"
    CASE_NOTES = "case_notes"


class ConsentGiver(StrEnum):
    """Who gave (or revoked) a consent: the young person from 15 on, else the guardians."""

    YOUNG_PERSON = "young_person"
    GUARDIANS = "guardians"


class BasisStatus(StrEnum):
    """Where a recorded legal basis stands: it counts only once a second person approved it."""

    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class AuditAction(StrEnum):
    """What an audit log entry records (other areas may add members)."""

    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    SESSION_EXPIRED = "session_expired"
    ACCESS_REFUSED = "access_refused"
    CASE_VIEW = "case_view"
    SEARCH = "search"
    EXPORT = "export"
    CHANGE = "change"
    USER_CREATED = "user_created"
    USER_DEACTIVATED = "user_deactivated"
    USER_REACTIVATED = "user_reactivated"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - an action name, not a password # nosec B105
    ROLE_CHANGED = "role_changed"
    TOTP_ENABLED = "totp_enabled"
    TOTP_RESET = "totp_reset"
    RETENTION_RUN = "retention_run"
    SUBJECT_ACCESS = "subject_access"
    CONSENT_RECORDED = "consent_recorded"
    CONSENT_REVOKED = "consent_revoked"
    AUDIT_SEARCH = "audit_search"
    AUDIT_VERIFY = "audit_verify"

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
    """A recorded legal reason to pass data on without the person's consent."""

    CHILD_PROTECTION = "child_protection"


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
    PASSWORD_RESET = "password_reset"  # noqa: S105 - an action name, not a password
    ROLE_CHANGED = "role_changed"
    TOTP_ENABLED = "totp_enabled"
    TOTP_RESET = "totp_reset"
    RETENTION_RUN = "retention_run"
    SUBJECT_ACCESS = "subject_access"
    CONSENT_RECORDED = "consent_recorded"
    CONSENT_REVOKED = "consent_revoked"
    AUDIT_SEARCH = "audit_search"
    AUDIT_VERIFY = "audit_verify"

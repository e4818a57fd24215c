"""The database models, one module per aggregate."""

from zentrum.models.audit import AuditCaseRef, AuditChainHead, AuditEntry
from zentrum.models.case import Case, CaseCounter, CaseMember, Topic, case_topics
from zentrum.models.consent import Consent, LegalBasisRecord
from zentrum.models.event import CaseEvent
from zentrum.models.handover import CaseAccess, Handover, OfferEscalation, Referral
from zentrum.models.note import CaseNote
from zentrum.models.partner import Partner
from zentrum.models.person import Person, PersonNamePair, PersonNameToken
from zentrum.models.report import (
    ReportCube,
    ReportDay,
    ReportDayCube,
    ReportHour,
    ReportHourCube,
    ReportOpenDay,
    ReportOpenWeek,
    ReportWeek,
)
from zentrum.models.routing import RoutingRule, routing_rule_topics
from zentrum.models.user import User

__all__ = [
    "AuditCaseRef",
    "AuditChainHead",
    "AuditEntry",
    "Case",
    "CaseAccess",
    "CaseNote",
    "Handover",
    "OfferEscalation",
    "Referral",
    "ReportCube",
    "ReportDay",
    "ReportDayCube",
    "ReportHour",
    "ReportHourCube",
    "ReportOpenDay",
    "ReportOpenWeek",
    "ReportWeek",
    "RoutingRule",
    "routing_rule_topics",
    "CaseCounter",
    "CaseEvent",
    "CaseMember",
    "Consent",
    "LegalBasisRecord",
    "Partner",
    "Person",
    "PersonNamePair",
    "PersonNameToken",
    "Topic",
    "User",
    "case_topics",
]

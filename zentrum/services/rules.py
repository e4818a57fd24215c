"""Editing routing rules: create, update, enable and disable (admins only).

The functions check the rule's values once more (the form is not the only
caller), resolve partner and topic ids to rows, set the timestamps from
``now`` and flush; the caller commits.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Session

from zentrum.domain.validation import has_control_characters
from zentrum.domain.vocab import District, Role, Urgency
from zentrum.models import Partner, RoutingRule, Topic, User
from zentrum.services.errors import InvalidReference, ServiceError

REASON_MAX = 300
PRIORITY_MIN, PRIORITY_MAX = -1000, 1000
AGE_MIN, AGE_MAX = 0, 120


class RuleNotAllowed(ServiceError):
    """Only the administration edits routing rules."""


class InvalidRule(ServiceError):
    """A rule's value the service refuses; ``field`` names it, ``problem`` says why."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


@dataclass(frozen=True)
class RuleData:
    """What the admin sets on a rule."""

    partner_id: int
    reason: str
    priority: int = 0
    topic_ids: tuple[int, ...] = ()
    min_age: int | None = None
    max_age: int | None = None
    urgencies: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    enabled: bool = True


def _check_age(field: str, age: int | None) -> None:
    if age is not None and not AGE_MIN <= age <= AGE_MAX:
        raise InvalidRule(field, "out_of_range")


def check_rule_data(data: RuleData) -> None:
    """Raise InvalidRule for a value no rule may hold."""
    reason = data.reason.strip()
    if not reason:
        raise InvalidRule("reason", "missing")
    if len(reason) > REASON_MAX:
        raise InvalidRule("reason", "too_long")
    if has_control_characters(reason):
        raise InvalidRule("reason", "control_characters")
    if not PRIORITY_MIN <= data.priority <= PRIORITY_MAX:
        raise InvalidRule("priority", "out_of_range")
    _check_age("min_age", data.min_age)
    _check_age("max_age", data.max_age)
    if data.min_age is not None and data.max_age is not None and data.min_age > data.max_age:
        raise InvalidRule("min_age", "above_max_age")
    if set(data.urgencies) - set(Urgency):
        raise InvalidRule("urgencies", "unknown")
    if set(data.districts) - set(District):
        raise InvalidRule("districts", "unknown")


def _stored_values(values: Iterable[str], vocabulary: type[StrEnum]) -> str:
    """Comma-separated, in the vocabulary's order, each once ("" = any)."""
    chosen = set(values)
    return ",".join(member.value for member in vocabulary if member in chosen)


def _partner(session: Session, partner_id: int, current: int | None) -> Partner:
    """The partner; an inactive one only when the rule already points to it."""
    partner = session.get(Partner, partner_id)
    if partner is None or not (partner.active or partner.id == current):
        raise InvalidReference("partner_id", partner_id)
    return partner


def _topics(session: Session, topic_ids: Iterable[int], current: Iterable[Topic]) -> list[Topic]:
    """The topics; inactive ones only when the rule already has them."""
    wanted = set(topic_ids)
    if not wanted:
        return []
    kept = {topic.id for topic in current}
    rows = session.scalars(sa.select(Topic).where(Topic.id.in_(wanted)))
    topics = [t for t in rows if t.active or t.id in kept]
    missing = wanted - {t.id for t in topics}
    if missing:
        raise InvalidReference("topic_ids", min(missing))
    return sorted(topics, key=lambda t: (t.sort_order, t.id))


def _require_admin(actor: User) -> None:
    if not actor.has_role(Role.ADMIN):
        raise RuleNotAllowed(actor.role)


def _apply(session: Session, rule: RoutingRule, data: RuleData, now: datetime) -> RoutingRule:
    """Check the data and write it onto the rule; flush."""
    check_rule_data(data)
    # Look both up before touching the rule, so that autoflush never sees half of it.
    partner = _partner(session, data.partner_id, rule.partner_id)
    topics = _topics(session, data.topic_ids, rule.topics)
    rule.partner = partner
    rule.topics = topics
    rule.reason = data.reason.strip()
    rule.priority = data.priority
    rule.min_age = data.min_age
    rule.max_age = data.max_age
    rule.urgencies = _stored_values(data.urgencies, Urgency)
    rule.districts = _stored_values(data.districts, District)
    rule.enabled = data.enabled
    rule.updated_at = now
    session.add(rule)
    session.flush()
    return rule


def create_rule(session: Session, actor: User, now: datetime, data: RuleData) -> RoutingRule:
    """A new routing rule; flush only."""
    _require_admin(actor)
    return _apply(session, RoutingRule(created_at=now), data, now)


def update_rule(
    session: Session, actor: User, now: datetime, rule: RoutingRule, data: RuleData
) -> RoutingRule:
    """Change every value of an existing rule; flush only."""
    _require_admin(actor)
    return _apply(session, rule, data, now)


def set_rule_enabled(
    session: Session, actor: User, now: datetime, rule: RoutingRule, enabled: bool
) -> RoutingRule:
    """Switch a rule on or off (rules are disabled, not deleted); flush only."""
    _require_admin(actor)
    if rule.enabled != enabled:
        rule.enabled = enabled
        rule.updated_at = now
        session.flush()
    return rule

"""Routing suggestions for a case, from the rules stored in the database."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from zentrum.domain.clock import local_date
from zentrum.domain.routing import RoutingInput, Rule, Suggestion, suggest
from zentrum.domain.validation import age_on
from zentrum.models import Case, Partner, RoutingRule
from zentrum.services.statements import prepared


def _split(text: str) -> frozenset[str]:
    return frozenset(part for part in text.split(",") if part)


def rule_of(row: RoutingRule) -> Rule:
    """The engine's view of a stored rule."""
    return Rule(
        id=row.id,
        partner_id=row.partner_id,
        reason=row.reason,
        priority=row.priority,
        enabled=row.enabled and row.partner.active,
        topic_ids=frozenset(t.id for t in row.topics),
        min_age=row.min_age,
        max_age=row.max_age,
        urgencies=_split(row.urgencies),
        districts=_split(row.districts),
    )


def load_rules(session: Session) -> list[Rule]:
    """Every stored rule (disabled ones too: the engine skips them)."""
    stmt = prepared(
        "routing rules", lambda: sa.select(RoutingRule).options(joinedload(RoutingRule.topics))
    )
    return [rule_of(row) for row in session.scalars(stmt).unique()]


def routing_input(case: Case, now: datetime) -> RoutingInput:
    """What routing looks at in a case."""
    person = case.young_person
    birth = person.birth_date if person else None
    return RoutingInput(
        topic_ids=frozenset(t.id for t in case.topics),
        age=age_on(birth, local_date(now)) if birth else None,
        urgency=case.urgency,
        district=person.district if person else None,
    )


def suggestions_for(
    session: Session, case: Case, now: datetime
) -> list[tuple[Suggestion, Partner]]:
    """Ranked suggestions for the case with their partners, without its current holder."""
    ranked = [
        s
        for s in suggest(load_rules(session), routing_input(case, now))
        if s.partner_id != case.holder_partner_id
    ]
    # session.get: the rules' partners are in the session already (no statement).
    return [(s, session.get(Partner, s.partner_id)) for s in ranked]

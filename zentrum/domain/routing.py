"""Routing rules: from an intake to a ranked list of (partner, reason).

Rules are data an admin edits; this module only evaluates them. A rule
matches when every condition it sets holds (an empty condition holds always).
Higher priority ranks first; at equal priority the more specific rule (more
conditions set) wins, then the older rule (lower id). Each partner appears
once, with the reason of its best rule.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class RoutingInput:
    """What routing looks at in an enquiry."""

    topic_ids: frozenset[int]
    age: int | None
    urgency: str
    district: str | None


@dataclass(frozen=True)
class Rule:
    """One routing rule, as plain values."""

    id: int
    partner_id: int
    reason: str
    priority: int = 0
    enabled: bool = True
    topic_ids: frozenset[int] = frozenset()
    min_age: int | None = None
    max_age: int | None = None
    urgencies: frozenset[str] = frozenset()
    districts: frozenset[str] = frozenset()

    @property
    def specificity(self) -> int:
        """How many kinds of condition the rule sets."""
        has_age = self.min_age is not None or self.max_age is not None
        return sum(map(bool, (self.topic_ids, has_age, self.urgencies, self.districts)))

    def matches(self, intake: RoutingInput) -> bool:
        """True when every condition the rule sets holds for the intake."""
        if self.topic_ids and not self.topic_ids & intake.topic_ids:
            return False
        if self.urgencies and intake.urgency not in self.urgencies:
            return False
        if self.districts and intake.district not in self.districts:
            return False
        return self._age_matches(intake.age)

    def _age_matches(self, age: int | None) -> bool:
        if self.min_age is None and self.max_age is None:
            return True
        if age is None:
            return False
        if self.min_age is not None and age < self.min_age:
            return False
        return self.max_age is None or age <= self.max_age


@dataclass(frozen=True)
class Suggestion:
    """A partner to offer the case to, and why."""

    partner_id: int
    reason: str
    rule_id: int


def suggest(rules: list[Rule], intake: RoutingInput) -> list[Suggestion]:
    """Ranked suggestions, best first; empty when no enabled rule matches."""
    matching = [rule for rule in rules if rule.enabled and rule.matches(intake)]
    matching.sort(key=lambda rule: (-rule.priority, -rule.specificity, rule.id))
    ranked: list[Suggestion] = []
    seen: set[int] = set()
    for rule in matching:
        if rule.partner_id not in seen:
            seen.add(rule.partner_id)
            ranked.append(Suggestion(rule.partner_id, rule.reason, rule.id))
    return ranked

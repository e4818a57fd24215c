"""A routing rule's conditions in German words, for the rules list."""

from flask_babel import gettext as _

from zentrum.labels import label, topic_label
from zentrum.models import RoutingRule


def age_band(min_age: int | None, max_age: int | None) -> str:
    """'16–24 Jahre', 'ab 15 Jahre', 'bis 17 Jahre' or 'jedes Alter'."""
    if min_age is not None and max_age is not None:
        if min_age == max_age:
            return _("%(age)d Jahre", age=min_age)
        return _("%(low)d–%(high)d Jahre", low=min_age, high=max_age)
    if min_age is not None:
        return _("ab %(age)d Jahre", age=min_age)
    if max_age is not None:
        return _("bis %(age)d Jahre", age=max_age)
    return _("jedes Alter")


def any_of(items: list[str]) -> str:
    """'A', 'A oder B', 'A, B oder C': the rule matches when one of them holds."""
    if len(items) < 2:
        return "".join(items)
    return _("%(some)s oder %(last)s", some=", ".join(items[:-1]), last=items[-1])


def _labels(kind: str, stored: str) -> list[str]:
    return [label(kind, value) for value in stored.split(",") if value]


def conditions(rule: RoutingRule) -> list[tuple[str, str]]:
    """(condition, what it asks for) for each kind of condition, 'any' spelled out."""
    topics = [topic_label(topic.label) for topic in rule.topics]
    urgencies = _labels("urgency", rule.urgencies)
    districts = _labels("district", rule.districts)
    return [
        (_("Themen"), any_of(topics) if topics else _("jedes Thema")),
        (_("Alter"), age_band(rule.min_age, rule.max_age)),
        (_("Dringlichkeit"), any_of(urgencies) if urgencies else _("jede Dringlichkeit")),
        (_("Stadtbezirke"), any_of(districts) if districts else _("jeder Stadtbezirk")),
    ]

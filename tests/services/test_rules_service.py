"""Editing routing rules: checked values, resolved ids, timestamps from ``now``, flush only."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from zentrum.domain.routing import RoutingInput, suggest
from zentrum.models import Partner, RoutingRule, Topic
from zentrum.services.errors import InvalidReference
from zentrum.services.routing import load_rules
from zentrum.services.rules import (
    InvalidRule,
    RuleData,
    RuleNotAllowed,
    create_rule,
    set_rule_enabled,
    update_rule,
)

NOW = datetime(2026, 11, 24, 13, 5, tzinfo=UTC)
LATER = NOW + timedelta(days=3)


@pytest.fixture
def admin(users):
    return users("admin")


def _partner(session, code: str) -> Partner:
    return session.scalar(sa.select(Partner).where(Partner.code == code))


def _topic(session, code: str) -> Topic:
    return session.scalar(sa.select(Topic).where(Topic.code == code))


def _data(session, **overrides) -> RuleData:
    values = {
        "partner_id": _partner(session, "hwk").id,
        "reason": "Thema Ausbildung in Ronsdorf → Handwerkskammer",
        "priority": 60,
        "topic_ids": (_topic(session, "apprenticeship").id,),
        "min_age": 16,
        "max_age": 24,
        "urgencies": ("urgent", "normal", "urgent"),
        "districts": ("ronsdorf", "barmen"),
    }
    values.update(overrides)
    return RuleData(**values)


def _count(session) -> int:
    return session.scalar(sa.select(sa.func.count(RoutingRule.id)))


def test_create_stores_the_rule_with_canonical_values_and_times(session, admin):
    rule = create_rule(session, admin, NOW, _data(session))
    session.commit()
    session.expire_all()
    rule = session.get(RoutingRule, rule.id)
    assert rule.partner.code == "hwk"
    assert rule.reason == "Thema Ausbildung in Ronsdorf → Handwerkskammer"
    assert (rule.priority, rule.min_age, rule.max_age, rule.enabled) == (60, 16, 24, True)
    assert [t.code for t in rule.topics] == ["apprenticeship"]
    # Each value once, in the vocabulary's order, whatever order they came in.
    assert rule.urgencies == "normal,urgent"
    assert rule.districts == "barmen,ronsdorf"
    assert rule.created_at == NOW and rule.updated_at == NOW


def test_services_flush_but_never_commit(session, admin):
    before = _count(session)
    rule = create_rule(session, admin, NOW, _data(session))
    assert rule.id is not None
    session.rollback()
    assert _count(session) == before


def test_a_new_rule_takes_part_in_routing(session, admin):
    create_rule(session, admin, NOW, _data(session))
    intake = RoutingInput(
        topic_ids=frozenset({_topic(session, "apprenticeship").id}),
        age=17,
        urgency="urgent",
        district="ronsdorf",
    )
    best = suggest(load_rules(session), intake)[0]
    assert best.partner_id == _partner(session, "hwk").id
    assert best.reason == "Thema Ausbildung in Ronsdorf → Handwerkskammer"


def test_empty_conditions_are_stored_as_any(session, admin):
    data = _data(session, topic_ids=(), min_age=None, max_age=None, urgencies=(), districts=())
    rule = create_rule(session, admin, NOW, data)
    assert (rule.urgencies, rule.districts, rule.topics) == ("", "", [])
    anyone = RoutingInput(topic_ids=frozenset(), age=None, urgency="normal", district=None)
    assert rule.id in {s.rule_id for s in suggest(load_rules(session), anyone)}


def test_update_changes_every_value_and_keeps_the_creation_time(session, admin):
    rule = create_rule(session, admin, NOW, _data(session))
    session.commit()
    changed = _data(
        session,
        partner_id=_partner(session, "ihk").id,
        reason="Neu: Studium oder Ausbildung → IHK",
        priority=-5,
        topic_ids=(_topic(session, "study").id, _topic(session, "apprenticeship").id),
        min_age=None,
        max_age=30,
        urgencies=(),
        districts=("outside",),
        enabled=False,
    )
    update_rule(session, admin, LATER, rule, changed)
    session.commit()
    session.expire_all()
    rule = session.get(RoutingRule, rule.id)
    assert rule.partner.code == "ihk"
    assert (rule.reason, rule.priority, rule.min_age, rule.max_age) == (
        "Neu: Studium oder Ausbildung → IHK",
        -5,
        None,
        30,
    )
    assert sorted(t.code for t in rule.topics) == ["apprenticeship", "study"]
    assert (rule.urgencies, rule.districts, rule.enabled) == ("", "outside", False)
    assert rule.created_at == NOW and rule.updated_at == LATER


def test_disabled_rule_is_skipped_by_routing_and_can_be_enabled_again(session, admin):
    rule = create_rule(session, admin, NOW, _data(session))
    intake = RoutingInput(
        topic_ids=frozenset({_topic(session, "apprenticeship").id}),
        age=17,
        urgency="normal",
        district="barmen",
    )
    set_rule_enabled(session, admin, LATER, rule, False)
    assert rule.updated_at == LATER
    assert rule.id not in {s.rule_id for s in suggest(load_rules(session), intake)}
    set_rule_enabled(session, admin, LATER, rule, True)
    assert rule.id in {s.rule_id for s in suggest(load_rules(session), intake)}


def test_switching_to_the_current_state_changes_nothing(session, admin):
    rule = create_rule(session, admin, NOW, _data(session))
    set_rule_enabled(session, admin, LATER, rule, True)
    assert rule.enabled and rule.updated_at == NOW


@pytest.mark.parametrize("role", ["frontdesk", "supervisor"])
def test_only_the_administration_edits_rules(session, users, admin, role):
    rule = create_rule(session, admin, NOW, _data(session))
    session.commit()
    other = users(role)
    before = _count(session)
    with pytest.raises(RuleNotAllowed):
        create_rule(session, other, NOW, _data(session))
    with pytest.raises(RuleNotAllowed):
        update_rule(session, other, NOW, rule, _data(session, reason="Geändert"))
    with pytest.raises(RuleNotAllowed):
        set_rule_enabled(session, other, NOW, rule, False)
    session.rollback()
    assert _count(session) == before
    assert session.get(RoutingRule, rule.id).enabled


def test_advisor_may_not_edit_rules(session, users, admin):
    with pytest.raises(RuleNotAllowed):
        create_rule(session, users("advisor", partner="ihk"), NOW, _data(session))


@pytest.mark.parametrize(
    ("overrides", "field", "problem"),
    [
        ({"reason": "   "}, "reason", "missing"),
        ({"reason": "x" * 301}, "reason", "too_long"),
        ({"reason": "Zeile\neins"}, "reason", "control_characters"),
        ({"reason": "Escape \x1b"}, "reason", "control_characters"),
        ({"priority": 1001}, "priority", "out_of_range"),
        ({"priority": -1001}, "priority", "out_of_range"),
        ({"min_age": -1}, "min_age", "out_of_range"),
        ({"max_age": 121}, "max_age", "out_of_range"),
        ({"min_age": 25, "max_age": 24}, "min_age", "above_max_age"),
        ({"urgencies": ("sofort",)}, "urgencies", "unknown"),
        ({"districts": ("solingen",)}, "districts", "unknown"),
    ],
)
def test_values_no_rule_may_hold_are_refused(session, admin, overrides, field, problem):
    before = _count(session)
    with pytest.raises(InvalidRule) as caught:
        create_rule(session, admin, NOW, _data(session, **overrides))
    assert (caught.value.field, caught.value.problem) == (field, problem)
    assert _count(session) == before


def test_limits_themselves_are_allowed(session, admin):
    data = _data(session, reason="x" * 300, priority=-1000, min_age=0, max_age=120)
    assert create_rule(session, admin, NOW, data).priority == -1000
    data = _data(session, priority=1000, min_age=18, max_age=18)
    assert create_rule(session, admin, NOW, data).priority == 1000


def test_reason_is_stored_without_surrounding_spaces(session, admin):
    rule = create_rule(session, admin, NOW, _data(session, reason="  Thema Studium → Uni  "))
    assert rule.reason == "Thema Studium → Uni"


def test_unknown_or_inactive_partner_is_refused(session, admin):
    with pytest.raises(InvalidReference) as caught:
        create_rule(session, admin, NOW, _data(session, partner_id=999_999))
    assert caught.value.field == "partner_id"
    hwk = _partner(session, "hwk")
    hwk.active = False
    session.flush()
    with pytest.raises(InvalidReference):
        create_rule(session, admin, NOW, _data(session, partner_id=hwk.id))


def test_a_rule_may_keep_its_partner_after_the_partner_became_inactive(session, admin):
    rule = create_rule(session, admin, NOW, _data(session))
    _partner(session, "hwk").active = False
    session.flush()
    update_rule(session, admin, LATER, rule, _data(session, reason="Nur der Text ist neu"))
    assert rule.reason == "Nur der Text ist neu" and rule.partner.code == "hwk"


def test_unknown_or_inactive_topic_is_refused(session, admin):
    with pytest.raises(InvalidReference) as caught:
        create_rule(session, admin, NOW, _data(session, topic_ids=(999_999,)))
    assert (caught.value.field, caught.value.value) == ("topic_ids", 999_999)
    culture = _topic(session, "culture")
    culture.active = False
    session.flush()
    with pytest.raises(InvalidReference):
        create_rule(session, admin, NOW, _data(session, topic_ids=(culture.id,)))


def test_a_rule_may_keep_a_topic_after_the_topic_became_inactive(session, admin):
    culture = _topic(session, "culture")
    rule = create_rule(session, admin, NOW, _data(session, topic_ids=(culture.id,)))
    culture.active = False
    session.flush()
    update_rule(session, admin, LATER, rule, _data(session, topic_ids=(culture.id,)))
    assert [t.code for t in rule.topics] == ["culture"]


def test_refused_update_leaves_the_stored_rule_as_it_was(session, admin):
    rule = create_rule(session, admin, NOW, _data(session))
    session.commit()
    with pytest.raises(InvalidReference):
        update_rule(session, admin, LATER, rule, _data(session, reason="Neu", topic_ids=(999_999,)))
    session.rollback()
    session.expire_all()
    stored = session.get(RoutingRule, rule.id)
    assert stored.reason == "Thema Ausbildung in Ronsdorf → Handwerkskammer"
    assert stored.updated_at == NOW

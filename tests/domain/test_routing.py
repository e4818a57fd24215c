"""The routing rules engine: from an intake to ranked (partner, reason), without DB or HTTP."""

import random

import pytest

from zentrum.domain.routing import RoutingInput, Rule, Suggestion, suggest

APPRENTICESHIP, STUDY, FAMILY, BENEFITS = 1, 2, 3, 4
JUGENDAMT, JOBCENTER, UNI, IHK, HWK = 10, 20, 30, 40, 50


def intake(topics=(APPRENTICESHIP,), age=19, urgency="normal", district="barmen") -> RoutingInput:
    return RoutingInput(frozenset(topics), age, urgency, district)


def rule(rule_id, partner_id, priority=0, **conditions) -> Rule:
    for key in ("topic_ids", "urgencies", "districts"):
        if key in conditions:
            conditions[key] = frozenset(conditions[key])
    return Rule(
        id=rule_id,
        partner_id=partner_id,
        reason=f"Regel {rule_id}",
        priority=priority,
        **conditions,
    )


def partners(suggestions: list[Suggestion]) -> list[int]:
    return [s.partner_id for s in suggestions]


def test_no_rules_means_no_suggestion():
    assert suggest([], intake()) == []


def test_no_matching_rule_leaves_the_case_at_the_front_desk():
    """Keine Regel passt: nothing to suggest, so nothing can be offered automatically."""
    rules = [rule(1, UNI, topic_ids={STUDY}), rule(2, JUGENDAMT, urgencies={"crisis"})]
    assert suggest(rules, intake(topics={APPRENTICESHIP}, urgency="normal")) == []


def test_suggestion_carries_partner_reason_and_rule():
    ihk = Rule(
        id=7,
        partner_id=IHK,
        reason="Thema Ausbildung, 16–24 Jahre → IHK",
        topic_ids=frozenset({APPRENTICESHIP}),
        min_age=16,
        max_age=24,
    )
    assert suggest([ihk], intake(age=19)) == [
        Suggestion(IHK, "Thema Ausbildung, 16–24 Jahre → IHK", 7)
    ]


@pytest.mark.parametrize(
    ("case_topics", "matches"),
    [({APPRENTICESHIP}, True), ({STUDY, APPRENTICESHIP}, True), ({STUDY}, False), (set(), False)],
)
def test_topic_condition_needs_one_common_topic(case_topics, matches):
    rules = [rule(1, IHK, topic_ids={APPRENTICESHIP, FAMILY})]
    assert partners(suggest(rules, intake(topics=case_topics))) == ([IHK] if matches else [])


@pytest.mark.parametrize(
    ("age", "matches"),
    [(15, False), (16, True), (20, True), (24, True), (25, False), (None, False)],
)
def test_age_band_includes_both_ends_and_never_matches_an_unknown_age(age, matches):
    rules = [rule(1, IHK, min_age=16, max_age=24)]
    assert partners(suggest(rules, intake(age=age))) == ([IHK] if matches else [])


@pytest.mark.parametrize(("age", "matches"), [(14, False), (15, True), (60, True), (None, False)])
def test_open_ended_age_band(age, matches):
    rules = [rule(1, JOBCENTER, min_age=15)]
    assert partners(suggest(rules, intake(age=age))) == ([JOBCENTER] if matches else [])


@pytest.mark.parametrize(("age", "matches"), [(0, True), (17, True), (18, False), (None, False)])
def test_upper_age_limit_only(age, matches):
    rules = [rule(1, JUGENDAMT, max_age=17)]
    assert partners(suggest(rules, intake(age=age))) == ([JUGENDAMT] if matches else [])


def test_rule_without_age_band_matches_an_unknown_age():
    rules = [rule(1, UNI, topic_ids={STUDY})]
    assert partners(suggest(rules, intake(topics={STUDY}, age=None))) == [UNI]


@pytest.mark.parametrize(
    ("urgency", "matches"), [("crisis", True), ("urgent", True), ("normal", False)]
)
def test_urgency_condition(urgency, matches):
    rules = [rule(1, JUGENDAMT, urgencies={"crisis", "urgent"})]
    assert partners(suggest(rules, intake(urgency=urgency))) == ([JUGENDAMT] if matches else [])


@pytest.mark.parametrize(
    ("district", "matches"),
    [("barmen", True), ("oberbarmen", True), ("vohwinkel", False), (None, False)],
)
def test_district_condition(district, matches):
    rules = [rule(1, JOBCENTER, districts={"barmen", "oberbarmen"})]
    assert partners(suggest(rules, intake(district=district))) == ([JOBCENTER] if matches else [])


def test_every_condition_must_hold():
    strict = rule(
        1,
        JUGENDAMT,
        topic_ids={FAMILY},
        min_age=0,
        max_age=17,
        urgencies={"crisis"},
        districts={"barmen"},
    )
    fits = intake(topics={FAMILY}, age=15, urgency="crisis", district="barmen")
    assert partners(suggest([strict], fits)) == [JUGENDAMT]
    for miss in (
        intake(topics={STUDY}, age=15, urgency="crisis", district="barmen"),
        intake(topics={FAMILY}, age=18, urgency="crisis", district="barmen"),
        intake(topics={FAMILY}, age=15, urgency="urgent", district="barmen"),
        intake(topics={FAMILY}, age=15, urgency="crisis", district="ronsdorf"),
    ):
        assert suggest([strict], miss) == []


def test_rule_without_conditions_matches_everything():
    catch_all = rule(1, JOBCENTER)
    assert partners(suggest([catch_all], intake(topics=(), age=None, district=None))) == [JOBCENTER]


def test_higher_priority_ranks_first_whatever_the_order_of_the_rules():
    rules = [
        rule(1, HWK, priority=35, topic_ids={APPRENTICESHIP}),
        rule(2, IHK, priority=40, topic_ids={APPRENTICESHIP}),
        rule(3, JOBCENTER, priority=-5),
        rule(4, UNI, priority=100, topic_ids={STUDY}),  # does not match
    ]
    for seed in range(5):
        shuffled = rules[:]
        random.Random(seed).shuffle(shuffled)
        assert partners(suggest(shuffled, intake())) == [IHK, HWK, JOBCENTER]


def test_equal_priority_more_specific_rule_first():
    rules = [
        rule(1, JOBCENTER, priority=10),
        rule(2, HWK, priority=10, topic_ids={APPRENTICESHIP}),
        rule(3, IHK, priority=10, topic_ids={APPRENTICESHIP}, min_age=16, max_age=24),
        rule(
            4,
            UNI,
            priority=10,
            topic_ids={APPRENTICESHIP},
            urgencies={"normal"},
            districts={"barmen"},
        ),
    ]
    assert partners(suggest(list(reversed(rules)), intake())) == [UNI, IHK, HWK, JOBCENTER]


def test_specificity_counts_kinds_of_condition_not_values():
    wide = rule(1, IHK, topic_ids={APPRENTICESHIP, STUDY, FAMILY, BENEFITS})
    narrow = rule(2, HWK, topic_ids={APPRENTICESHIP}, min_age=16)
    assert wide.specificity == 1 and narrow.specificity == 2
    assert partners(suggest([wide, narrow], intake())) == [HWK, IHK]
    assert rule(3, UNI, max_age=30).specificity == 1  # one end of a band is an age condition


def test_equal_priority_and_specificity_older_rule_first():
    rules = [
        rule(9, HWK, priority=5, topic_ids={APPRENTICESHIP}),
        rule(3, IHK, priority=5, topic_ids={APPRENTICESHIP}),
        rule(6, JOBCENTER, priority=5, topic_ids={APPRENTICESHIP}),
    ]
    assert partners(suggest(rules, intake())) == [IHK, JOBCENTER, HWK]


def test_each_partner_once_with_the_reason_of_its_best_rule():
    rules = [
        rule(1, IHK, priority=10, topic_ids={APPRENTICESHIP}),
        rule(2, IHK, priority=50, min_age=16, max_age=24),
        rule(3, HWK, priority=30),
        rule(4, IHK, priority=50, topic_ids={APPRENTICESHIP}, min_age=16),
    ]
    ranked = suggest(rules, intake())
    assert partners(ranked) == [IHK, HWK]
    assert ranked[0] == Suggestion(IHK, "Regel 4", 4)  # priority 50, two conditions beat rule 2


def test_disabled_rules_are_skipped():
    rules = [
        Rule(id=1, partner_id=IHK, reason="aus", priority=99, enabled=False),
        rule(2, HWK, priority=1),
    ]
    assert partners(suggest(rules, intake())) == [HWK]
    assert suggest(rules[:1], intake()) == []


def test_a_disabled_best_rule_lets_the_partners_next_rule_speak():
    rules = [
        Rule(id=1, partner_id=IHK, reason="alt", priority=99, enabled=False),
        rule(2, HWK, priority=50),
        rule(3, IHK, priority=10),
    ]
    ranked = suggest(rules, intake())
    assert partners(ranked) == [HWK, IHK]
    assert ranked[1].reason == "Regel 3"

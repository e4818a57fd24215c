"""Which escalation stages are due: pure rules, no app, no database."""

from hypothesis import given
from hypothesis import strategies as st

from zentrum.domain.escalation import Stage, due_stages, stages_reached, warning_seconds

DAY = 600  # one working day, the default target in minutes
MINUTE = 60


def test_nothing_is_due_before_eighty_percent():
    assert stages_reached(0, DAY) == []
    assert stages_reached(480 * MINUTE - 1, DAY) == []


def test_warning_is_due_at_eighty_percent():
    assert warning_seconds(DAY) == 480 * MINUTE
    assert stages_reached(480 * MINUTE, DAY) == [Stage.WARNING]


def test_target_used_exactly_is_not_yet_overdue():
    assert stages_reached(DAY * MINUTE, DAY) == [Stage.WARNING]


def test_overdue_once_the_target_is_passed_with_the_warning_first():
    assert stages_reached(DAY * MINUTE + 1, DAY) == [Stage.WARNING, Stage.OVERDUE]
    assert stages_reached(10 * DAY * MINUTE, DAY) == [Stage.WARNING, Stage.OVERDUE]


def test_the_partners_own_target_counts():
    assert stages_reached(48 * MINUTE, 60) == [Stage.WARNING]
    assert stages_reached(48 * MINUTE - 1, 60) == []
    assert stages_reached(61 * MINUTE, 60) == [Stage.WARNING, Stage.OVERDUE]
    assert stages_reached(61 * MINUTE, 1200) == []


def test_no_target_means_no_escalation():
    assert stages_reached(10**9, 0) == []
    assert stages_reached(10**9, -5) == []


def test_recorded_stages_are_not_due_again():
    late = DAY * MINUTE + 1
    assert due_stages(late, DAY, set()) == [Stage.WARNING, Stage.OVERDUE]
    assert due_stages(late, DAY, {"warning"}) == [Stage.OVERDUE]
    assert due_stages(late, DAY, {"warning", "overdue"}) == []
    assert due_stages(480 * MINUTE, DAY, {"warning"}) == []


@given(
    waited=st.integers(min_value=0, max_value=10**7),
    more=st.integers(min_value=0, max_value=10**6),
    target=st.integers(min_value=1, max_value=10_000),
)
def test_waiting_longer_never_takes_a_stage_back(waited, more, target):
    before = stages_reached(waited, target)
    after = stages_reached(waited + more, target)
    assert after[: len(before)] == before
    assert Stage.OVERDUE not in after or after[0] == Stage.WARNING


@given(
    waited=st.integers(min_value=0, max_value=10**7),
    target=st.integers(min_value=1, max_value=10_000),
    recorded=st.sets(st.sampled_from(["warning", "overdue"])),
)
def test_due_and_recorded_together_are_what_was_reached(waited, target, recorded):
    due = due_stages(waited, target, recorded)
    reached = set(stages_reached(waited, target))
    assert set(due) == reached - recorded
    assert (Stage.WARNING in reached) == (waited * 5 >= target * 60 * 4)
    assert (Stage.OVERDUE in reached) == (waited > target * 60)

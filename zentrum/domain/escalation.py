"""When an offer that waits for an answer is escalated: a warning, then a flag.

An offer is judged by the working time it has waited against the receiving
partner's target (in working minutes). At 80 % of the target the partner is
warned; once the target is passed the offer is overdue. Each stage happens
once per offer; an offer that jumps straight past the target gets both.
"""

from collections.abc import Collection
from enum import StrEnum

# The warning comes when this share of the target is used (4/5 = 80 %).
WARNING_NUMERATOR, WARNING_DENOMINATOR = 4, 5


class Stage(StrEnum):
    """An escalation stage, stored in ``offer_escalations.stage``."""

    WARNING = "warning"
    OVERDUE = "overdue"


def warning_seconds(target_minutes: int) -> int:
    """Working seconds after which the warning is due (rounded up to whole seconds)."""
    return -(-target_minutes * 60 * WARNING_NUMERATOR // WARNING_DENOMINATOR)


def stages_reached(waited_seconds: int, target_minutes: int) -> list[Stage]:
    """The stages an offer has reached after waiting so long, warning first.

    A target of zero or less means the partner has no target: nothing is due.
    The warning is due from 80 % of the target on; the offer is overdue only
    once the target is passed, not when it is exactly used up.
    """
    if target_minutes <= 0:
        return []
    reached = []
    if waited_seconds >= warning_seconds(target_minutes):
        reached.append(Stage.WARNING)
    if waited_seconds > target_minutes * 60:
        reached.append(Stage.OVERDUE)
    return reached


def due_stages(waited_seconds: int, target_minutes: int, recorded: Collection[str]) -> list[Stage]:
    """The stages reached and not yet recorded for the offer, warning first."""
    return [s for s in stages_reached(waited_seconds, target_minutes) if s.value not in recorded]

"""Counts of what the attacker's tests tried, printed at the end of the run."""

from collections import defaultdict

COUNTS: dict[str, set | int] = defaultdict(set)
INPUTS: dict[str, int] = defaultdict(int)


def record(kind: str, combination) -> None:
    """Note one combination tried (distinct ones are counted)."""
    COUNTS[kind].add(combination)


def tried(kind: str, n: int = 1) -> None:
    """Count inputs tried (every one counts)."""
    INPUTS[kind] += n

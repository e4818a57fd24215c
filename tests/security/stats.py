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


def export() -> dict:
    """The counts as plain sets and numbers, to send from a test process to the main one."""
    return {"counts": dict(COUNTS), "inputs": dict(INPUTS)}


def merge(exported: dict | None) -> None:
    """Add the counts of another test process."""
    if not exported:
        return
    for kind, combos in exported["counts"].items():
        COUNTS[kind].update(combos)
    for kind, n in exported["inputs"].items():
        INPUTS[kind] += n


def summary_lines() -> list[str]:
    """What the attacker's tests covered: matrix size, CSRF checks, fuzz inputs."""
    matrix = COUNTS.get("matrix")
    lines = []
    if matrix:
        endpoints = {(e, m) for e, m, _r, _s in matrix}
        roles = {r for _e, _m, r, _s in matrix}
        lines.append(
            f"authorization matrix: {len(matrix)} requests checked "
            f"({len(endpoints)} endpoint×method pairs × {len(roles)} roles, own/foreign case)"
        )
    if COUNTS.get("csrf"):
        lines.append(f"CSRF: {len(COUNTS['csrf'])} POST endpoints refuse a missing token")
    for kind, n in sorted(INPUTS.items()):
        lines.append(f"fuzz {kind}: {n} inputs tried")
    return lines

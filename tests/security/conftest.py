"""Print what the attacker's tests covered: matrix size, CSRF checks, fuzz inputs."""

import pytest

from tests.security import stats
from tests.security.world import World, build_world, restore, snapshot


def pytest_terminal_summary(terminalreporter):
    matrix = stats.COUNTS.get("matrix")
    lines = []
    if matrix:
        endpoints = {(e, m) for e, m, _r, _s in matrix}
        roles = {r for _e, _m, r, _s in matrix}
        lines.append(
            f"authorization matrix: {len(matrix)} requests checked "
            f"({len(endpoints)} endpoint×method pairs × {len(roles)} roles, own/foreign case)"
        )
    if stats.COUNTS.get("csrf"):
        lines.append(f"CSRF: {len(stats.COUNTS['csrf'])} POST endpoints refuse a missing token")
    for kind, n in sorted(stats.INPUTS.items()):
        lines.append(f"fuzz {kind}: {n} inputs tried")
    if lines:
        terminalreporter.write_sep("-", "security coverage")
        for line in lines:
            terminalreporter.write_line(line)


_BUILT: dict[str, tuple[World, dict]] = {}


@pytest.fixture
def world(database_url, session, cases, users) -> World:
    """The world, built once per database and restored from a snapshot for every test."""
    if database_url not in _BUILT:
        built = build_world(session, cases, users)
        _BUILT[database_url] = (built, snapshot(session))
        return built
    built, rows = _BUILT[database_url]
    restore(session, rows)
    return built

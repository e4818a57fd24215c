"""The attacker's world: built once per database, restored for every test.

What these tests tried is counted in ``tests.security.stats`` and printed at the end of
the run by the root conftest (which also gathers the counts of every test process).
"""

import pytest

from tests.security.world import World, build_world, restore, snapshot

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

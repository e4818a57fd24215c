"""Statements built once and run with bind parameters.

Building a statement with SQLAlchemy, and then its cache key, costs more Python time than
SQLite or PostgreSQL take to run a small one: the queries every case request runs are
built once per shape (the kind of viewer, a limit) and get the case and the viewer's
partner as parameters.
"""

from collections.abc import Callable, Hashable

import sqlalchemy as sa

CASE_ID = sa.bindparam("case_id", type_=sa.Integer)
VIEWER_PARTNER = sa.bindparam("viewer_partner_id", type_=sa.Integer)

_BUILT: dict[Hashable, sa.Select] = {}


def prepared(key: Hashable, build: Callable[[], sa.Select]) -> sa.Select:
    """The statement ``build`` makes, built on first use of ``key`` and kept.

    The key names every choice ``build`` makes; two threads building at once both
    build the same statement, and either is kept.
    """
    stmt = _BUILT.get(key)
    if stmt is None:
        stmt = _BUILT[key] = build()
    return stmt


def viewer_params(case_id: int, partner_id: int | None) -> dict:
    """The parameters of a prepared statement: the case and, for a partner's user, the
    partner."""
    params = {"case_id": case_id}
    if partner_id is not None:
        params["viewer_partner_id"] = partner_id
    return params

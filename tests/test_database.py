"""SQLite's write lock: a writer asks for it again promptly and gives up after the timeout."""

import sqlite3

import pytest
import sqlalchemy as sa

from zentrum import database
from zentrum.database import LOCK_POLL_SECONDS, _configure_sqlite, write_transaction


def _engine(path, busy_timeout_ms: int) -> sa.Engine:
    engine = sa.create_engine(f"sqlite:///{path}")
    _configure_sqlite(engine, busy_timeout_ms)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (n INTEGER)")
    return engine


def _holder(path) -> sqlite3.Connection:
    """Another worker's connection, holding the write lock."""
    holder = sqlite3.connect(path, isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO t VALUES (1)")
    return holder


@pytest.fixture
def locked(tmp_path):
    """``locked(busy_timeout_ms)``: an engine of ours and another worker's connection that
    holds the write lock, on one new database; both closed afterwards."""
    made = []

    def make(busy_timeout_ms: int):
        path = tmp_path / "lock.db"
        made.append((_engine(path, busy_timeout_ms), _holder(path)))
        return made[-1]

    yield make
    for engine, holder in made:
        engine.dispose()
        holder.close()


def test_a_writer_asks_again_for_the_lock_until_the_other_lets_go(locked, monkeypatch):
    engine, holder = locked(busy_timeout_ms=2000)
    naps: list[float] = []

    def nap(seconds):
        naps.append(seconds)
        if len(naps) == 3:
            holder.commit()  # the other worker's request ends

    monkeypatch.setattr(database.time, "sleep", nap)
    with write_transaction(), engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO t VALUES (2)")
        # Every other statement keeps the busy timeout.
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 2000
    # SQLite's own handler would have slept inside the first try, holding up this thread
    # (and the holder in it) for the whole timeout; the writer asked again every 0.2 ms.
    assert naps == [LOCK_POLL_SECONDS] * 3
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT n FROM t ORDER BY n").scalars().all()
    assert rows == [1, 2]


def test_a_writer_gives_up_after_the_busy_timeout_with_the_usual_error(locked):
    engine, holder = locked(busy_timeout_ms=50)
    with pytest.raises(sa.exc.OperationalError, match="database is locked"):
        with write_transaction(), engine.begin():
            pass
    holder.rollback()
    with engine.connect() as connection:
        # The connection went back to the pool with its busy timeout restored.
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 50
        assert connection.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0


def test_readers_do_not_ask_for_the_write_lock(locked):
    engine, _holder = locked(busy_timeout_ms=50)
    with engine.connect() as connection:  # outside a request and write_transaction: BEGIN
        assert connection.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0

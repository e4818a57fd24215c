"""Binding the database: engine settings per dialect and SQLite's pragmas."""

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from zentrum.extensions import db

_WRITE_LOCK: ContextVar[bool] = ContextVar("zentrum_write_lock", default=False)


@contextmanager
def write_transaction() -> Iterator[None]:
    """Transactions begun inside this block take SQLite's write lock at once (commands
    that read and then write, such as rebuilding report weeks)."""
    token = _WRITE_LOCK.set(True)
    try:
        yield
    finally:
        _WRITE_LOCK.reset(token)


_READ_ONLY = "_zentrum_read_only"


def read_only(view):
    """Mark a GET view that never writes, not even an audit entry: on SQLite it reads
    without taking the write lock (long reports then do not hold up the writers)."""
    setattr(view, _READ_ONLY, True)
    return view


def _wants_write_lock() -> bool:
    """A request takes SQLite's write lock when its transaction begins, unless read-only.

    A deferred transaction that reads first and writes later fails at once with
    "database is locked" when another writer got in between; taking the lock up
    front makes it wait for the busy timeout instead. Since the audit log makes
    GET requests write too (a case view, a search, a refused access, an export),
    every request takes the lock except GET views marked ``read_only``.
    """
    if _WRITE_LOCK.get():
        return True
    if not has_request_context():
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return not (request.method in {"GET", "HEAD"} and getattr(view, _READ_ONLY, False))


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, foreign keys, a busy timeout, and transactions that SQLAlchemy controls."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy emit BEGIN itself (pysqlite's own handling is off).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        if _wants_write_lock():
            _begin_immediate(connection, busy_timeout_ms)
        else:
            connection.exec_driver_sql("BEGIN")


# How often a writer asks again for SQLite's write lock while another worker holds it.
LOCK_POLL_SECONDS = 0.0002


def _begin_immediate(connection, busy_timeout_ms: int) -> None:
    """BEGIN IMMEDIATE, asking again for the write lock every 0.2 ms until the busy
    timeout has passed.

    SQLite's own busy handler sleeps 1, 2, 5, 10, 15, 20, 25 ms and longer between its
    tries, so a waiting worker mostly misses the moment the lock comes free: the other
    worker's next request takes it again, and two workers wrote no faster than one. For
    this one statement the handler is off and the connection asks again promptly; every
    other statement keeps the busy timeout.
    """
    raw = connection.connection.dbapi_connection
    deadline = time.monotonic() + busy_timeout_ms / 1000
    raw.execute("PRAGMA busy_timeout=0")
    try:
        while time.monotonic() < deadline:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                    break
            time.sleep(LOCK_POLL_SECONDS)
        # The last try goes through SQLAlchemy, which raises its usual error.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        raw.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")


def register_database(app: Flask) -> None:
    """Bind Flask-SQLAlchemy and tune the engine for its dialect."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; plain postgresql:// would look for psycopg2.
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            "postgresql+psycopg://" + uri[len("postgresql://") :]
        )
    if uri.startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
        for key in ("pool_size", "max_overflow", "pool_timeout"):
            options.pop(key, None)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])

"""Test fixtures: one migrated database per run, emptied before every test.

SQLite (a file, so that threads can share it) by default; PostgreSQL when
ZENTRUM_TEST_DATABASE_URL is set. The tests run in one process per core
(pytest-xdist); each process has a database of its own (on PostgreSQL the URL's
database with the process's name appended, created when missing).
"""

import os

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from tests.factories import AuthActions, CaseFactory, UserFactory
from tests.security import stats as security_stats
from zentrum import create_app
from zentrum.extensions import db
from zentrum.models.base import Base
from zentrum.seed import seed_reference_data

POSTGRES_URL = os.environ.get("ZENTRUM_TEST_DATABASE_URL")


class _GatherWorkerCounts:
    """In the main process of a parallel run: add up what each test process counted."""

    def pytest_testnodedown(self, node, error):
        security_stats.merge(getattr(node, "workeroutput", {}).get("security_stats"))


def pytest_configure(config):
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_GatherWorkerCounts())


def pytest_sessionfinish(session):
    output = getattr(session.config, "workeroutput", None)
    if output is not None:  # a test process of a parallel run: hand the counts over
        output["security_stats"] = security_stats.export()


def pytest_terminal_summary(terminalreporter):
    lines = security_stats.summary_lines()
    if lines:
        terminalreporter.write_sep("-", "security coverage")
        for line in lines:
            terminalreporter.write_line(line)


def make_app(database_url: str, **overrides):
    """A test app on the given database."""
    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, **overrides})


def maintenance_engine(url: str) -> sa.Engine:
    """An engine on the server's maintenance database, to create and drop test databases
    (the database in ``url`` may not exist yet). Dispose of it after use."""
    given = sa.engine.make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    return sa.create_engine(given.set(database="postgres"), isolation_level="AUTOCOMMIT")


def _worker_postgres_url(url: str) -> str:
    """The database of this test process: ``zentrum_test_gw0`` for xdist's first worker."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    base = sa.engine.make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    if not worker:
        return base.render_as_string(hide_password=False)
    own = base.set(database=f"{base.database}_{worker}")
    server = maintenance_engine(url)
    with server.connect() as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database}
        ).first()
        if not exists:
            conn.exec_driver_sql(f'CREATE DATABASE "{own.database}"')
    server.dispose()
    return own.render_as_string(hide_password=False)


def _reset_postgres(url: str) -> None:
    """Drop everything in the public schema, so the migrations start from nothing."""
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """The URL of the test database, migrated to the newest revision."""
    if POSTGRES_URL:
        url = _worker_postgres_url(POSTGRES_URL)
        _reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'zentrum-test.db'}"
    app = make_app(url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


def _empty_database() -> None:
    """Delete every row and start the ids at 1 again; the schema stays."""
    tables = list(reversed(Base.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        # The audit log's triggers refuse deleting; replica mode skips them (and the
        # foreign-key triggers) for this cleanup. DELETE, not TRUNCATE: a test leaves a
        # few rows, and TRUNCATE gives each of the tables new files (65 ms a test).
        db.session.execute(sa.text("SET LOCAL session_replication_role = replica"))
        db.session.execute(sa.text("; ".join(f"DELETE FROM {t.name}" for t in tables)))
        db.session.execute(
            sa.text(
                "SELECT setval(format('%I', sequencename)::regclass, 1, false)"
                " FROM pg_sequences WHERE schemaname = 'public'"
            )
        )
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app(database_url):
    """An app on an empty database holding only partners and topics."""
    app = make_app(database_url)
    with app.app_context():
        _empty_database()
        seed_reference_data(db.session)
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app_factory(database_url):
    """Build further apps on the test database (other settings); their pools are closed after."""
    made = []

    def build(**overrides):
        made.append(make_app(database_url, **overrides))
        return made[-1]

    yield build
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def session(app):
    """The app's database session inside an app context."""
    with app.app_context():
        yield db.session
        db.session.rollback()


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture(autouse=True)
def _user_loaded_per_request():
    """Every request looks its user up afresh, as in production.

    Requests made while a test holds an app context (the ``session`` fixture) share
    that context's ``g``; Flask-Login would then keep the user of the previous
    request, of another client too, and miss a session that was ended meanwhile.
    """
    from flask import g, request_started

    def forget(_sender, **_extra):
        g.pop("_login_user", None)

    request_started.connect(forget)
    yield
    request_started.disconnect(forget)


@pytest.fixture
def users(session) -> UserFactory:
    """Create users: ``users("frontdesk")``, ``users("advisor", partner="jugendamt")``."""
    return UserFactory(session)


@pytest.fixture
def cases(session, users) -> CaseFactory:
    """Record enquiries through the intake service."""
    return CaseFactory(session, users)


@pytest.fixture
def auth(client) -> AuthActions:
    """Log in and out through the login form."""
    return AuthActions(client)


@pytest.fixture
def record_statements(app):
    """Record the SQL statements, with their parameters, run inside a
    ``with record_statements() as statements:`` block (transaction control left out)."""
    from contextlib import contextmanager

    @contextmanager
    def recording():
        statements: list[tuple[str, object]] = []

        def before(_conn, _cursor, statement, parameters, *_args):
            if (
                not statement.lstrip()
                .upper()
                .startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"))
            ):
                statements.append((statement, parameters))

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            sa.event.remove(engine, "before_cursor_execute", before)

    return recording


@pytest.fixture
def count_queries(record_statements):
    """Count the SQL statements run inside a ``with count_queries() as counter:`` block."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        texts: list[str] = []
        with record_statements() as statements:
            yield texts
            texts.extend(statement for statement, _parameters in statements)

    return counting

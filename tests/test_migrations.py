"""The migrations build exactly the schema the models describe, both ways."""

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tests.conftest import POSTGRES_URL, make_app
from zentrum.extensions import db
from zentrum.models.base import Base


@pytest.fixture
def fresh_database_url(tmp_path):
    """An empty database of the kind under test, removed afterwards."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    name = f"zentrum_migrations_{uuid.uuid4().hex[:8]}"
    server = sa.create_engine(
        POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1),
        isolation_level="AUTOCOMMIT",
    )
    with server.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield server.url.set(database=name).render_as_string(hide_password=False)
    with server.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
    server.dispose()


def _tables() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_autogenerate_finds_no_difference_after_upgrade(fresh_database_url):
    app = make_app(fresh_database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
        db.engine.dispose()
    assert diff == []


def test_upgrade_downgrade_to_base_and_upgrade_again(fresh_database_url):
    app = make_app(fresh_database_url)
    expected = set(Base.metadata.tables)
    with app.app_context():
        upgrade()
        assert _tables() == expected
        downgrade(revision="base")
        assert _tables() == set()
        upgrade()
        assert _tables() == expected
        db.engine.dispose()

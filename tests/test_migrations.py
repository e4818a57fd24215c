"""The migrations build exactly the schema the models describe, both ways."""

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tests.conftest import POSTGRES_URL, maintenance_engine, make_app
from zentrum.extensions import db
from zentrum.models.base import Base


@pytest.fixture
def fresh_database_url(tmp_path):
    """An empty database of the kind under test, removed afterwards."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    name = f"zentrum_migrations_{uuid.uuid4().hex[:8]}"
    # The given database may not exist: the test processes of a parallel run each use
    # their own, named after it.
    server = maintenance_engine(POSTGRES_URL)
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


def test_a_database_with_data_upgrades_and_keeps_its_rows(fresh_database_url):
    """A demo or production database of an earlier revision upgrades in place (on SQLite
    batch mode rebuilds tables other rows point to), and every row is still there."""
    app = make_app(fresh_database_url)
    with app.app_context():
        upgrade(revision="7f2cb372a7ca")  # the schema of the first release with cases
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO partners (id, code, name, active, child_protection, target_minutes, created_at) VALUES (1, 'ihk', 'IHK', true, false, 600, CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO users (id, username, display_name, password_hash, role, partner_id, active, created_at, session_generation) VALUES (1, 'desk', 'Desk', 'x', 'frontdesk', NULL, true, CURRENT_TIMESTAMP, 1)"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO cases (id, reference, status, urgency, channel, description, created_at, created_by_id, version) VALUES (1, 'ZZ-2026-00001', 'at_front_desk', 'normal', 'walk_in', '', CURRENT_TIMESTAMP, 1, 1)"
                )
            )
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM users")).scalar() == 1
            assert conn.execute(sa.text("SELECT created_by_id FROM cases")).scalar() == 1
            if conn.dialect.name == "sqlite":
                # Foreign keys are enforced again on the connections the app gets.
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()


def test_the_report_sums_keep_their_histograms_packed_and_unpacked(fresh_database_url):
    """Summed weeks and days keep every bucket's count when their histograms are packed
    into one row (and unpacked again going back); hours summed by bucket are dropped."""
    app = make_app(fresh_database_url)
    by_bucket = [
        ("2026-11-16", "work", 3, "7", 2),
        ("2026-11-16", "work", 3, "61", 1),
        ("2026-11-16", "wall", 3, "400", 5),
        ("2026-11-16", "intake_work", 0, "12", 4),
        ("2026-11-16", "offer", 3, "accepted", 3),
        ("2026-11-16", "week_spread", 3, "median", 420),
    ]
    with app.app_context():
        upgrade(revision="f2a8c5d1e903")
        with db.engine.begin() as conn:
            for table, column in (("report_cube", "week"), ("report_day_cube", "day")):
                for first, kind, partner_id, key, n in by_bucket:
                    if table == "report_day_cube" and kind == "week_spread":
                        continue
                    conn.execute(
                        sa.text(
                            f"INSERT INTO {table} ({column}, kind, partner_id, key, n) "
                            "VALUES (:first, :kind, :partner_id, :key, :n)"
                        ),
                        {
                            "first": first,
                            "kind": kind,
                            "partner_id": partner_id,
                            "key": key,
                            "n": n,
                        },
                    )
            conn.execute(
                sa.text(
                    "INSERT INTO report_hour_cube (hour, kind, partner_id, key, n) "
                    "VALUES ('2026-11-27 09:00:00', 'work', 3, '7', 1)"
                )
            )

        def rows(table: str, with_counts: bool) -> set:
            counts = ", counts" if with_counts else ""
            with db.engine.connect() as conn:
                stmt = f"SELECT kind, partner_id, key, n{counts} FROM {table}"
                return {tuple(row) for row in conn.execute(sa.text(stmt))}

        unpacked = {table: rows(table, False) for table in ("report_cube", "report_day_cube")}
        upgrade()
        assert rows("report_cube", True) == {
            ("work", 3, "", 3, "7 2 61 1"),
            ("wall", 3, "", 5, "400 5"),
            ("intake_work", 0, "", 4, "12 4"),
            ("offer", 3, "accepted", 3, None),
            ("week_spread", 3, "median", 420, None),
        }
        assert len(rows("report_day_cube", True)) == 4
        assert rows("report_hour_cube", True) == set()
        downgrade(revision="f2a8c5d1e903")
        for table, before in unpacked.items():
            assert rows(table, False) == before
        db.engine.dispose()

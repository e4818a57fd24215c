"""``zentrum backup`` while writers are busy: the copy is one moment, restored complete.

Writer threads record enquiries through the services (each in its own app context and
POST request context, as in the app) while the backup runs; the backup is restored into
a fresh database (a new SQLite file, a fresh PostgreSQL database of our own).
"""

import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tests.conftest import maintenance_engine
from zentrum.backup import BackupError, backup, restore
from zentrum.cli import backup_command
from zentrum.extensions import db
from zentrum.models import Case, CaseEvent, CaseMember, Consent, Person, User
from zentrum.services.intake import record_intake

WRITERS = 3
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def fresh_url(database_url, tmp_path):
    """A new, empty database to restore into, dropped again afterwards."""
    url = sa.engine.make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"{url.database}_restore"
    server = maintenance_engine(database_url)
    with server.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    with server.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    server.dispose()


def _write_until(app, stop, desk_id, intakes, committed, failures):
    """Record enquiries one transaction each until told to stop; note each committed id."""
    with app.app_context():
        try:
            for data in intakes:
                if stop.is_set():
                    return
                with app.test_request_context(method="POST"):
                    case = record_intake(db.session, db.session.get(User, desk_id), NOW, data)
                    db.session.commit()
                    committed.append(case.id)
                    db.session.remove()
        except BaseException as error:  # pragma: no cover - reported by the test
            failures.append(error)
        finally:
            db.session.remove()


def _snapshot(url):
    """Cases and, per case, what the intake wrote, in the restored database."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            ids = set(connection.scalars(sa.select(Case.id)))
            intake_events = dict(
                connection.execute(
                    sa.select(CaseEvent.case_id, sa.func.count())
                    .where(CaseEvent.kind == "intake")
                    .group_by(CaseEvent.case_id)
                ).all()
            )
            members = dict(
                connection.execute(
                    sa.select(CaseMember.case_id, sa.func.count()).group_by(CaseMember.case_id)
                ).all()
            )
            consents = dict(
                connection.execute(
                    sa.select(Consent.case_id, sa.func.count()).group_by(Consent.case_id)
                ).all()
            )
            orphans = connection.scalar(
                sa.select(sa.func.count())
                .select_from(Person)
                .where(~Person.id.in_(sa.select(CaseMember.person_id)))
            )
    finally:
        engine.dispose()
    return ids, intake_events, members, consents, orphans


def test_backup_while_writing_restores_every_committed_case_whole(
    app, session, users, cases, tmp_path, fresh_url
):
    desk_id = users("frontdesk").id
    before = [cases(f"Vorher{i}", "Sicherung", consents=["ihk"]).id for i in range(5)]
    intakes = [
        [
            cases.data(
                f"Schreiber{w}x{i}",
                "Sicherung",
                consents=["ihk", "uni"],
                members=[("Eva", "Sicherung", "parent")],
            )
            for i in range(400)
        ]
        for w in range(WRITERS)
    ]
    session.remove()
    stop, committed, failures = threading.Event(), [], []
    threads = [
        threading.Thread(
            target=_write_until, args=(app, stop, desk_id, intakes[w], committed, failures)
        )
        for w in range(WRITERS)
    ]
    for thread in threads:
        thread.start()
    while len(committed) < 20 and not failures and any(t.is_alive() for t in threads):
        threading.Event().wait(0.01)  # let the writers get going; not a timing assertion
    committed_before_backup = set(committed) | set(before)
    target = tmp_path / "zentrum.backup"
    backup(app.config["SQLALCHEMY_DATABASE_URI"], target)
    stop.set()
    for thread in threads:
        thread.join()
    assert not failures
    restore(target, fresh_url)

    ids, intake_events, members, consents, orphans = _snapshot(fresh_url)
    assert committed_before_backup <= ids  # every case committed before the backup is there
    assert ids <= set(committed) | set(before)  # and nothing that was never committed
    for case_id in ids:  # each case whole or not at all: its intake wrote all of these
        assert intake_events.get(case_id) == 1, case_id
        assert members.get(case_id) == (1 if case_id in before else 2), case_id
        assert consents.get(case_id) == (1 if case_id in before else 2), case_id
    assert orphans == 0


def test_backup_never_overwrites_and_restore_needs_an_empty_database(app, tmp_path, fresh_url):
    target = tmp_path / "zentrum.backup"
    target.write_text("alt")
    with pytest.raises(BackupError):
        backup(app.config["SQLALCHEMY_DATABASE_URI"], target)
    assert target.read_text() == "alt"
    target.unlink()
    backup(app.config["SQLALCHEMY_DATABASE_URI"], target)
    restore(target, fresh_url)
    with pytest.raises(BackupError):
        restore(target, fresh_url)


def test_backup_command_reports_the_file(app, tmp_path):
    target = tmp_path / "cli.backup"
    result = CliRunner().invoke(backup_command, [str(target)], obj=_script_info(app))
    assert result.exit_code == 0, result.output
    assert "Gesichert" in result.output and target.stat().st_size > 0


def _script_info(app):
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)

"""The audit log's hash chain: appends link up, and verify finds any tampering."""

import threading

import pytest
import sqlalchemy as sa

from zentrum.domain.vocab import AuditAction
from zentrum.extensions import db
from zentrum.models import AuditEntry
from zentrum.models.audit import GENESIS_HASH
from zentrum.services.audit import AuditError, entry_hash, record, record_search, verify


def _tamper(session, statement: str, **params) -> None:
    """Change the log behind the application's back (PostgreSQL: past its trigger)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SET LOCAL session_replication_role = replica"))
    session.execute(sa.text(statement), params)
    session.commit()


def _write_chain(session, users, n: int = 5) -> list[int]:
    """N committed entries by one user; their ids."""
    user = users("frontdesk")
    ids = [
        record(session, AuditAction.CASE_VIEW, user=user, case_id=i, address="10.0.0.1").id
        for i in range(1, n + 1)
    ]
    session.commit()
    return ids


def test_entries_are_chained_by_hash(session, users):
    user = users("advisor", partner="jugendamt")
    first = record(session, AuditAction.LOGIN, user=user, address="192.0.2.7")
    second = record(
        session, AuditAction.CASE_VIEW, user=user, case_id=42, details={"reference": "ZZ"}
    )
    session.commit()
    assert (first.id, second.id) == (1, 2)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert second.hash == entry_hash(first.hash, second)
    assert (second.user_id, second.username) == (user.id, user.username)
    assert verify(session) == []


def test_a_failed_login_keeps_the_name_as_typed_without_a_user(session):
    entry = record(session, AuditAction.LOGIN_FAILED, username="Nicht-Da", address="192.0.2.8")
    session.commit()
    assert (entry.user_id, entry.username, entry.address) == (None, "Nicht-Da", "192.0.2.8")
    assert verify(session) == []


def test_the_entry_is_part_of_the_callers_transaction(session, users):
    user = users("frontdesk")
    record(session, AuditAction.LOGIN, user=user)
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0
    assert record(session, AuditAction.LOGIN, user=user).id == 1
    session.commit()
    assert verify(session) == []


@pytest.mark.parametrize("details", [{"password": "x"}, {"changes": [{"Text": "Notiz"}]}])
def test_details_refuse_secrets_and_note_text(session, details):
    with pytest.raises(AuditError):
        record(session, AuditAction.CHANGE, details=details)
    session.rollback()


def test_verify_finds_an_entry_altered_in_the_database(app, session, users):
    _write_chain(session, users)
    _tamper(session, "UPDATE audit_entries SET case_id = 99 WHERE id = 3")
    problems = verify(session)
    assert [p.entry_id for p in problems] == [3]
    assert "verändert" in problems[0].message


def test_verify_finds_a_rehashed_entry_by_its_successor(session, users):
    _write_chain(session, users)
    entry = session.get(AuditEntry, 3)
    entry.case_id = 99
    forged = entry_hash(entry.prev_hash, entry)
    session.rollback()
    _tamper(session, "UPDATE audit_entries SET case_id = 99, hash = :h WHERE id = 3", h=forged)
    assert [p.entry_id for p in verify(session)] == [4]


def test_verify_finds_an_entry_deleted_in_the_middle(session, users):
    _write_chain(session, users)
    _tamper(session, "DELETE FROM audit_entries WHERE id = 3")
    messages = [str(p) for p in verify(session)]
    assert any("Eintrag 3 fehlt" in m for m in messages)


def test_verify_finds_entries_deleted_at_the_end(session, users):
    _write_chain(session, users)
    _tamper(session, "DELETE FROM audit_entries WHERE id >= 4")
    messages = [str(p) for p in verify(session)]
    assert len(messages) == 1 and "endet bei Eintrag 3" in messages[0]


def test_verify_finds_an_inserted_entry(session, users):
    _write_chain(session, users)
    # Make room at 3 (in two steps, so that no id collides on the way).
    _tamper(session, "UPDATE audit_entries SET id = id + 1000 WHERE id >= 3")
    _tamper(session, "UPDATE audit_entries SET id = id - 999 WHERE id >= 1000")
    _tamper(
        session,
        "INSERT INTO audit_entries (id, at, action, prev_hash, hash) "
        "SELECT 3, at, 'login', prev_hash, hash FROM audit_entries WHERE id = 2",
    )
    problems = verify(session)
    assert 3 in [p.entry_id for p in problems]


def test_the_cli_reports_ok_or_the_problems(app, session, users):
    _write_chain(session, users, 3)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "OK: 3 Einträge" in result.output
    assert f"Letzte Prüfsumme: {session.get(AuditEntry, 3).hash}" in result.output
    _tamper(session, "UPDATE audit_entries SET address = '203.0.113.9' WHERE id = 2")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "Eintrag 2" in result.output


def test_the_chain_stays_whole_under_concurrent_writers(app, session, users):
    """Six threads, each on its own connection, append at once."""
    user_id = users("frontdesk").id
    session.rollback()
    threads_count, per_thread = 6, 8
    barrier = threading.Barrier(threads_count, timeout=30)
    errors: list[BaseException] = []

    def work():
        try:
            with app.app_context():
                barrier.wait()
                for n in range(per_thread):
                    record(db.session, AuditAction.CHANGE, username=str(user_id), case_id=n)
                    db.session.commit()
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    session.rollback()
    ids = session.scalars(sa.select(AuditEntry.id).order_by(AuditEntry.id)).all()
    assert ids == list(range(1, threads_count * per_thread + 1))
    assert verify(session) == []


def test_postgres_refuses_update_and_delete_of_entries_and_search_hits(session, users):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL")
    _write_chain(session, users, 2)
    record_search(session, [1, 2])
    session.commit()
    for statement in (
        "UPDATE audit_entries SET case_id = 7 WHERE id = 1",
        "DELETE FROM audit_entries WHERE id = 2",
        "TRUNCATE audit_entries CASCADE",
        "DELETE FROM audit_case_refs",
    ):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            session.execute(sa.text(statement))
        session.rollback()
    assert verify(session) == []

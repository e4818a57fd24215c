"""Admin actions on accounts as services: the last admin stays, passwords are generated well."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from zentrum.domain.passwords import password_problems
from zentrum.domain.vocab import AuditAction, Role
from zentrum.models import AuditEntry
from zentrum.services.accounts import (
    AccountRefused,
    NewAccount,
    change_role,
    create_account,
    deactivate,
    generate_password,
)
from zentrum.services.users import UserError

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def test_generated_passwords_meet_the_rules_and_differ():
    made = {generate_password() for _ in range(50)}
    assert len(made) == 50
    assert all(not password_problems(p) and len(p) == 19 for p in made)


@pytest.fixture
def last_admin(session, users):
    """Two admins, only one of them active: the acting one was deactivated meanwhile."""
    actor, last = users("admin"), users("admin")
    actor.active = False
    session.commit()
    return actor, last


def test_the_last_active_admin_cannot_be_deactivated(session, last_admin):
    actor, last = last_admin
    with pytest.raises(AccountRefused, match="letzte aktive Administration"):
        deactivate(session, actor, last)
    session.rollback()
    assert last.active


def test_the_last_active_admin_keeps_the_role(session, last_admin):
    actor, last = last_admin
    with pytest.raises(AccountRefused, match="letzte aktive Administration"):
        change_role(session, actor, last, Role.SUPERVISOR, None)
    session.rollback()
    assert last.role == "admin"
    # Staying admin is no removal.
    assert change_role(session, actor, last, Role.ADMIN, None) is False


def test_a_failed_create_writes_no_audit_entry(session, users):
    actor = users("admin")
    data = NewAccount("neu", "Neu", None, Role.ADVISOR, None)
    with pytest.raises(UserError):
        create_account(session, actor, data, "gutes-Passwort-1", NOW)
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


def test_create_records_the_actor_and_the_new_account(session, users):
    actor = users("admin")
    data = NewAccount("neu", "Neu", "neu@example.org", Role.SUPERVISOR, None)
    user = create_account(session, actor, data, "gutes-Passwort-1", NOW)
    session.commit()
    entry = session.scalar(sa.select(AuditEntry))
    assert entry.action == AuditAction.USER_CREATED and entry.user_id == actor.id
    assert entry.details == {"account": "neu", "role": "supervisor", "partner_id": None}
    assert user.must_change_password and user.created_at == NOW

"""Mein Konto: the own account page and a new password."""

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, AuthActions
from zentrum.domain.vocab import AuditAction
from zentrum.models import AuditEntry

NEW = "neues-Passwort-42"


def _change(client, current=PASSWORD, new=NEW, repeat=None):
    return client.post(
        "/konto/passwort", data={"current": current, "new": new, "repeat": repeat or new}
    )


@pytest.fixture
def desk(users, auth):
    user = users("frontdesk", username="sabine")
    auth.login(user)
    return user


def test_account_page_shows_who_i_am(client, desk):
    page = client.get("/konto/").get_data(as_text=True)
    assert "<h1>Mein Konto</h1>" in page and "sabine" in page and "Empfang" in page
    assert 'href="/konto/"' in client.get("/").get_data(as_text=True)


def test_new_password_ends_other_sessions_but_not_this_one(app, client, desk, session):
    other = app.test_client()
    AuthActions(other).login(desk)
    response = _change(client)
    assert response.status_code == 302
    assert client.get("/konto/").status_code == 200
    assert other.get("/").status_code == 302
    assert AuthActions(other).login(desk).status_code == 401
    assert AuthActions(other).login(desk, NEW).status_code == 302
    session.rollback()
    entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == AuditAction.CHANGE))
    assert entry.user_id == desk.id and entry.details == {"changed": "own_password"}


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"current": "falsch-falsch-1"}, "Das bisherige Passwort ist falsch."),
        ({"repeat": "anders-Passwort-1"}, "stimmen nicht überein"),
        ({"new": PASSWORD}, "muss sich vom bisherigen unterscheiden"),
        ({"new": "kurz"}, "mindestens 10 Zeichen"),
        ({"new": "sabine"}, "mindestens 10 Zeichen"),
        ({"current": ""}, "Bitte das bisherige Passwort eingeben."),
    ],
)
def test_refused_passwords_keep_the_old_one(client, desk, auth, fields, message):
    response = _change(client, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    auth.logout()
    assert auth.login(desk).status_code == 302


def test_forced_change_allows_logout_but_nothing_else(client, desk, session):
    desk.must_change_password = True
    session.commit()
    assert client.get("/").location == "/konto/passwort"
    assert client.get("/konto/").location == "/konto/passwort"
    assert "von der Administration vergeben" in client.get("/konto/passwort").get_data(True)
    assert client.post("/logout").status_code == 302

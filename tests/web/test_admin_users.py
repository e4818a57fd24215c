"""User management by admins: list, create, deactivate, reset, new role; each in the audit log."""

import re

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, AuthActions
from zentrum.domain.vocab import AuditAction
from zentrum.models import AuditEntry, Partner, User
from zentrum.services.audit import verify


@pytest.fixture
def admin(users, auth):
    user = users("admin", username="chefadmin")
    auth.login(user)
    return user


def _partner_id(session, code: str) -> int:
    return session.scalar(sa.select(Partner.id).where(Partner.code == code))


def _entries(session, action) -> list[AuditEntry]:
    session.rollback()
    stmt = sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return list(session.scalars(stmt))


def _user(session, username: str) -> User:
    session.rollback()
    return session.scalar(sa.select(User).where(User.username == username))


def _new(client, **fields):
    data = {
        "username": "a.schmidt",
        "display_name": "Anna Schmidt",
        "email": "",
        "role": "frontdesk",
        "partner": "",
        "password_mode": "generate",
        "password": "",
        **fields,
    }
    return client.post("/admin/benutzer/neu", data=data)


@pytest.mark.parametrize("role", ["frontdesk", "advisor", "supervisor"])
def test_only_admins_reach_the_user_management(client, users, auth, role):
    user = users(role, partner="ihk" if role == "advisor" else None)
    auth.login(user)
    for url in ("/admin/benutzer", "/admin/benutzer/neu", f"/admin/benutzer/{user.id}"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/admin/benutzer/{user.id}/deaktivieren").status_code == 403
    assert "/admin/benutzer" not in client.get("/").get_data(as_text=True)


def test_list_shows_every_account_with_role_partner_state_and_factor(
    client, users, admin, count_queries
):
    users("advisor", partner="jobcenter", username="berater.jc")
    users("supervisor", totp=False, username="leitung.ohne")
    with count_queries() as statements:
        page = client.get("/admin/benutzer").get_data(as_text=True)
    assert len(statements) <= 3  # the session's user, the accounts with partners
    row = re.search(r'<tr id="benutzer-\d+">((?:(?!</tr>).)*berater\.jc.*?)</tr>', page, re.S)[1]
    assert "Berater:in" in row and "Jobcenter Wuppertal" in row and "aktiv" in row
    assert "noch nie" in row and "nicht eingerichtet" in row
    assert "fehlt (Pflicht)" in page
    assert "eingerichtet" in page and "chefadmin" in page


def test_create_with_a_generated_password_shows_it_once(client, app, admin, session):
    response = _new(client, role="advisor", partner=_partner_id(session, "ihk"))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    password = re.search(r'id="one-time-password">([^<]+)<', response.get_data(as_text=True))[1]
    user = _user(session, "a.schmidt")
    assert user.role == "advisor" and user.partner.code == "ihk" and user.must_change_password
    assert password not in client.get(f"/admin/benutzer/{user.id}").get_data(as_text=True)
    (entry,) = _entries(session, AuditAction.USER_CREATED)
    assert entry.user_id == admin.id and entry.details["account"] == "a.schmidt"
    assert password not in str(entry.details)
    # The new user logs in with it and must choose a password before anything else.
    other = app.test_client()
    first = AuthActions(other).login("a.schmidt", password)
    assert first.location == "/konto/passwort"
    assert other.get("/eingang").location == "/konto/passwort"
    changed = other.post(
        "/konto/passwort",
        data={"current": password, "new": "eigenes-Passwort-7", "repeat": "eigenes-Passwort-7"},
    )
    assert changed.status_code == 302
    assert other.get("/eingang").status_code == 200
    assert not _user(session, "a.schmidt").must_change_password


def test_create_with_a_typed_password_checks_the_rules(client, admin, session):
    weak = _new(client, password_mode="typed", password="kurz")
    assert weak.status_code == 422
    assert "mindestens 10 Zeichen" in weak.get_data(as_text=True)
    same = _new(client, password_mode="typed", password="a.schmidt")
    assert "nicht der Benutzername" in same.get_data(as_text=True)
    assert _user(session, "a.schmidt") is None
    good = _new(client, password_mode="typed", password="Start-Passwort-9", email="A@Beispiel.de")
    assert good.status_code == 302
    user = _user(session, "a.schmidt")
    assert user.must_change_password and user.email == "A@beispiel.de"


@pytest.mark.parametrize(
    "fields,field_message",
    [
        ({"role": "advisor"}, "genau einer Partnerorganisation"),
        ({"role": "kaiser"}, "Diese Auswahl gibt es nicht"),
        ({"partner": "99999"}, "Diese Auswahl gibt es nicht"),
        ({"username": "Leer Zeichen"}, "2 bis 80 Zeichen"),
        ({"username": ""}, "Bitte einen Benutzernamen angeben."),
        ({"display_name": ""}, "Bitte den Namen angeben."),
        ({"email": "keine-adresse"}, "gültige E-Mail-Adresse"),
        ({"password_mode": "typed"}, "Bitte ein Passwort eingeben"),
        ({"password_mode": "raten"}, "Diese Auswahl gibt es nicht"),
    ],
)
def test_bad_input_is_refused_beside_the_field(client, admin, session, fields, field_message):
    response = _new(client, **fields)
    assert response.status_code == 422
    assert field_message in response.get_data(as_text=True)
    assert _entries(session, AuditAction.USER_CREATED) == []


def test_a_taken_username_is_refused(client, users, admin):
    users("frontdesk", username="a.schmidt")
    response = _new(client)
    assert response.status_code == 422
    assert "Den Benutzernamen a.schmidt gibt es schon." in response.get_data(as_text=True)


def test_deactivation_ends_the_sessions_and_reactivation_lets_in_again(
    app, client, users, admin, session
):
    victim = users("frontdesk")
    other = app.test_client()
    AuthActions(other).login(victim)
    assert other.get("/").status_code == 200
    response = client.post(f"/admin/benutzer/{victim.id}/deaktivieren")
    assert response.status_code == 302
    assert f"„{victim.username}“ ist deaktiviert." in client.get(response.location).get_data(True)
    assert other.get("/").status_code == 302
    assert AuthActions(other).login(victim).status_code == 401
    assert "deaktiviert" in client.get("/admin/benutzer").get_data(as_text=True)
    assert client.post(f"/admin/benutzer/{victim.id}/reaktivieren").status_code == 302
    assert AuthActions(other).login(victim).status_code == 302
    (off,) = _entries(session, AuditAction.USER_DEACTIVATED)
    (on,) = _entries(session, AuditAction.USER_REACTIVATED)
    assert off.details == on.details == {"account": victim.username}
    assert off.user_id == on.user_id == admin.id
    assert verify(session) == []


def test_an_admin_cannot_deactivate_themself(client, admin, session):
    response = client.post(f"/admin/benutzer/{admin.id}/deaktivieren")
    assert response.status_code == 409
    assert "eigenes Konto nicht deaktivieren" in response.get_data(as_text=True)
    assert _user(session, "chefadmin").active
    assert _entries(session, AuditAction.USER_DEACTIVATED) == []


def test_another_admin_may_change_an_admins_role_but_not_their_own(client, users, admin, session):
    other_admin = users("admin")
    AuthActions(client).logout()
    AuthActions(client).login(other_admin)
    changed = client.post(f"/admin/benutzer/{admin.id}/rolle", data={"role": "supervisor"})
    assert changed.status_code == 302
    assert _user(session, "chefadmin").role == "supervisor"
    # other_admin is the last admin now, and cannot change their own role either.
    own = client.post(f"/admin/benutzer/{other_admin.id}/rolle", data={"role": "frontdesk"})
    assert own.status_code == 409
    assert "Ihre eigene Rolle" in own.get_data(as_text=True)
    assert _user(session, other_admin.username).role == "admin"


def test_reset_password_shows_a_temporary_one_once_and_ends_sessions(
    app, client, users, admin, session
):
    victim = users("frontdesk")
    other = app.test_client()
    AuthActions(other).login(victim)
    response = client.post(f"/admin/benutzer/{victim.id}/passwort")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    temporary = re.search(r'id="one-time-password">([^<]+)<', response.get_data(as_text=True))[1]
    assert other.get("/").status_code == 302
    assert AuthActions(other).login(victim).status_code == 401  # the old password is gone
    assert AuthActions(other).login(victim, temporary).location == "/konto/passwort"
    (entry,) = _entries(session, AuditAction.PASSWORD_RESET)
    assert entry.details == {"account": victim.username} and temporary not in str(entry.details)


def test_own_password_is_changed_on_mein_konto_not_here(client, admin):
    response = client.post(f"/admin/benutzer/{admin.id}/passwort")
    assert response.status_code == 409
    assert "Mein Konto" in response.get_data(as_text=True)


def test_reset_second_factor_makes_the_user_enrol_again(app, client, users, admin, session):
    lead = users("supervisor")
    other = app.test_client()
    AuthActions(other).login(lead)
    assert client.post(f"/admin/benutzer/{lead.id}/zweiter-faktor").status_code == 302
    assert other.get("/").status_code == 302
    assert not _user(session, lead.username).totp_enabled
    response = other.post("/login", data={"username": lead.username, "password": PASSWORD})
    assert response.location == "/login/einrichten"
    (entry,) = _entries(session, AuditAction.TOTP_RESET)
    assert entry.user_id == admin.id and entry.details == {"account": lead.username}


def test_role_and_partner_change_ends_sessions_and_is_logged(app, client, users, admin, session):
    advisor = users("advisor", partner="ihk")
    other = app.test_client()
    AuthActions(other).login(advisor)
    hwk = _partner_id(session, "hwk")
    response = client.post(
        f"/admin/benutzer/{advisor.id}/rolle", data={"role": "advisor", "partner": hwk}
    )
    assert response.status_code == 302
    assert other.get("/").status_code == 302
    user = _user(session, advisor.username)
    assert user.partner_id == hwk
    (entry,) = _entries(session, AuditAction.ROLE_CHANGED)
    assert entry.details["from_partner_id"] == _partner_id(session, "ihk")
    assert entry.details["to_partner_id"] == hwk
    # Front desk keeps no partner; an advisor needs one.
    assert (
        client.post(
            f"/admin/benutzer/{advisor.id}/rolle", data={"role": "frontdesk", "partner": hwk}
        ).status_code
        == 302
    )
    assert _user(session, advisor.username).partner_id is None
    refused = client.post(f"/admin/benutzer/{advisor.id}/rolle", data={"role": "advisor"})
    assert refused.status_code == 422
    assert "genau einer Partnerorganisation" in refused.get_data(as_text=True)
    assert len(_entries(session, AuditAction.ROLE_CHANGED)) == 2


def test_unknown_account_is_404(client, admin):
    assert client.get("/admin/benutzer/99999").status_code == 404
    assert client.post("/admin/benutzer/99999/deaktivieren").status_code == 404

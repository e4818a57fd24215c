"""Login with a second factor: the code step, enrolment at first login, limits, Mein Konto."""

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, SECRET_ON_PAGE, TOTP_SECRET, fresh_code
from zentrum.domain.vocab import AuditAction
from zentrum.extensions import limiter
from zentrum.models import AuditEntry, User
from zentrum.web.auth import flow

TOTP = pyotp.TOTP(TOTP_SECRET)
WRONG_CODE = "Der Code ist falsch oder wurde schon verwendet."


def _password(client, user, password=PASSWORD):
    return client.post("/login", data={"username": user.username, "password": password})


def _other_code() -> str:
    """A well-formed code that is not valid now (nor next to now)."""
    valid = {TOTP.at(datetime.now(UTC) + timedelta(seconds=s)) for s in (-30, 0, 30, 60)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444") if c not in valid)


def _actions(session) -> list[str]:
    session.rollback()
    return list(session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_password_alone_does_not_log_a_supervisor_in(client, users):
    user = users("supervisor")
    response = _password(client, user)
    assert response.status_code == 302 and response.location == "/login/code"
    assert client.get("/").status_code == 302
    assert client.get("/leitung/").location.startswith("/login")
    page = client.get("/login/code").get_data(as_text=True)
    assert "Code aus der Authenticator-App" in page


def test_the_right_code_completes_the_login(app, client, users, session):
    user = users("supervisor")
    _password(client, user)
    response = client.post("/login/code", data={"code": fresh_code(app, user.username)})
    assert response.status_code == 302 and response.location == "/"
    assert client.get("/leitung/").status_code == 200
    session.refresh(user)
    assert user.last_login_at is not None
    assert _actions(session)[-1] == AuditAction.LOGIN


def test_next_survives_the_code_step(app, client, users):
    user = users("supervisor")
    client.post("/login?next=/leitung/", data={"username": user.username, "password": PASSWORD})
    response = client.post("/login/code", data={"code": fresh_code(app, user.username)})
    assert response.location == "/leitung/"


def test_a_wrong_code_is_refused_beside_the_field_and_logged(client, users, session):
    user = users("admin")
    _password(client, user)
    response = client.post("/login/code", data={"code": _other_code()})
    assert response.status_code == 401
    assert WRONG_CODE in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    entry = session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == AuditAction.LOGIN_FAILED and entry.user_id == user.id
    assert entry.details == {"step": "second_factor"}


@pytest.mark.parametrize("typed", ["١٢٣٤٥٦", "12 34 5a", "\x00\x01"])
def test_odd_codes_are_wrong_codes_not_errors(client, users, typed):
    _password(client, users("admin"))
    response = client.post("/login/code", data={"code": typed})
    assert response.status_code == 401
    assert WRONG_CODE in response.get_data(as_text=True)


def test_an_empty_code_gets_a_422(client, users):
    _password(client, users("admin"))
    response = client.post("/login/code", data={"code": ""})
    assert response.status_code == 422
    assert "Bitte den sechsstelligen Code eingeben." in response.get_data(as_text=True)


def test_a_used_code_cannot_log_in_again(app, client, users, auth):
    user = users("supervisor")
    code = fresh_code(app, user.username)
    _password(client, user)
    assert client.post("/login/code", data={"code": code}).status_code == 302
    auth.logout()
    other = app.test_client()
    _password(other, user)
    response = other.post("/login/code", data={"code": code})
    assert response.status_code == 401 and WRONG_CODE in response.get_data(as_text=True)


def test_code_step_without_a_password_step_goes_back_to_login(client, users):
    users("supervisor")
    response = client.post("/login/code", data={"code": TOTP.now()})
    assert response.status_code == 302 and response.location == "/login"
    assert client.get("/login/einrichten").location == "/login"


def test_the_pending_step_expires(app, client, users, monkeypatch):
    user = users("supervisor")
    _password(client, user)
    later = datetime.now(UTC) + timedelta(minutes=app.config["TOTP_PENDING_MINUTES"], seconds=5)
    monkeypatch.setattr(flow, "utcnow", lambda: later)
    response = client.post("/login/code", data={"code": fresh_code(app, user.username)})
    assert response.status_code == 302 and response.location == "/login"
    assert client.get("/").status_code == 302


def test_deactivation_during_the_code_step_ends_it(app, client, users, session):
    user = users("supervisor")
    _password(client, user)
    session.execute(sa.update(User).where(User.id == user.id).values(active=False))
    session.commit()
    response = client.post("/login/code", data={"code": fresh_code(app, user.username)})
    assert response.location == "/login"


def test_failed_codes_count_towards_the_username_lock(app_factory, users):
    app = app_factory(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="100 per minute")
    limiter.reset()
    client = app.test_client()
    user = users("supervisor")
    _password(client, user)
    for _ in range(5):
        assert client.post("/login/code", data={"code": _other_code()}).status_code == 401
    response = client.post("/login/code", data={"code": fresh_code(app, user.username)})
    assert response.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldungen" in response.get_data(as_text=True)
    # The pending login is gone, and the password alone is locked too.
    assert client.get("/login/code").location == "/login"
    assert _password(client, user).status_code == 429


def test_codes_share_the_per_address_limit_with_passwords(app_factory, users):
    app = app_factory(
        RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute", LOGIN_FAILURE_LIMIT="100/minute"
    )
    limiter.reset()
    client = app.test_client()
    _password(client, users("supervisor"))
    assert client.post("/login/code", data={"code": _other_code()}).status_code == 401
    assert client.post("/login/code", data={"code": _other_code()}).status_code == 401
    assert client.post("/login/code", data={"code": _other_code()}).status_code == 429


def test_frontdesk_without_a_factor_logs_in_with_the_password(client, users):
    response = _password(client, users("frontdesk"))
    assert response.status_code == 302 and response.location == "/"


def test_an_optional_factor_is_asked_for_once_set_up(client, users):
    user = users("frontdesk", totp=True)
    assert _password(client, user).location == "/login/code"


def test_a_required_role_without_a_factor_enrols_right_after_the_password(client, users, session):
    user = users("admin", totp=False)
    response = _password(client, user)
    assert response.location == "/login/einrichten"
    page = client.get("/login/einrichten").get_data(as_text=True)
    secret = SECRET_ON_PAGE.search(page).group(1).replace(" ", "")
    uri = re.search(r'<code class="secret">(otpauth://[^<]+)</code>', page).group(1)
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri
    assert re.search(r'<img src="data:image/svg\+xml[^"]+" width="200"', page)
    assert "<script" not in page
    # Reloading shows the same secret; a wrong code enables nothing.
    assert secret in client.get("/login/einrichten").get_data(as_text=True).replace(" ", "")
    wrong = client.post("/login/einrichten", data={"code": _other_code()})
    assert wrong.status_code == 401 and client.get("/").status_code == 302
    session.refresh(user)
    assert not user.totp_enabled
    done = client.post("/login/einrichten", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302 and done.location == "/"
    assert client.get("/").status_code == 200
    session.refresh(user)
    assert user.totp_enabled
    assert AuditAction.TOTP_ENABLED in _actions(session)


def test_every_new_password_step_offers_a_new_secret(client, users):
    user = users("admin", totp=False)
    _password(client, user)
    first = SECRET_ON_PAGE.search(client.get("/login/einrichten").get_data(as_text=True))[1]
    _password(client, user)
    second = SECRET_ON_PAGE.search(client.get("/login/einrichten").get_data(as_text=True))[1]
    assert first != second


def test_a_logged_in_user_whose_role_now_requires_a_factor_must_set_it_up(
    client, users, auth, session
):
    user = users("frontdesk")
    auth.login(user)
    session.execute(sa.update(User).where(User.id == user.id).values(role="supervisor"))
    session.commit()
    response = client.get("/")
    assert response.status_code == 302 and response.location == "/login"
    assert _password(client, user).location == "/login/einrichten"


@pytest.mark.parametrize("role,partner", [("frontdesk", None), ("advisor", "ihk")])
def test_others_can_enrol_and_switch_off_on_mein_konto(client, users, auth, session, role, partner):
    user = users(role, partner=partner)
    auth.login(user)
    page = client.get("/konto/").get_data(as_text=True)
    assert "Nicht eingerichtet" in page
    page = client.get("/konto/zweiter-faktor").get_data(as_text=True)
    secret = SECRET_ON_PAGE.search(page).group(1).replace(" ", "")
    assert client.post("/konto/zweiter-faktor", data={"code": _other_code()}).status_code == 422
    done = client.post("/konto/zweiter-faktor", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302
    session.refresh(user)
    assert user.totp_enabled
    refused = client.post("/konto/zweiter-faktor/aus", data={"password": "falsch-falsch-1"})
    assert refused.status_code == 422 and "Das Passwort ist falsch." in refused.get_data(True)
    off = client.post("/konto/zweiter-faktor/aus", data={"password": PASSWORD})
    assert off.status_code == 302
    session.refresh(user)
    assert not user.totp_enabled
    assert _actions(session)[-2:] == [AuditAction.TOTP_ENABLED, AuditAction.TOTP_RESET]


def test_a_required_factor_cannot_be_switched_off(client, users, auth, session):
    user = users("supervisor")
    auth.login(user)
    assert "vorgeschrieben" in client.get("/konto/").get_data(as_text=True)
    response = client.post("/konto/zweiter-faktor/aus", data={"password": PASSWORD})
    assert response.status_code == 403
    session.refresh(user)
    assert user.totp_enabled


def test_demo_supervisor_sets_up_the_factor_at_first_login(app, client, auth, session):
    app.test_cli_runner().invoke(args=["demo", "--no-serve", "--cases", "0"])
    response = client.post("/login", data={"username": "leitung", "password": "zukunft-demo"})
    assert response.location == "/login/einrichten"
    assert auth.second_step("leitung", response).location == "/"


def test_switching_off_a_factor_never_set_up_changes_and_records_nothing(
    client, users, auth, session
):
    # It recorded "second factor reset by its owner" for a factor that never was on.
    auth.login(users("frontdesk"))
    before = _actions(session)
    response = client.post("/konto/zweiter-faktor/aus", data={"password": PASSWORD})
    assert response.status_code == 302
    assert "nicht eingerichtet" in client.get("/konto/").get_data(as_text=True)
    assert _actions(session) == before

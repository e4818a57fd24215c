"""Sessions end on the server (logout, deactivation, new password, idle and absolute
limits), and new passwords follow the rules."""

from datetime import timedelta

import pytest

from tests.factories import PASSWORD, AuthActions
from zentrum.domain.vocab import Role
from zentrum.models import User
from zentrum.models.base import utcnow
from zentrum.services.users import (
    UserError,
    change_password,
    create_user,
    end_sessions,
    set_active,
)
from zentrum.web.auth import sessions

EXPIRED = "Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an."


class Browser:
    """A test client whose every request runs in its own app context, as in production.

    The ``session`` fixture keeps an app context open, and requests would share its
    ``g`` and with it Flask-Login's cached user; a fresh context per request looks
    the user up again, which is what these tests are about.
    """

    def __init__(self, app) -> None:
        self.app = app
        self.client = app.test_client()

    def get(self, url: str = "/"):
        with self.app.app_context():
            return self.client.get(url)

    def post(self, url: str, **data):
        with self.app.app_context():
            return self.client.post(url, data=data)

    def login(self, user, password: str = PASSWORD):
        """Password, then the second factor where the user has one (supervisors, admins)."""
        response = self.post("/login", username=user.username, password=password)
        with self.app.app_context():
            return AuthActions(self.client).second_step(user.username, response)

    def logout(self):
        return self.post("/logout")

    def steal_session_from(self, other: "Browser") -> None:
        """Take the session cookie of ``other``, as a thief would."""
        self.client.set_cookie("session", other.client.get_cookie("session").value)


def _reload(session, user) -> User:
    """The user, read anew after the requests so far (SQLite: no stale read snapshot)."""
    session.rollback()
    return session.get(User, user.id)


@pytest.fixture
def browser(app) -> Browser:
    """A browser on the test app."""
    return Browser(app)


@pytest.fixture
def clock(monkeypatch):
    """A movable session clock: ``clock.advance(minutes=31)``."""

    class Clock:
        now = utcnow()

        def advance(self, **delta) -> None:
            self.now += timedelta(**delta)

    moving = Clock()
    monkeypatch.setattr(sessions, "session_clock", lambda: moving.now)
    return moving


def test_a_copied_session_cookie_is_refused_after_logout(app, browser, users):
    browser.login(users("frontdesk"))
    thief = Browser(app)
    thief.steal_session_from(browser)
    assert thief.get().status_code == 200  # the copy works while the session lives
    browser.logout()
    response = thief.get()
    assert response.status_code == 302 and response.location.startswith("/login")


def test_logout_ends_the_sessions_on_other_devices(app, browser, users):
    user = users("frontdesk")
    browser.login(user)
    laptop = Browser(app)
    laptop.login(user)
    assert laptop.get().status_code == 200
    browser.logout()
    assert laptop.get().status_code == 302


def test_deactivation_ends_the_session(session, browser, users):
    user = users("frontdesk")
    browser.login(user)
    set_active(session, _reload(session, user), False)
    session.commit()
    assert browser.get().status_code == 302


def test_a_deactivated_user_is_refused_even_with_the_current_generation(session, browser, users):
    user = users("frontdesk")
    browser.login(user)
    _reload(session, user).active = False  # changed behind the services' back
    session.commit()
    assert browser.get().status_code == 302


def test_password_change_ends_the_session_and_the_new_password_works(session, browser, users):
    user = users("frontdesk")
    browser.login(user)
    change_password(session, _reload(session, user), "neues-Passwort-2")
    session.commit()
    assert browser.get().status_code == 302
    assert browser.login(user, "neues-Passwort-2").status_code == 302
    assert browser.get().status_code == 200


def test_password_change_refuses_a_weak_password_and_keeps_the_session(session, browser, users):
    user = users("frontdesk")
    browser.login(user)
    with pytest.raises(UserError, match="mindestens 10 Zeichen"):
        change_password(session, _reload(session, user), "kurz")
    session.rollback()
    assert browser.get().status_code == 200


def test_end_sessions_raises_the_generation(session, users):
    user = session.get(User, users("frontdesk").id)
    before = user.session_generation
    end_sessions(session, user)
    assert user.session_generation == before + 1


def test_a_session_in_the_old_id_format_is_refused(browser, users):
    user = users("frontdesk")
    with browser.client.session_transaction() as cookie:
        cookie["_user_id"] = str(user.id)
        cookie["login_at"] = cookie["seen_at"] = utcnow().timestamp()
    assert browser.get().status_code == 302


def test_an_idle_session_ends_with_a_message(browser, users, clock):
    browser.login(users("frontdesk"))
    clock.advance(minutes=29)
    assert browser.get().status_code == 200
    clock.advance(minutes=29)  # each request starts the idle time afresh
    assert browser.get().status_code == 200
    clock.advance(minutes=31)
    response = browser.get()
    assert response.status_code == 302 and response.location == "/login"
    assert EXPIRED in browser.get("/login").get_data(as_text=True)
    assert browser.get().status_code == 302  # logged out for good


def test_a_busy_session_ends_after_the_absolute_lifetime(browser, users, clock):
    browser.login(users("frontdesk"))
    for _ in range(20):  # 20 requests, 29 minutes apart: 9 h 40 min
        clock.advance(minutes=29)
        assert browser.get().status_code == 200
    clock.advance(minutes=21)  # 10 h 1 min after login
    response = browser.get()
    assert response.status_code == 302 and response.location == "/login"


def test_session_limits_follow_the_configuration(app_factory, users, clock):
    browser = Browser(app_factory(SESSION_IDLE_MINUTES=5))
    browser.login(users("frontdesk"))
    clock.advance(minutes=4)
    assert browser.get().status_code == 200
    clock.advance(minutes=6)
    assert browser.get().status_code == 302


def test_an_expired_session_may_log_in_again_at_once(browser, users, clock):
    user = users("frontdesk")
    browser.login(user)
    clock.advance(hours=1)
    assert browser.login(user).status_code == 302
    assert browser.get().status_code == 200


def test_logout_of_an_expired_session_answers_with_the_login_page(browser, users, clock):
    browser.login(users("frontdesk"))
    clock.advance(hours=1)
    response = browser.logout()
    assert response.status_code == 302 and response.location == "/login"


def test_cookie_lifetime_matches_the_absolute_session_limit(app):
    assert app.permanent_session_lifetime == timedelta(hours=app.config["SESSION_MAX_HOURS"])
    assert app.config["SESSION_IDLE_MINUTES"] == 30


def test_create_user_applies_the_password_rules(session):
    with pytest.raises(UserError, match="nicht der Benutzername"):
        create_user(
            session,
            username="Sabine.Meyer",
            password="sabine.meyer",
            role=Role.FRONTDESK,
            display_name="Sabine Meyer",
        )


def _every_get_page(app) -> list[str]:
    """The URL of every GET route but the public ones, ids filled with 1."""
    from flask import url_for

    from zentrum.web import PUBLIC_ENDPOINTS

    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint in PUBLIC_ENDPOINTS or "GET" not in rule.methods:
                continue
            urls.append(url_for(rule.endpoint, **dict.fromkeys(rule.arguments, 1)))
    return sorted(urls)


def _end_by_logout(session, browser, user):
    browser.logout()


def _end_by_password_change(session, browser, user):
    change_password(session, _reload(session, user), "neues-Passwort-2")
    session.commit()


def _end_by_deactivation(session, browser, user):
    set_active(session, _reload(session, user), False)
    session.commit()


@pytest.mark.parametrize(
    "end", [_end_by_logout, _end_by_password_change, _end_by_deactivation], ids=lambda f: f.__name__
)
@pytest.mark.parametrize("role", ["frontdesk", "admin", "supervisor"])
def test_a_copied_cookie_opens_no_page_once_the_session_ended(app, session, users, role, end):
    user = users(role)
    browser = Browser(app)
    browser.login(user)
    thief = Browser(app)
    thief.steal_session_from(browser)
    pages = _every_get_page(app)
    # Generated from the url_map: the pages merged later are in it without being listed.
    assert {"/konto/", "/protokoll/", "/admin/auskunft/1", "/faelle/1/druck"} <= set(pages)
    assert thief.get("/").status_code == 200  # the copy works while the session lives
    end(session, browser, user)
    for url in pages:
        response = thief.get(url)
        assert response.status_code == 302, url
        assert response.location.startswith("/login"), url

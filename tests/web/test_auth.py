"""Login, logout, roles, CSRF, cookies and the production config."""

import re

import pytest
from werkzeug.routing import BaseConverter

import config
from tests.factories import PASSWORD
from zentrum import create_app
from zentrum.models import User

PUBLIC = {"auth.login", "static"}


def _sample_url(app, rule) -> str:
    """A concrete URL for a rule, with 1 for every argument."""
    values = {name: 1 for name in rule.arguments}
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def test_every_route_but_login_and_static_requires_login(app, client):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in PUBLIC]
    assert len(rules) >= 5  # the walk found the app's routes
    for rule in rules:
        url = _sample_url(app, rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code == 302, (rule, method)
            assert response.location.startswith("/login"), (rule, method)


def test_login_page_and_static_files_are_public(client):
    assert client.get("/login").status_code == 200
    with client.get("/static/style.css") as response:
        assert response.status_code == 200


def test_login_with_right_password_then_logout(client, users, auth):
    user = users("frontdesk")
    response = auth.login(user)
    assert response.status_code == 302 and response.location == "/"
    assert client.get("/").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_and_unknown_user_get_the_same_answer(client, users, auth):
    users("frontdesk", username="sabine")
    wrong = auth.login("sabine", "falsch-falsch-1")
    unknown = auth.login("niemand", "falsch-falsch-1")
    assert wrong.status_code == unknown.status_code == 401
    message = "Benutzername oder Passwort ist falsch."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_deactivated_user_cannot_log_in(session, client, users, auth):
    user = users("frontdesk")
    user.active = False
    session.commit()
    assert auth.login(user).status_code == 401


def test_passwords_are_stored_as_argon2id_hashes(session, users):
    user = users("frontdesk")
    stored = session.get(User, user.id).password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_login_follows_only_local_next_urls(client, users, auth):
    user = users("frontdesk")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"):
        response = client.post(
            f"/login?next={target}", data={"username": user.username, "password": PASSWORD}
        )
        assert response.location == "/", target
        auth.logout()
    response = client.post(
        "/login?next=/faelle/suche", data={"username": user.username, "password": PASSWORD}
    )
    assert response.location == "/faelle/suche"


def test_advisor_may_not_record_enquiries(client, users, auth):
    auth.login(users("advisor", partner="jobcenter"))
    assert client.get("/anliegen/neu").status_code == 403
    assert client.post("/anliegen/neu", data={}).status_code == 403


def test_post_without_csrf_token_is_refused(app_factory, users):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    users("frontdesk", username="csrfprobe")
    refused = client.post("/login", data={"username": "csrfprobe", "password": PASSWORD})
    assert refused.status_code == 400
    assert "Formular abgelaufen" in refused.get_data(as_text=True)
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    accepted = client.post(
        "/login", data={"username": "csrfprobe", "password": PASSWORD, "csrf_token": token}
    )
    assert accepted.status_code == 302
    assert client.post("/logout").status_code == 400  # logout is a form too
    tampered = client.post("/logout", data={"csrf_token": token[:-4] + "AAAA"})
    assert tampered.status_code == 400


def test_session_cookie_is_httponly_and_samesite_lax(client, users, auth):
    response = auth.login(users("frontdesk"))
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http in development and tests


@pytest.mark.parametrize("key", [None, "", "dev-only-not-secret", "too-short"])
def test_production_config_refuses_to_start_without_a_real_secret(monkeypatch, key):
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_config_marks_cookies_secure(monkeypatch, tmp_path):
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", "x" * 48)
    monkeypatch.setattr(
        config.ProductionConfig, "SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path / 'p.db'}"
    )
    app = create_app("production")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_url_converters_are_the_ones_we_expect(app):
    # A new converter would need a sample value in _sample_url.
    used = {type(c) for r in app.url_map.iter_rules() for c in r._converters.values()}
    assert all(issubclass(c, BaseConverter) for c in used)
    assert {c.__name__ for c in used} <= {"IdConverter", "PathConverter", "UnicodeConverter"}

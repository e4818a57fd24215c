"""Login limits: per client address, and a temporary lock per username after failures."""

import uuid

import pytest
import redis

from tests.factories import PASSWORD
from zentrum.extensions import limiter

REDIS_URL = "redis://127.0.0.1:6379/0"
LOCKED = "Zu viele fehlgeschlagene Anmeldungen für diesen Benutzernamen."
WRONG = "Benutzername oder Passwort ist falsch."


@pytest.fixture
def limited(app_factory):
    """A client of an app with the login limits switched on (fresh in-memory counts)."""

    def build(**config):
        app = app_factory(RATELIMIT_ENABLED=True, **config)
        limiter.reset()
        return app.test_client()

    return build


def _login(client, username: str, password: str = "falsch-falsch-1"):
    return client.post("/login", data={"username": username, "password": password})


def test_limits_are_off_in_the_test_configuration(client, users):
    user = users("frontdesk")
    for _ in range(12):
        assert _login(client, user.username).status_code == 401


def test_too_many_logins_from_one_address_get_a_german_429_page(limited):
    client = limited(LOGIN_RATE_LIMIT="3 per minute", LOGIN_FAILURE_LIMIT="100 per minute")
    for name in ("a", "b", "c"):
        assert _login(client, name).status_code == 401
    response = _login(client, "d")
    assert response.status_code == 429
    assert "Zu viele Anfragen" in response.get_data(as_text=True)
    assert client.get("/login").status_code == 200  # only the POST is limited


def test_other_addresses_are_not_limited(limited):
    client = limited(LOGIN_RATE_LIMIT="2 per minute", LOGIN_FAILURE_LIMIT="100 per minute")
    for _ in range(2):
        _login(client, "x")
    assert _login(client, "x").status_code == 429
    other = client.post(
        "/login",
        data={"username": "x", "password": "y"},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert other.status_code == 401


def _lock_out(client, username: str) -> None:
    """Five failed logins for the username."""
    for _ in range(5):
        response = _login(client, username)
        assert response.status_code == 401 and WRONG in response.get_data(as_text=True)


def test_five_failures_lock_the_username_even_for_the_right_password(limited, users):
    client = limited()
    user, other = users("frontdesk"), users("frontdesk")
    names = user.username, other.username
    _lock_out(client, names[0])
    response = _login(client, names[0], PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert _login(client, names[1], PASSWORD).status_code == 302


def test_a_lock_reads_the_same_for_known_and_unknown_usernames(limited, users):
    client = limited()
    user = users("frontdesk")
    _lock_out(client, user.username)
    _lock_out(client, "niemand")
    known = _login(client, user.username.upper())  # usernames are counted case-blind
    unknown = _login(client, "niemand")
    assert known.status_code == unknown.status_code == 429
    assert known.get_data(as_text=True).replace(user.username.upper(), "X") == unknown.get_data(
        as_text=True
    ).replace("niemand", "X")


def test_a_successful_login_clears_the_failures(limited, users):
    client = limited()
    user = users("frontdesk")
    for _ in range(4):
        _login(client, user.username)
    assert _login(client, user.username, PASSWORD).status_code == 302
    client.post("/logout")
    for _ in range(4):
        assert _login(client, user.username).status_code == 401
    assert _login(client, user.username, PASSWORD).status_code == 302


def _redis_answers() -> bool:
    """True when the Redis server of the development machine answers."""
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(not _redis_answers(), reason=f"no Redis answers at {REDIS_URL}")
def test_the_lock_works_with_redis_storage(app_factory, users):
    prefix = f"zentrum-test-{uuid.uuid4().hex}"
    app = app_factory(
        RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix
    )
    client = app.test_client()
    user = users("frontdesk")
    try:
        _lock_out(client, user.username)
        assert _login(client, user.username, PASSWORD).status_code == 429
        keys = redis.Redis.from_url(REDIS_URL).keys(f"*{prefix}/login-failures/*")
        assert keys  # the counts live in Redis, shared by every worker
    finally:
        connection = redis.Redis.from_url(REDIS_URL)
        for key in connection.scan_iter(f"*{prefix}*"):
            connection.delete(key)

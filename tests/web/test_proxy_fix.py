"""Behind a reverse proxy: the client's address from X-Forwarded-For, only when configured."""

from flask import request, request_started

from zentrum.extensions import limiter

FORGED = {"X-Forwarded-For": "203.0.113.9"}


def _remote_addr(app, headers, remote="10.0.0.1") -> str:
    """The address the app sees for a request from ``remote`` with these headers."""
    seen = {}

    def note(_sender, **_extra):
        seen["addr"] = request.remote_addr

    with request_started.connected_to(note, app):
        app.test_client().get("/login", headers=headers, environ_base={"REMOTE_ADDR": remote})
    return seen["addr"]


def test_without_a_trusted_proxy_a_forged_header_is_ignored(app_factory):
    app = app_factory()
    assert app.config["PROXY_FIX_X_FOR"] == 0
    assert _remote_addr(app, FORGED) == "10.0.0.1"


def test_with_one_trusted_proxy_the_forwarded_address_counts(app_factory):
    app = app_factory(PROXY_FIX_X_FOR=1)
    assert _remote_addr(app, FORGED) == "203.0.113.9"
    # Only the entry the proxy appended is trusted, not what the client put before it.
    chained = {"X-Forwarded-For": "198.51.100.1, 203.0.113.9"}
    assert _remote_addr(app, chained) == "203.0.113.9"


def test_two_proxies_take_the_second_entry_from_the_right(app_factory):
    app = app_factory(PROXY_FIX_X_FOR=2)
    chained = {"X-Forwarded-For": "198.51.100.1, 203.0.113.9, 10.0.0.2"}
    assert _remote_addr(app, chained) == "203.0.113.9"


def _login(client, address):
    return client.post(
        "/login",
        data={"username": "x", "password": "falsch-falsch-1"},
        headers={"X-Forwarded-For": address},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )


def test_the_login_limit_counts_per_forwarded_client_behind_the_proxy(app_factory):
    app = app_factory(
        PROXY_FIX_X_FOR=1,
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="2 per minute",
        LOGIN_FAILURE_LIMIT="100 per minute",
    )
    limiter.reset()
    client = app.test_client()
    assert _login(client, "203.0.113.9").status_code == 401
    assert _login(client, "203.0.113.9").status_code == 401
    assert _login(client, "203.0.113.9").status_code == 429
    assert _login(client, "203.0.113.10").status_code == 401  # another client behind the proxy


def test_without_the_proxy_setting_forged_headers_do_not_dodge_the_limit(app_factory):
    app = app_factory(
        RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute", LOGIN_FAILURE_LIMIT="100/minute"
    )
    limiter.reset()
    client = app.test_client()
    assert _login(client, "203.0.113.1").status_code == 401
    assert _login(client, "203.0.113.2").status_code == 401
    assert _login(client, "203.0.113.3").status_code == 429

"""Failed logins per username, counted in the rate limiter's storage (memory or Redis).

Unknown usernames are counted like known ones, so a lock tells nothing about
whether an account exists.
"""

from flask import current_app
from limits import parse

from zentrum.extensions import limiter

_NAMESPACE = "login-failures"


def _limit():
    """The configured failure limit, e.g. 5 per 15 minutes."""
    return parse(current_app.config["LOGIN_FAILURE_LIMIT"])


def _key(username: str) -> tuple[str, ...]:
    """The storage key parts: the app's key prefix keeps apps on one Redis apart."""
    return (current_app.config.get("RATELIMIT_KEY_PREFIX") or "zentrum", _NAMESPACE, username)


def _on() -> bool:
    """Counting follows the rate limiter's switch."""
    return bool(current_app.config.get("RATELIMIT_ENABLED"))


def is_locked(username: str) -> bool:
    """True while the username has used up its failed attempts."""
    return _on() and not limiter.limiter.test(_limit(), *_key(username))


def note_failure(username: str) -> None:
    """Count a failed login for the username."""
    if _on():
        limiter.limiter.hit(_limit(), *_key(username))


def forget_failures(username: str) -> None:
    """A successful login starts the count afresh."""
    if _on():
        limiter.limiter.clear(_limit(), *_key(username))

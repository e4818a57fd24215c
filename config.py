"""Configuration classes, read from the environment (see README, "Konfiguration")."""

import os
from datetime import timedelta

_DEV_SECRET = "dev-only-not-secret"  # noqa: S105 - marks the development key, refused in production


def _int_env(name: str, default: int) -> int:
    """An integer from the environment, or the default."""
    value = os.environ.get(name)
    return int(value) if value else default


def _float_env(name: str, default: float) -> float:
    """A number (seconds, say) from the environment, or the default."""
    value = os.environ.get(name)
    return float(value) if value else default


def _roles_env(name: str, default: str) -> tuple[str, ...]:
    """A comma-separated list of role names from the environment ("" means none)."""
    value = os.environ.get(name)
    text = default if value is None else value
    return tuple(part.strip().lower() for part in text.split(",") if part.strip())


def _bool_env(name: str) -> bool:
    """A switch from the environment: 1, true, yes or on (any case) mean on."""
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET)
    # None means: a SQLite file in the Flask instance folder (set in create_app).
    SQLALCHEMY_DATABASE_URI = os.environ.get("ZENTRUM_DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = _int_env("ZENTRUM_SQLITE_BUSY_TIMEOUT_MS", 15000)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = 8 * 3600  # a working day on one form is fine

    # A session ends after this long without a request, and at the latest this
    # long after login. The signed cookie is refused past the absolute lifetime too.
    SESSION_IDLE_MINUTES = _int_env("ZENTRUM_SESSION_IDLE_MINUTES", 30)
    SESSION_MAX_HOURS = _int_env("ZENTRUM_SESSION_MAX_HOURS", 10)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=SESSION_MAX_HOURS)

    # Login attempts: per client address, and failures per username (then locked).
    # In-memory counts are per worker process; with several workers use Redis.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = os.environ.get("ZENTRUM_RATELIMIT_STORAGE") or "memory://"
    RATELIMIT_STRATEGY = "moving-window"
    # The load test raises it for its 175 users from one address; never lower in production.
    LOGIN_RATE_LIMIT = os.environ.get("ZENTRUM_LOGIN_RATE_LIMIT") or "10 per minute"
    LOGIN_FAILURE_LIMIT = "5 per 15 minutes"

    # Large enough that an over-long text gets a message beside its field,
    # small enough that nobody can fill the server's memory.
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 16 * 1024 * 1024

    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"

    # Argon2id parameters (argon2-cffi defaults, RFC 9106 low-memory profile).
    ARGON2_TIME_COST = _int_env("ZENTRUM_ARGON2_TIME_COST", 3)
    ARGON2_MEMORY_COST = _int_env("ZENTRUM_ARGON2_MEMORY_COST", 65536)
    ARGON2_PARALLELISM = _int_env("ZENTRUM_ARGON2_PARALLELISM", 4)

    # Second factor (TOTP): these roles must use it, everyone else may.
    TOTP_REQUIRED_ROLES = _roles_env("ZENTRUM_TOTP_REQUIRED_ROLES", "supervisor,admin")
    TOTP_ISSUER = os.environ.get("ZENTRUM_TOTP_ISSUER") or "Zentrum Zukunft"
    # Minutes between the password and the code (or the enrolment) of one login.
    TOTP_PENDING_MINUTES = _int_env("ZENTRUM_TOTP_PENDING_MINUTES", 5)

    # Behind a reverse proxy: how many proxies in front set X-Forwarded-For and -Proto
    # (werkzeug's ProxyFix). 0 = no proxy is trusted, forwarded headers are ignored.
    PROXY_FIX_X_FOR = _int_env("ZENTRUM_PROXY_COUNT", 0)

    PAGE_SIZE = 25

    # Closed cases are anonymised this many years after their closure (zentrum retention).
    RETENTION_YEARS = _int_env("ZENTRUM_RETENTION_YEARS", 3)
    # The controller named in the record of processing activities (zentrum vvz).
    CONTROLLER_NAME = (
        os.environ.get("ZENTRUM_CONTROLLER_NAME") or "Stadt Wuppertal – Zentrum Zukunft Wuppertal"
    )
    CONTROLLER_CONTACT = os.environ.get("ZENTRUM_CONTROLLER_CONTACT") or ""
    DPO_CONTACT = os.environ.get("ZENTRUM_DPO_CONTACT") or ""

    # Working time for handover targets (Europe/Berlin; NRW holidays are always off).
    OPENING_HOURS = os.environ.get("ZENTRUM_OPENING_HOURS", "08:00-18:00")
    OPENING_DAYS = os.environ.get("ZENTRUM_OPENING_DAYS", "0-4")  # 0 = Monday

    # E-mail to the partners' functional addresses; no server means mail is off.
    MAIL_SERVER = os.environ.get("ZENTRUM_MAIL_SERVER") or None
    MAIL_PORT = _int_env("ZENTRUM_MAIL_PORT", 25)
    MAIL_USE_STARTTLS = _bool_env("ZENTRUM_MAIL_STARTTLS")
    MAIL_USERNAME = os.environ.get("ZENTRUM_MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("ZENTRUM_MAIL_PASSWORD") or None
    MAIL_FROM = os.environ.get("ZENTRUM_MAIL_FROM") or "zentrum@zentrum-zukunft.example"
    MAIL_TIMEOUT = _float_env("ZENTRUM_MAIL_TIMEOUT", 10.0)
    # Links in e-mails point here (there is no request to take the host from).
    ZENTRUM_BASE_URL = os.environ.get("ZENTRUM_BASE_URL") or "http://127.0.0.1:5000"

    @classmethod
    def validate(cls) -> None:
        """Raise when the configuration is unfit to run; nothing to check by default."""


class DevelopmentConfig(Config):
    """Local development and the demo."""

    DEBUG = False


class TestConfig(Config):
    """The test suite: CSRF off (one test turns it back on), cheap hashing."""

    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105
    WTF_CSRF_ENABLED = False
    SQLALCHEMY_DATABASE_URI = os.environ.get("ZENTRUM_TEST_DATABASE_URL")
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    ARGON2_PARALLELISM = 1
    # Never mail from the suite, whatever the environment says; tests switch it on.
    MAIL_SERVER = None
    # Login limits off, so tests may log in often; the limit tests switch them on.
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"


class ProductionConfig(Config):
    """Production: secure cookies, and no start without a real secret key."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    # One pool per worker process (gunicorn.conf.py): pool_size covers the worker's
    # threads, max_overflow a short burst; a request waits at most pool_timeout seconds
    # for a connection and then fails instead of hanging. pre_ping notices connections
    # PostgreSQL or a proxy closed (restart, failover); recycle retires them before
    # idle timeouts of firewalls and PgBouncer. PostgreSQL's max_connections must exceed
    # servers × workers × (pool_size + max_overflow) – see README, "Betrieb".
    SQLALCHEMY_ENGINE_OPTIONS = {
        "pool_pre_ping": True,
        "pool_size": _int_env("ZENTRUM_DB_POOL_SIZE", 5),
        "max_overflow": _int_env("ZENTRUM_DB_MAX_OVERFLOW", 5),
        "pool_timeout": _int_env("ZENTRUM_DB_POOL_TIMEOUT", 10),
        "pool_recycle": _int_env("ZENTRUM_DB_POOL_RECYCLE", 1800),
    }

    @classmethod
    def validate(cls) -> None:
        """Refuse to start without a real SECRET_KEY."""
        key = cls.SECRET_KEY or ""
        if not key or key == _DEV_SECRET or len(key) < 32:
            raise RuntimeError(
                "ProductionConfig: SECRET_KEY must be set to a random value of at least "
                "32 characters (e.g. python -c 'import secrets; print(secrets.token_hex(32))')."
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}

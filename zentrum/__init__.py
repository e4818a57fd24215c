"""zentrum: case routing for the Zentrum Zukunft Wuppertal."""

import os
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def _load_config(app: Flask, config) -> None:
    """Apply a config class, a name from config.CONFIGS, or a mapping of overrides."""
    from config import CONFIGS

    if config is None:
        config = os.environ.get("ZENTRUM_CONFIG", "development")
    if isinstance(config, str):
        config = CONFIGS[config]
    if isinstance(config, dict):
        app.config.from_object(CONFIGS["test"])
        app.config.update(config)
        return
    config.validate()
    app.config.from_object(config)


def create_app(config=None) -> Flask:
    """Build the application: configuration, extensions, blueprints, CLI, error pages."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_relative_config=True,
    )
    _load_config(app, config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'zentrum.db'}"
        )

    from zentrum import translating, web
    from zentrum.cli import register_cli
    from zentrum.database import register_database
    from zentrum.extensions import babel, csrf, db, limiter, login_manager, migrate
    from zentrum.services import report_cube  # noqa: F401 – marks report weeks stale on writes
    from zentrum.services.timing import configure_hours

    configure_hours(app.config)
    register_database(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=web.select_locale)
    login_manager.init_app(app)
    limiter.init_app(app)
    web.register(app)
    translating.install(app)  # after web: its first request hook chooses the language
    register_cli(app)
    _trust_proxies(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind N reverse proxies, take the client's address and scheme from their headers.

    Off (0) by default: then a forged X-Forwarded-For changes nothing, and the
    per-address login limit sees the address that connected.
    """
    count = int(app.config.get("PROXY_FIX_X_FOR") or 0)
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)

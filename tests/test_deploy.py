"""The production settings fit together: gunicorn's threads, the pool, the login limit."""

import runpy
from pathlib import Path

import config

GUNICORN_CONF = Path(__file__).resolve().parents[1] / "gunicorn.conf.py"


def _gunicorn(monkeypatch, **env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(GUNICORN_CONF))


def test_every_gunicorn_thread_gets_a_pooled_connection_at_once(monkeypatch):
    settings = _gunicorn(monkeypatch)
    pool = config.ProductionConfig.SQLALCHEMY_ENGINE_OPTIONS
    assert settings["worker_class"] == "gthread"
    assert settings["threads"] <= pool["pool_size"]
    assert pool["pool_pre_ping"] and pool["pool_timeout"] < settings["timeout"]
    assert settings["preload_app"] is False  # no connection shared across a fork


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    settings = _gunicorn(
        monkeypatch,
        ZENTRUM_GUNICORN_WORKERS="3",
        ZENTRUM_GUNICORN_THREADS="2",
        ZENTRUM_GUNICORN_BIND="0.0.0.0:9000",
    )
    assert (settings["workers"], settings["threads"], settings["bind"]) == (3, 2, "0.0.0.0:9000")


def test_login_limit_stays_strict_unless_the_environment_says_otherwise():
    assert config.Config.LOGIN_RATE_LIMIT == "10 per minute"

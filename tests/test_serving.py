"""An app-server worker sets what it has built aside from the garbage collector."""

import gc
import runpy
import weakref
from pathlib import Path

import pytest
from flask import Flask

from zentrum import serving

GUNICORN_CONF = Path(__file__).resolve().parents[1] / "gunicorn.conf.py"


@pytest.fixture
def settlings(monkeypatch):
    """The settlings done, counted instead of freezing the test process."""
    done = []
    monkeypatch.setattr(serving, "settle", lambda: done.append(True))
    return done


def _app():
    app = Flask(__name__)
    app.add_url_rule("/", "index", lambda: "ok")
    return app


def test_a_worker_settles_at_once_and_after_its_first_requests(settlings):
    app = _app()
    serving.settle_worker(app)
    assert len(settlings) == 1
    client = app.test_client()
    answers = [client.get("/").status_code for _ in range(12)]
    assert answers == [200] * 12
    # Once at the start, after the first request and after the tenth, not in between.
    assert len(settlings) == 3
    for _ in range(100 - 12):
        client.get("/")
    assert len(settlings) == 4


def test_settling_twice_does_not_count_each_request_twice(settlings):
    app = _app()
    serving.settle_worker(app)
    serving.settle_worker(app)
    app.test_client().get("/")
    assert len(settlings) == 3  # two at the start, one after the first request


def test_a_failing_request_is_counted_too(settlings):
    app = _app()

    def broken():
        raise RuntimeError("boom")

    app.add_url_rule("/broken", "broken", broken)
    serving.settle_worker(app)
    assert app.test_client().get("/broken").status_code == 500
    assert len(settlings) == 2


def test_settling_freezes_what_is_alive_and_collects_the_rest():
    class Node:
        pass

    cycle = Node()
    cycle.me = cycle
    gone = weakref.ref(cycle)
    del cycle
    kept = [Node() for _ in range(100)]
    try:
        serving.settle()
        assert gc.get_freeze_count() >= len(kept)
        # The garbage cycle was collected before the freeze, not frozen with the rest.
        assert gone() is None
    finally:
        gc.unfreeze()


def test_gunicorn_settles_the_app_each_worker_built(monkeypatch, settlings):
    settings = runpy.run_path(str(GUNICORN_CONF))
    app = _app()

    class Worker:
        wsgi = app

    settings["post_worker_init"](Worker())
    assert len(settlings) == 1
    app.test_client().get("/")
    assert len(settlings) == 2


def test_a_worker_reads_the_dashboards_sums_before_its_first_request(
    app, session, cases, users, auth, client, count_queries
):
    from datetime import UTC, datetime, timedelta

    from zentrum.models import Case
    from zentrum.services.handover import accept_offer
    from zentrum.services.report_cube import forget_kept, refresh

    now = datetime.now(UTC)
    advisor = users("advisor", partner="ihk")
    supervisor = users("supervisor")
    for n in range(8):
        case = cases(consents=["ihk"], at=now - timedelta(days=2 + 2 * n))
        offer = cases.offer(case, "ihk", at=case.created_at + timedelta(minutes=5))
        answered = offer.offered_at + timedelta(minutes=30 + 45 * n)
        accept_offer(session, advisor, answered, session.get(Case, case.id), offer.id)
        session.commit()
    refresh(session, now)
    forget_kept()  # a new worker process keeps nothing
    serving.warm_reports(app)
    auth.login(supervisor)
    with count_queries() as statements:
        page = client.get("/leitung/")
    assert page.status_code == 200 and "IHK" in page.get_data(as_text=True)
    # The sums of the weeks and days, and the stored waits the percentiles needed, were
    # read when the worker started.
    assert not [s for s in statements if "report_cube" in s or "report_day_cube" in s]
    assert not [s for s in statements if "wait_business_seconds <" in s]
    forget_kept()


def test_a_worker_starts_also_when_the_database_does_not_answer(app, monkeypatch, caplog):
    from sqlalchemy.exc import OperationalError

    def unreachable(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr("zentrum.services.dashboard.build_dashboard", unreachable)
    serving.warm_reports(app)
    assert "Dashboard-Summen beim Start nicht gelesen" in caplog.text

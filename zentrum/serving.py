"""What an app-server worker does to its garbage collector: gunicorn's
``post_worker_init`` (``gunicorn.conf.py``) calls ``settle_worker`` once the worker has
built the app, and the benchmark's measuring process does the same, so that it measures
what the server runs.

A full collection walks every object that is not frozen: ~160,000 of them in a worker
that has built the app, 50 ms on the benchmark machine, and it struck in the middle of a
request (the dashboard's p95 was 160 ms where its median was 63 ms). The objects a worker
builds first – modules, the app, SQLAlchemy's mappings, the translations, then the
compiled templates and statements of its first requests – live as long as the process;
frozen, they are never looked at again, and a full collection takes 3–6 ms. What
requests create and drop is collected as before.
"""

import gc
import logging
import threading
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

# After these many requests the worker sets aside again what they built (compiled
# templates and statements, the kept report sums). Few and early: every settling is one
# full collection (up to 50 ms) in one request.
SETTLE_AFTER = frozenset({1, 10, 100, 1000})


def settle() -> None:
    """Collect what is garbage now, then freeze everything that is left."""
    gc.collect()
    gc.freeze()


class _Settling:
    """WSGI middleware: counts the requests and settles after those in ``SETTLE_AFTER``."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.served = 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response) -> Any:
        try:
            return self.wsgi_app(environ, start_response)
        finally:
            with self.lock:
                self.served += 1
                due = self.served in SETTLE_AFTER
            if due:
                settle()


def warm_reports(app) -> None:
    """Work out the dashboard of the period it shows first, for all partners, as a
    supervisor's first request would: the period's sums, added up and ranked, and the
    rows its percentiles read stay kept in this worker (``report_cube``), so that no
    supervisor waits for a worker's first dashboard (at a million cases 4–5 times a
    kept one). A database that does not answer yet only leaves the sums unread."""
    from zentrum.extensions import db
    from zentrum.models.base import utcnow
    from zentrum.services.dashboard import build_dashboard
    from zentrum.services.periods import DEFAULT_PRESET, preset

    if "sqlalchemy" not in app.extensions:  # not zentrum's app (a bare WSGI app)
        return
    with app.app_context():
        try:
            now = utcnow()
            build_dashboard(db.session, preset(DEFAULT_PRESET, now), None, now)
        except SQLAlchemyError as error:
            log.warning("Dashboard-Summen beim Start nicht gelesen: %s", error)
        finally:
            db.session.remove()


def settle_worker(app) -> None:
    """Read the dashboard's sums (``warm_reports``), settle now, and again after the
    requests in ``SETTLE_AFTER`` (``app`` is the Flask app this worker serves)."""
    warm_reports(app)
    settle()
    if not isinstance(app.wsgi_app, _Settling):
        app.wsgi_app = _Settling(app.wsgi_app)

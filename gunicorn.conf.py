"""gunicorn settings for zentrum: ``gunicorn -c gunicorn.conf.py 'zentrum:create_app()'``.

Every value can be overridden from the environment (``ZENTRUM_GUNICORN_*``), so one file
serves a small and a large machine. See README, "Betrieb: mehrere App-Server".
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


bind = os.environ.get("ZENTRUM_GUNICORN_BIND", "127.0.0.1:8000")

# Processes: a page spends about half its time in Python (templates, forms) and half
# waiting for the database, so two processes per core keep the cores busy without
# thrashing. Each process costs ~100 MB (see the benchmark's peak memory).
workers = _int("ZENTRUM_GUNICORN_WORKERS", 2 * multiprocessing.cpu_count())

# Threads: while one request waits for PostgreSQL another runs in the same process.
# Keep threads <= ZENTRUM_DB_POOL_SIZE, so every thread gets a connection at once.
worker_class = "gthread"
threads = _int("ZENTRUM_GUNICORN_THREADS", 4)

# Timeouts: the slowest page (the supervisors' dashboard, an Excel export over a year)
# takes well under 10 s; a worker stuck for 60 s is killed and replaced. After a HUP or
# a deploy, running requests get 30 s to finish.
timeout = _int("ZENTRUM_GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
# Behind a reverse proxy that reuses its connections: longer than the proxy's idle time
# (nginx: 60 s), so the server never closes a connection the proxy is about to use.
keepalive = _int("ZENTRUM_GUNICORN_KEEPALIVE", 75)

# Workers are not replaced after a number of requests (0): a worker that exits closes its
# idle keep-alive connections, and a client that sends on one at that moment gets a
# connection reset – the load test saw one per worker restart (1 of 6,067 requests with
# 1,000). Set ZENTRUM_GUNICORN_MAX_REQUESTS (e.g. 50000) if a leak ever needs it; the
# benchmark's peak memory per worker stays at ~130 MB.
max_requests = _int("ZENTRUM_GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = 100

# No preloading: each worker builds its own app and its own connection pool after the
# fork, so no database connection is ever shared between processes.
preload_app = False


def post_worker_init(worker) -> None:
    """The app is built: set it aside from the garbage collector (``zentrum.serving``)."""
    from zentrum.serving import settle_worker

    settle_worker(worker.wsgi)


# Logs to stdout/stderr for the service manager (journald); the access log without
# query strings would be nicer, but search terms are names: keep it off by default.
accesslog = os.environ.get("ZENTRUM_GUNICORN_ACCESSLOG") or None
errorlog = "-"
loglevel = os.environ.get("ZENTRUM_GUNICORN_LOGLEVEL", "info")
# The proxy's X-Forwarded-* headers are trusted only from the proxy on this machine.
forwarded_allow_ips = os.environ.get("ZENTRUM_GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

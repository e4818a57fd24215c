"""``zentrum bench``: the pages people use, timed through the real WSGI application.

For every database and size this process migrates an empty database and seeds it
(``zentrum.bench`` with histories); then a fresh child process (``zentrum.bench_worker``,
like one app-server worker) logs in as the benchmark users through the login form and
requests each page through Flask's test client (the whole WSGI stack: sessions, login,
templates). The child reports the times per page, the SQL statements of one request
(SQLAlchemy's ``before_cursor_execute``) and its own peak resident memory, so the
seeding's memory is not counted. Afterwards the database is emptied again.
"""

import json
import os
import statistics
import subprocess  # starts the benchmark's own worker, no shell # nosec B404
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

BENCH_PASSWORD = "bench-Passwort-2026"  # noqa: S105 - benchmark users on a throwaway database # nosec B105
POST_REPEAT = 50


@dataclass
class PageTiming:
    """Runs of one page: milliseconds per request and statements of one request."""

    page: str
    millis: list[float]
    statements: int
    # CPU milliseconds of the serving process per request: on a shared machine the wall
    # clock also counts waiting for a core; this does not (nor PostgreSQL's own work).
    cpu: list[float] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return statistics.median(self.millis)

    @property
    def p95(self) -> float:
        if len(self.millis) < 2:
            return self.millis[0]
        return statistics.quantiles(self.millis, n=20, method="inclusive")[18]

    @property
    def cpu_p95(self) -> float:
        if len(self.cpu) < 2:
            return self.cpu[0] if self.cpu else 0.0
        return statistics.quantiles(self.cpu, n=20, method="inclusive")[18]


@dataclass
class SizeResult:
    """One database at one size: seeding and the pages."""

    database: str
    cases: int
    seed_seconds: float
    rows: int
    pages: list[PageTiming] = field(default_factory=list)
    peak_mib: float = 0.0
    load: float = 0.0  # the machine's load average (1 min) while the pages were timed
    # Enquiries per second with several worker processes posting at once (0: not run).
    intake_rate: float = 0.0
    intake_workers: int = 0
    intake_refused: int = 0
    # Today's enquiries, today's offers and the open offers when the pages were timed;
    # today's enquiries and offers that the dashboard counted from the rows.
    today: tuple[int, int, int, int, int] | None = None


def bench_app(url: str):
    from zentrum import create_app

    # CSRF, the login limit and the second factor are off: the benchmark measures the
    # pages, not the tokens or the login.
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "TESTING": False,
            "WTF_CSRF_ENABLED": False,
            "TOTP_REQUIRED_ROLES": (),
        }
    )


def seed(url: str, cases: int, echo) -> tuple[float, int]:
    """Migrate the empty database at ``url`` and seed ``cases`` cases with histories.

    Then what a service that has run for years has done long before: the nightly
    ``zentrum report --refresh`` has built the weekly sums, and on PostgreSQL autovacuum
    has vacuumed the tables (visibility map and hint bits set; without it the first reads
    of freshly written rows rewrite pages and index-only scans visit the table).
    """
    from flask_migrate import upgrade

    from zentrum.bench import seed_benchmark
    from zentrum.bench_timing import describe_seed
    from zentrum.extensions import db
    from zentrum.passwords import hash_password
    from zentrum.services.report_cube import refresh

    app = bench_app(url)
    with app.app_context():
        try:
            upgrade()
            report = seed_benchmark(
                db.session,
                cases=cases,
                years=3,
                history=True,
                password_hash=hash_password(BENCH_PASSWORD),
            )
            echo(describe_seed(report))
            started = time.perf_counter()
            built = refresh(db.session, report.now)
            seconds = time.perf_counter() - started
            echo(f"Wochen-, Tages- und Stundensummen: {len(built)} in {seconds:.1f} s")
            if db.engine.dialect.name == "postgresql":
                started = time.perf_counter()
                with db.engine.connect().execution_options(
                    isolation_level="AUTOCOMMIT"
                ) as connection:
                    connection.exec_driver_sql("VACUUM (ANALYZE)")
                echo(f"VACUUM (ANALYZE) in {time.perf_counter() - started:.1f} s")
            return report.seconds, report.rows
        finally:
            db.session.remove()
            db.engine.dispose()


def empty(url: str) -> None:
    """Drop every table the benchmark made (the database is a throwaway)."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("DROP SCHEMA public CASCADE")
                connection.exec_driver_sql("CREATE SCHEMA public")
            else:
                metadata = sa.MetaData()
                metadata.reflect(connection)
                metadata.drop_all(connection)
    finally:
        engine.dispose()


def _start_worker(*args) -> subprocess.Popen:
    """``python -m zentrum.bench_worker ARGS`` in a fresh interpreter: a worker's memory,
    not the seeder's."""
    return subprocess.Popen(  # noqa: S603 - our own module with our own arguments # nosec B603
        [sys.executable, "-m", "zentrum.bench_worker", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "ZENTRUM_CONFIG": "development"},
    )


def _answer(child: subprocess.Popen, what: str) -> dict:
    """The JSON line a worker printed last; its error output if it failed."""
    out, err = child.communicate()
    if child.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{err[-3000:]}")
    return json.loads(out.strip().splitlines()[-1])


def _child(url: str, repeat: int) -> dict:
    """Run ``measure`` in a fresh interpreter."""
    return _answer(_start_worker(url, repeat), "measuring")


def intake_rate(url: str, workers: int, seconds: float) -> tuple[int, int, float]:
    """``workers`` processes post enquiries at once (like gunicorn's workers): the
    confirmed ones, the refused ones and the span from the first start to the last end."""
    start_at = time.time() + 5 + workers  # time to import and log in before the start
    children = [
        _start_worker("intakes", url, seconds, worker, start_at) for worker in range(workers)
    ]
    found = [_answer(child, "intake worker") for child in children]
    span = max(f["ended"] for f in found) - min(f["started"] for f in found)
    return sum(f["done"] for f in found), sum(f["refused"] for f in found), span


def catch_up(url: str, echo) -> None:
    """A database seeded by an earlier run (``--reuse``), brought to this code: its schema
    migrated, and the sums the nightly ``zentrum report --refresh`` would build built."""
    from flask_migrate import upgrade

    from zentrum.extensions import db
    from zentrum.models.base import utcnow
    from zentrum.services.report_cube import refresh

    app = bench_app(url)
    with app.app_context():
        try:
            upgrade()
            started = time.perf_counter()
            built = refresh(db.session, utcnow())
            echo(f"Summen nachgeholt: {len(built)} in {time.perf_counter() - started:.1f} s")
        finally:
            db.session.remove()
            db.engine.dispose()


def has_cases(url: str) -> bool:
    """Whether ``url`` already holds a seeded benchmark (for ``--reuse``)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            if "cases" not in sa.inspect(connection).get_table_names():
                return False
            return connection.exec_driver_sql("SELECT count(*) FROM cases").scalar() > 0
    finally:
        engine.dispose()


@dataclass
class Options:
    """How to run: repetitions, the parallel intake and what to do with the data."""

    repeat: int = 30
    workers: int = 2
    intake_seconds: float = 10.0
    keep: bool = False  # leave the seeded database for another run (--reuse)
    reuse: bool = False  # measure a database seeded by an earlier --keep run


def run_size(url: str, database: str, cases: int, options: Options, echo) -> SizeResult:
    """Seed, measure in a child, the intake rate in several children, empty again."""
    echo(f"\n== {database}, {cases} Fälle ==")
    try:
        if options.reuse and has_cases(url):
            echo("Vorhandene Daten werden gemessen (--reuse).")
            catch_up(url, echo)
            seconds, rows = 0.0, 0
        else:
            seconds, rows = seed(url, cases, echo)
        found = _child(url, options.repeat)
        done, refused, span = (
            intake_rate(url, options.workers, options.intake_seconds)
            if options.workers
            else (0, 0, 1.0)
        )
    finally:
        # A database measured again (--reuse) was seeded to be kept: it stays as it is.
        if not (options.keep or options.reuse):
            empty(url)
    result = SizeResult(
        database, cases, seconds, rows, peak_mib=found["peak_mib"], load=found["load"]
    )
    result.pages = [PageTiming(*page) for page in found["pages"]]
    result.today = tuple(found["today"])
    result.intake_rate, result.intake_workers, result.intake_refused = (
        done / span,
        options.workers,
        refused,
    )
    echo(format_table([result]))
    return result


def run_bench(sizes: list[int], urls: list[str | None], options: Options, echo) -> list[SizeResult]:
    """Every size on every database; ``None`` means a new SQLite file under /tmp."""
    results = []
    with tempfile.TemporaryDirectory(prefix="zentrum-bench-") as folder:
        for url in urls:
            if url and url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url[len("postgresql://") :]
            for cases in sizes:
                target = url or f"sqlite:///{Path(folder) / f'bench-{cases}.db'}"
                name = sa.engine.make_url(target).get_backend_name()
                results.append(run_size(target, name, cases, options, echo))
                if url is None:
                    for suffix in ("", "-wal", "-shm"):
                        Path(folder, f"bench-{cases}.db{suffix}").unlink(missing_ok=True)
    echo("\n" + format_table(results))
    return results


def format_table(results: list[SizeResult]) -> str:
    """A Markdown table: one line per database, size and page."""
    lines = [
        "| Datenbank | Fälle | Seite | p50 ms | p95 ms | p95 CPU ms | SQL | Spitze MiB | Last |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        for t in r.pages:
            lines.append(
                f"| {r.database} | {r.cases:,} | {t.page} | {t.p50:.1f} | {t.p95:.1f} "
                f"| {t.cpu_p95:.1f} | {t.statements} | {r.peak_mib:.0f} | {r.load:.1f} |"
            )
        if r.today:
            cases, offers, pending, cases_read, offers_read = r.today
            lines.append(
                f"| {r.database} | {r.cases:,} | Heute beim Dashboard: {cases:,} Anliegen, "
                f"{offers:,} Angebote ({cases_read:,} und {offers_read:,} davon aus den "
                f"Zeilen gezählt, der Rest aus den Stundensummen); {pending:,} Angebote "
                "offen | | | | | | |"
            )
        intake = next((t for t in r.pages if t.page == "Anliegen POST"), None)
        if intake:
            lines.append(
                f"| {r.database} | {r.cases:,} | Anliegen/s (nacheinander) "
                f"| {1000 / statistics.mean(intake.millis):.0f} | | | | | |"
            )
        if r.intake_workers:
            lines.append(
                f"| {r.database} | {r.cases:,} | Anliegen/s ({r.intake_workers} Prozesse "
                f"gleichzeitig, {r.intake_refused} abgewiesen) | {r.intake_rate:.0f} | | | | | |"
            )
    return "\n".join(lines)

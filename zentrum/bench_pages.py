"""``zentrum bench``: the pages people use, timed through the real WSGI application.

For every database and size the parent process migrates an empty database and seeds it
(``zentrum.bench`` with histories); then a fresh child process – like one app-server
worker – logs in as the benchmark users through the login form and requests each page
through Flask's test client (the whole WSGI stack: sessions, login, templates). The
child reports p50/p95 per page, the SQL statements of one request (SQLAlchemy's
``before_cursor_execute``) and its own peak resident memory (``ru_maxrss``), so the
seeding's memory is not counted. Afterwards the database is emptied again.
"""

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

BENCH_PASSWORD = "bench-Passwort-2026"  # noqa: S105 - benchmark users on a throwaway database
GET_REPEAT = 30
POST_REPEAT = 50
DASHBOARD_REPEAT = 5


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


def _app(url: str):
    from zentrum import create_app

    # CSRF and the login limit are off: the benchmark measures the pages, not the tokens.
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": False, "WTF_CSRF_ENABLED": False})


def seed(url: str, cases: int, echo) -> tuple[float, int]:
    """Migrate the empty database at ``url`` and seed ``cases`` cases with histories."""
    from flask_migrate import upgrade

    from zentrum.bench import seed_benchmark
    from zentrum.bench_timing import describe_seed
    from zentrum.extensions import db
    from zentrum.passwords import hash_password

    app = _app(url)
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


# --- the child: one worker serving requests -------------------------------------------


def _targets(session) -> dict:
    """What to ask for: the long case, its partner's advisor, a name and a reference."""
    from zentrum.bench_history import LONG_HISTORY
    from zentrum.models import Case, CaseEvent, CaseMember, Partner, Person

    long_case = session.scalar(
        sa.select(CaseEvent.case_id)
        .group_by(CaseEvent.case_id)
        .having(sa.func.count() == LONG_HISTORY)
        .order_by(CaseEvent.case_id.desc())
        .limit(1)
    )
    case = session.get(Case, long_case)
    code = session.scalar(sa.select(Partner.code).where(Partner.id == case.holder_partner_id))
    middle = session.scalar(sa.select(sa.func.max(Case.id))) // 2
    person = session.scalar(
        sa.select(Person)
        .join(CaseMember, CaseMember.person_id == Person.id)
        .where(CaseMember.case_id == middle, CaseMember.role == "young_person")
    )
    reference = session.scalar(sa.select(Case.reference).where(Case.id == middle))
    return {
        "case": long_case,
        "advisor": f"bench-{code}",
        "name": f"{person.first_name} {person.last_name}",
        "reference": reference,
    }


def _login(app, username: str):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": BENCH_PASSWORD})
    if response.status_code != 302:
        raise RuntimeError(f"login of {username} failed: {response.status_code}")
    return client


def _intake_form(session, number: int) -> dict:
    """A new enquiry; the letters make every name new, so no known person is offered."""
    from zentrum.models import Partner, Topic

    letters = ""
    while True:
        number, digit = divmod(number, 26)
        letters += chr(ord("a") + digit)
        if not number:
            break
    return {
        "first_name": "Bench" + letters,
        "last_name": "Neuaufnahme",
        "birth_date": "2008-03-14",
        "district": "barmen",
        "language": "de",
        "topics": [str(session.scalar(sa.select(Topic.id).order_by(Topic.sort_order)))],
        "description": "Sucht einen Ausbildungsplatz.",
        "channel": "walk_in",
        "urgency": "normal",
        "consents": [str(session.scalar(sa.select(Partner.id).where(Partner.code == "ihk")))],
        "save": "1",
    }


def _time(app, client, page: str, request, repeat: int, expect: int) -> PageTiming:
    """One warm-up request (its statements counted), then ``repeat`` on the clock."""
    from zentrum.bench_timing import counting_statements
    from zentrum.extensions import db

    with app.app_context():
        engine = db.engine
    with counting_statements(engine) as sent:
        status = request(client, 0).status_code
    if status != expect:
        raise RuntimeError(f"{page}: answered {status}, expected {expect}")
    millis, cpu = [], []
    for i in range(1, repeat + 1):
        started, used = time.perf_counter(), time.process_time()
        response = request(client, i)
        millis.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
        if response.status_code != expect:
            raise RuntimeError(f"{page}: answered {response.status_code}, expected {expect}")
    return PageTiming(page, millis, len(sent), cpu)


def measure(url: str, repeat: int) -> dict:
    """Log in as the benchmark users and time every page; the child's whole job."""
    from zentrum.extensions import db

    app = _app(url)
    with app.app_context():
        targets = _targets(db.session)
        forms = [_intake_form(db.session, i) for i in range(POST_REPEAT + 1)]
        db.session.remove()
    advisor = _login(app, targets["advisor"])
    frontdesk = _login(app, "bench-empfang")
    supervisor = _login(app, "bench-leitung")
    case_url = f"/faelle/{targets['case']}"
    pages = [
        ("Eingang", advisor, lambda c, _i: c.get("/eingang"), repeat, 200),
        ("Meine Fälle", advisor, lambda c, _i: c.get("/meine-faelle"), repeat, 200),
        ("Fall (100 Einträge)", advisor, lambda c, _i: c.get(case_url), repeat, 200),
        (
            "Suche Name",
            frontdesk,
            lambda c, _i: c.get("/faelle/suche", query_string={"q": targets["name"]}),
            repeat,
            200,
        ),
        (
            "Suche Aktenzeichen",
            frontdesk,
            lambda c, _i: c.get("/faelle/suche", query_string={"q": targets["reference"]}),
            repeat,
            200,
        ),
        ("Startseite", frontdesk, lambda c, _i: c.get("/"), repeat, 200),
        (
            "Anliegen POST",
            frontdesk,
            lambda c, i: c.post("/anliegen/neu", data=forms[i]),
            POST_REPEAT,
            302,
        ),
        ("Dashboard", supervisor, lambda c, _i: c.get("/leitung/"), DASHBOARD_REPEAT, 200),
    ]
    timings = [
        _time(app, client, page, request, count, expect)
        for page, client, request, count, expect in pages
    ]
    with app.app_context():
        db.engine.dispose()
    return {
        "pages": [[t.page, t.millis, t.statements, t.cpu] for t in timings],
        "peak_mib": peak_mib(),
        "load": os.getloadavg()[0],
        "targets": targets,
    }


def peak_mib() -> float:
    """This process's peak resident memory in MiB.

    Linux's VmHWM starts afresh with every exec; ``ru_maxrss`` would keep the parent's
    peak (the seeding's), which Linux carries across fork and exec.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(url: str, repeat: int) -> dict:
    """Run ``measure`` in a fresh interpreter: a worker's memory, not the seeder's."""
    result = subprocess.run(  # noqa: S603 - our own module with our own arguments
        [sys.executable, "-m", "zentrum.bench_pages", url, str(repeat)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "ZENTRUM_CONFIG": "development"},
    )
    if result.returncode != 0:
        raise RuntimeError(f"measuring failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_size(url: str, database: str, cases: int, repeat: int, echo) -> SizeResult:
    """Seed, measure in a child, empty again."""
    echo(f"\n== {database}, {cases} Fälle ==")
    try:
        seconds, rows = seed(url, cases, echo)
        found = _child(url, repeat)
    finally:
        empty(url)
    result = SizeResult(
        database, cases, seconds, rows, peak_mib=found["peak_mib"], load=found["load"]
    )
    result.pages = [PageTiming(*page) for page in found["pages"]]
    echo(format_table([result]))
    return result


def run_bench(sizes: list[int], urls: list[str | None], repeat: int, echo) -> list[SizeResult]:
    """Every size on every database; ``None`` means a new SQLite file under /tmp."""
    results = []
    with tempfile.TemporaryDirectory(prefix="zentrum-bench-") as folder:
        for url in urls:
            if url and url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url[len("postgresql://") :]
            for cases in sizes:
                target = url or f"sqlite:///{Path(folder) / f'bench-{cases}.db'}"
                name = sa.engine.make_url(target).get_backend_name()
                results.append(run_size(target, name, cases, repeat, echo))
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
        intake = next((t for t in r.pages if t.page == "Anliegen POST"), None)
        if intake:
            lines.append(
                f"| {r.database} | {r.cases:,} | Anliegen/s (nacheinander) "
                f"| {1000 / statistics.mean(intake.millis):.0f} | | | | | |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], int(sys.argv[2]))))

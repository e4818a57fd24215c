"""Timing the supervisors' dashboard and its drill-down on a database seeded by ``zentrum.bench``.

A benchmark that prints figures, not a test with a time limit: every query runs once to
warm the caches, then ``repeat`` times on the clock, each in its own transaction.
"""

import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.orm import Session

from zentrum.bench import SeedReport, seed_benchmark
from zentrum.domain.clock import local_date
from zentrum.models import Handover, Partner
from zentrum.services.dashboard import build_dashboard
from zentrum.services.drilldown import DrillFilter, handover_page
from zentrum.services.periods import Period, preset
from zentrum.services.report_cube import refresh

PERIODS = ("week", "4weeks", "quarter", "year")
_TRANSACTION = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@dataclass
class Timing:
    """Runs of one query for one period and choice of partners."""

    what: str
    period: str
    partners: str
    seconds: list[float]
    statements: int

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def periods(now: datetime) -> dict[str, Period]:
    """The dashboard's presets around ``now``, and the whole year up to today."""
    today = local_date(now)
    found = {name: preset(name, now) for name in PERIODS[:3]}
    found["year"] = Period(today - timedelta(days=364), today)
    return found


@contextmanager
def counting_statements(engine: sa.Engine):
    """Count the SQL statements sent (without transaction control) inside the block."""
    sent: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(_TRANSACTION):
            sent.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield sent
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def measure(session: Session, run: Callable[[], object], repeat: int) -> tuple[list[float], int]:
    """Seconds of ``repeat`` runs after one warm-up, and the statements of one run."""
    with counting_statements(session.get_bind()) as sent:
        run()
    session.rollback()
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
        session.rollback()
    return seconds, len(sent)


def busiest_partner(session: Session) -> Partner:
    """The partner that received the most offers (the heaviest single-partner view)."""
    partner_id = session.scalar(
        sa.select(Handover.to_partner_id)
        .group_by(Handover.to_partner_id)
        .order_by(sa.func.count().desc(), Handover.to_partner_id)
        .limit(1)
    )
    return session.get(Partner, partner_id)


def time_dashboards(session: Session, now: datetime, repeat: int) -> list[Timing]:
    """The dashboard and the drill-down's first page (longest wait first), per period,
    for all partners and for the busiest one."""
    partner = busiest_partner(session)
    choices = (("alle", None), (partner.code, [partner.id]))
    timings = []
    for name, period in periods(now).items():
        for label, ids in choices:
            seconds, count = measure(
                session, lambda p=period, i=ids: build_dashboard(session, p, i, now), repeat
            )
            timings.append(Timing("Dashboard", name, label, seconds, count))
    for name, period in periods(now).items():
        for label, ids in choices:
            drill = DrillFilter(period=period, partner_ids=tuple(ids or ()))
            seconds, count = measure(
                session,
                lambda f=drill: handover_page(session, f, now, sort="wait", descending=True),
                repeat,
            )
            timings.append(Timing("Drill-down", name, label, seconds, count))
    return timings


def format_table(database: str, handovers: int, timings: list[Timing]) -> str:
    """The timings as a plain text table, one line per query, period and partner choice."""
    header = (
        f"{'Datenbank':<11}{'Übergaben':>10}  {'Abfrage':<11}{'Zeitraum':<9}{'Partner':<11}"
        f"{'min s':>8}{'Median s':>10}{'max s':>8}{'SQL':>5}"
    )
    lines = [header, "-" * len(header)]
    for t in timings:
        lines.append(
            f"{database:<11}{handovers:>10}  {t.what:<11}{t.period:<9}{t.partners:<11}"
            f"{min(t.seconds):>8.3f}{t.median:>10.3f}{max(t.seconds):>8.3f}{t.statements:>5}"
        )
    return "\n".join(lines)


def describe_seed(report: SeedReport) -> str:
    """One paragraph on what the seeding wrote and how fast."""
    tables = ", ".join(f"{name} {count}" for name, count in report.counts.items())
    return (
        f"Befüllt in {report.seconds:.1f} s: {report.rows} Zeilen "
        f"({report.rows / report.seconds:,.0f} Zeilen/s) – {tables}\n"
        f"Stand der Daten (now): {report.now.isoformat()}"
    )


def run_benchmark(
    handovers: int, database_url: str | None, repeat: int, echo: Callable[[str], None]
) -> list[Timing]:
    """Migrate an empty database, seed it, time the dashboard, print everything."""
    from zentrum import create_app
    from zentrum.extensions import db

    with tempfile.TemporaryDirectory(prefix="zentrum-bench-") as folder:
        url = database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            try:
                upgrade()
                engine = db.engine
                echo(f"Datenbank: {engine.url.render_as_string(hide_password=True)}")
                report = seed_benchmark(db.session, handovers)
                echo(describe_seed(report))
                started = time.perf_counter()
                built = refresh(db.session, report.now)
                echo(
                    "Wochen-, Tages- und Stundensummen (zentrum report --refresh): "
                    f"{len(built)} in {time.perf_counter() - started:.1f} s"
                )
                timings = time_dashboards(db.session, report.now, repeat)
                name = engine.dialect.name
                echo(f"\nJe {repeat} Läufe nach einem Aufwärmlauf:\n")
                echo(format_table(name, report.counts.get("handovers", 0), timings))
            finally:
                db.session.remove()
                db.engine.dispose()
    return timings

"""Benchmark data: a year of a big city's handovers, bulk-inserted for the dashboard benchmark.

The rows go in by COPY (PostgreSQL with psycopg), the driver's executemany in chunks of
10,000 (SQLite) or Core executemany (anything else) – not through the services, whose
rules are tested elsewhere. What must hold is that the stored facts agree with what the
services would have written: wait times in wall-clock and working time, the week of the
offer, the case facts. The timeline is planned on a working-time axis
(``zentrum.bench_plan``), so that working seconds are exact without calling
``working_seconds`` a million times. Case events, notes, consents and case access are
not written here: ``zentrum bench`` adds them (``zentrum.bench_history``, ``history=True``).
"""

import gc
import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from faker import Faker
from sqlalchemy.orm import Session

from zentrum.bench_history import HistoryRows
from zentrum.bench_plan import WorkingClock, plan_cases
from zentrum.bench_rows import BenchRows, Staff
from zentrum.domain.clock import local_date
from zentrum.models import Case, Partner, Topic, User
from zentrum.models.base import UTCDateTime
from zentrum.seed import seed_reference_data
from zentrum.services.timing import house_hours

SEED = 2026
CHUNK = 10_000
BULK_CACHE_KIB = 256 * 1024
# Not an Argon2 hash: no password verifies against it, so benchmark users cannot log in.
NO_LOGIN = "!benchmark-user-without-password"
ID_TABLES = ("users", "persons", "cases", "case_members", "handovers", "referrals")
HISTORY_ID_TABLES = ("case_events", "case_notes", "consents")


class BenchmarkError(ValueError):
    """The benchmark cannot seed this database."""


@dataclass
class SeedReport:
    """What the seeding wrote, and how long it took."""

    counts: dict[str, int]
    seconds: float
    now: datetime

    @property
    def rows(self) -> int:
        """Rows written in all tables."""
        return sum(self.counts.values())


_NAIVE_EPOCH = datetime(1970, 1, 1)


def sqlite_moment(seconds: int) -> str:
    """A moment (epoch seconds) as SQLAlchemy stores an aware UTC datetime in SQLite."""
    return (_NAIVE_EPOCH + timedelta(seconds=seconds)).isoformat(" ") + ".000000"


def aware_moment(seconds: int) -> datetime:
    """A moment (epoch seconds) as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, UTC)


class _Writer:
    """Bulk inserts: COPY on PostgreSQL (psycopg), the driver's executemany on SQLite,
    Core executemany elsewhere; in chunks, committed per table."""

    def __init__(self, session: Session):
        self.session = session
        self.dialect = session.connection().dialect

    def write(self, table: sa.Table, columns: list[str], rows) -> int:
        """Insert rows and commit; returns how many.

        Rows are tuples in the order of ``columns``, with moments as epoch seconds.
        """
        if self.dialect.name == "postgresql" and self.dialect.driver == "psycopg":
            count = self._copy(table, columns, self._converted(table, columns, rows))
        elif self.dialect.name == "sqlite":
            count = self._sqlite(table, columns, rows)
        else:
            count = self._core(table, columns, self._converted(table, columns, rows))
        self.session.commit()
        return count

    def _converted(self, table: sa.Table, columns: list[str], rows, moment=aware_moment):
        """The rows with their moments converted; days stay as they are."""
        moments = [
            i for i, name in enumerate(columns) if isinstance(table.c[name].type, UTCDateTime)
        ]
        for row in rows:
            row = list(row)
            for i in moments:
                if row[i] is not None:
                    row[i] = moment(row[i])
            yield tuple(row)

    def _chunks(self, rows):
        chunk = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def _core(self, table: sa.Table, columns: list[str], rows) -> int:
        connection, count = self.session.connection(), 0
        for chunk in self._chunks(rows):
            connection.execute(
                table.insert(), [dict(zip(columns, row, strict=True)) for row in chunk]
            )
            count += len(chunk)
        return count

    def _sqlite(self, table: sa.Table, columns: list[str], rows) -> int:
        """Without SQLAlchemy's processing of every value (most of the time at a million
        rows): moments and days become the text SQLAlchemy would store."""
        compiled = table.insert().compile(dialect=self.dialect, column_keys=columns)
        if list(compiled.positiontup) != columns:
            raise ValueError(f"{table.name}: give the columns in the table's order")
        days = [i for i, name in enumerate(columns) if isinstance(table.c[name].type, sa.Date)]
        rows = self._converted(table, columns, rows, sqlite_moment)
        if days:
            rows = (
                tuple(
                    v.isoformat() if i in days and v is not None else v for i, v in enumerate(row)
                )
                for row in rows
            )
        connection, count = self.session.connection(), 0
        # Offers inserted in time order fill the index by case in random order; with
        # SQLite's default page cache of 2 MB that alone takes minutes. Set back after,
        # as the timings run on this connection.
        cache_size = connection.exec_driver_sql("PRAGMA cache_size").scalar()
        connection.exec_driver_sql(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")
        for chunk in self._chunks(rows):
            connection.exec_driver_sql(compiled.string, chunk)
            count += len(chunk)
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(cache_size)}")
        return count

    def _copy(self, table: sa.Table, columns: list[str], rows) -> int:
        count = 0
        raw = self.session.connection().connection.driver_connection
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count


def _refuse_data(session: Session) -> None:
    """The benchmark writes fixed ids: it needs a database without users or cases."""
    for model in (User, Case):
        if session.scalar(sa.select(sa.func.count()).select_from(model)):
            raise BenchmarkError(
                "Die Benchmark-Datenbank muss leer sein (keine Benutzer, keine Anliegen)."
            )


def _staff(
    session: Session, writer: _Writer, now: datetime, seed: int, password_hash: str
) -> Staff:
    """Reference data, and users written directly (one hash for all, computed by the
    caller): one front desk user, one supervisor, one advisor per partner."""
    seed_reference_data(session)
    session.commit()
    partners = list(session.scalars(sa.select(Partner).order_by(Partner.id)))
    rows = [("bench-empfang", "Empfang (Benchmark)", "frontdesk", None)]
    rows.append(("bench-leitung", "Leitung (Benchmark)", "supervisor", None))
    rows += [(f"bench-{p.code}", f"Beratung {p.name}", "advisor", p.id) for p in partners]
    columns = ["id", "username", "display_name", "password_hash", "role", "partner_id"]
    values = [
        (i, name, display, password_hash, role, pid, True, int(now.timestamp()))
        for i, (name, display, role, pid) in enumerate(rows, start=1)
    ]
    writer.write(User.__table__, [*columns, "active", "created_at"], values)
    fake = Faker("de_DE")
    fake.seed_instance(seed)
    return Staff(
        partner_ids=[p.id for p in partners],
        topic_ids=list(session.scalars(sa.select(Topic.id).order_by(Topic.sort_order))),
        frontdesk=values[0][0],
        advisors={pid: i for i, _n, _d, _h, role, pid, *_ in values if role == "advisor"},
        names=([fake.first_name() for _ in range(300)], [fake.last_name() for _ in range(300)]),
    )


def _finish(session: Session, history: bool) -> None:
    """Move PostgreSQL's id sequences past the written ids, then update the statistics."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        for name in ID_TABLES + (HISTORY_ID_TABLES if history else ()):
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608 - our table names # nosec B608
                f"(SELECT coalesce(max(id), 0) + 1 FROM {name}), false)"
            )
    connection.exec_driver_sql("ANALYZE")
    session.commit()


def seed_benchmark(
    session: Session,
    handovers: int = 1_000_000,
    now: datetime | None = None,
    seed: int = SEED,
    *,
    cases: int | None = None,
    years: int = 1,
    history: bool = False,
    password_hash: str = NO_LOGIN,
) -> SeedReport:
    """Write a year of offers up to ``now``, with their cases, people, topics and referrals.

    About 3 offers per case, ~88 % accepted, ~8 % declined, ~4 % withdrawn, at most a
    few hundred pending. The database must hold no users and no cases; partners and
    topics come from the reference data. Commits after every table; ANALYZE at the end.
    ``cases`` seeds that many cases instead of ``handovers`` offers, over ``years``;
    ``history`` adds the case events, notes, consents and case access the pages read
    (``zentrum.bench_history``); ``password_hash`` lets the users log in.
    """
    started = time.perf_counter()
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    # Millions of small lists and tuples, none of them cyclic: without this the cyclic
    # garbage collector scans the growing heap again and again (a third of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        counts = _seed(
            session, handovers, now, seed, cases, years, history, password_hash or NO_LOGIN
        )
    finally:
        if collecting:
            gc.enable()
    return SeedReport(counts, time.perf_counter() - started, now)


def _seed(
    session: Session,
    handovers: int,
    now: datetime,
    seed: int,
    cases: int | None,
    years: int,
    history: bool,
    password_hash: str,
) -> dict[str, int]:
    _refuse_data(session)
    writer = _Writer(session)
    staff = _staff(session, writer, now, seed, password_hash)
    today = local_date(now)
    first = today - timedelta(days=365 * years + 35)
    clock = WorkingClock(first, today + timedelta(days=60), house_hours())
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, no secret # nosec B311
    codes = dict(session.execute(sa.select(Partner.id, Partner.code)).all())
    plan = plan_cases(
        rng,
        clock,
        now,
        handovers,
        [codes[pid] for pid in staff.partner_ids],
        cases=cases,
        years=years,
    )
    rows = BenchRows(plan, clock, rng, staff)
    rows.build()
    counts = Counter({"users": 2 + len(staff.partner_ids)})
    tables = list(rows.tables())
    if history:
        tables += HistoryRows(rows).tables()
    for table, columns, produce in tables:
        counts[table.name] += writer.write(table, columns, produce)
    _finish(session, history)
    return dict(counts)

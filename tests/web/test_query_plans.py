"""The pages people use all day never read a large table from end to end (SQLite plans).

A full scan is invisible with the few rows of a test and costs tens of milliseconds at
a hundred thousand cases: a joined load of the case's topics once made SQLite build
the join of every case's topics for one case page (40 ms at 100,000 cases). SQLite
plans without statistics as if every table were large, so the plans here are the
plans a big database gets for the same statements.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest

from zentrum.extensions import db
from zentrum.models import Case, User
from zentrum.services.handover import accept_offer
from zentrum.services.notes import add_note
from zentrum.services.report_cube import refresh

# Tables that grow with the cases; a plan may look rows up in them, never walk them whole.
LARGE = {
    "audit_entries",
    "case_access",
    "case_events",
    "case_members",
    "case_notes",
    "case_topics",
    "cases",
    "consents",
    "handovers",
    "person_name_pairs",
    "person_name_tokens",
    "persons",
    "referrals",
}
_SCAN = re.compile(r"^SCAN (\w+?)(?:_\d+)?(?: |$)")


def _plan_lines(app, statements, top_level: bool = False):
    """(plan line, statement) for every line of every read statement's plan; with
    ``top_level`` only the statement's own loops, not those of its subqueries."""
    with app.app_context(), db.engine.connect() as connection:
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            for row in plan:
                if not top_level or row[1] == 0:
                    yield row[3], statement


def _shown(line: str, statement: str) -> str:
    return f"{line}\n    in {' '.join(statement.split())[:300]}"


def _full_scans(app, statements) -> list[str]:
    """Plans that read a large table without an index, or walk one by an index in the
    statement's own loop (a subquery's walk stops at its LIMIT: the page of ids)."""
    found = []
    for line, statement in _plan_lines(app, statements):
        match = _SCAN.match(line)
        if match and match.group(1) in LARGE and " USING " not in line:
            found.append(_shown(line, statement))
    for line, statement in _plan_lines(app, statements, top_level=True):
        match = _SCAN.match(line)
        if match and match.group(1) in LARGE and " USING INTEGER PRIMARY KEY" not in line:
            found.append(_shown(line, statement))
    return found


@pytest.fixture
def world(session, cases, users):
    """A case held by the IHK with notes, and a few more cases with people on them."""
    held = cases("Lena", "Sommer", consents=["ihk"], members=[("Eva", "Sommer", "parent")])
    held_id = held.id
    offer = cases.offer(held, "ihk")
    advisor = users("advisor", partner="ihk")
    advisor_id = advisor.id
    accept_offer(session, advisor, datetime.now(UTC), session.get(Case, held_id), offer.id)
    for i in range(3):
        add_note(session, advisor, datetime.now(UTC), session.get(Case, held_id), f"Notiz {i}")
    session.commit()
    for i in range(3):
        cases.offer(cases(f"Jonas{i}", "Winter", consents=["ihk"]), "ihk")
    reference = session.get(Case, held_id).reference
    return held_id, advisor_id, reference


@pytest.fixture(autouse=True)
def _sqlite_only(session):
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite's plans; PostgreSQL plans by its statistics (see zentrum bench)")


def test_daily_pages_look_rows_up_instead_of_scanning(
    app, session, client, users, auth, world, record_statements
):
    held_id, advisor_id, reference = world
    desk_id = users("frontdesk").id
    pages = [
        (advisor_id, "/eingang"),
        (advisor_id, "/meine-faelle"),
        (advisor_id, f"/faelle/{held_id}"),
        (advisor_id, "/faelle/suche?q=Lena+Sommer"),
        (desk_id, "/"),
        (desk_id, "/faelle/suche?q=Lena+Sommer"),
        (desk_id, f"/faelle/suche?q={reference}"),
        (desk_id, f"/faelle/{held_id}"),
    ]
    problems = []
    for user_id, path in pages:
        auth.login(session.get(User, user_id))
        session.remove()
        with record_statements() as statements:
            assert client.get(path).status_code == 200, path
        assert statements, path
        problems += [f"{path}: {scan}" for scan in _full_scans(app, statements)]
        auth.logout()
    assert not problems, "\n".join(problems)


def test_the_check_finds_a_full_scan(app, session, world):
    """The check itself: a query that must read every case is reported."""
    statement = "SELECT count(*) FROM cases WHERE description LIKE ?"
    assert _full_scans(app, [(statement, ("%x%",))])


# Partial indexes hold only the rows a page asks for: reading one whole is not a full scan.
PARTIAL = {"ix_cases_open_created_at", "ix_handovers_pending"}
_INDEX = re.compile(r" USING (?:COVERING )?INDEX (\w+)")


def _walks(app, statements) -> list[str]:
    """Plans that read a large table or one of its (whole) indexes from end to end."""
    found = []
    for line, statement in _plan_lines(app, statements):
        match, index = _SCAN.match(line), _INDEX.search(line)
        if match and match.group(1) in LARGE and not (index and index[1] in PARTIAL):
            found.append(_shown(line, statement))
    return found


def test_the_dashboard_reads_the_period_not_every_offer_and_case(
    app, session, client, users, auth, cases, world, record_statements
):
    """The dashboard counts the days its weekly sums lack from the rows of those days, and
    the open cases from their partial index: an OR of two date ranges once made SQLite
    walk an index of every offer (0.3 s at a million cases), and "not closed" one of
    every case (0.18 s)."""
    now = datetime.now(UTC)
    cases("Mia", "Herbst", at=now - timedelta(days=16))
    # The completed weeks of the last four are summed: the period's edges are two ranges.
    assert refresh(session, now)
    auth.login(users("supervisor"))
    with record_statements() as statements:
        assert client.get("/leitung/").status_code == 200
    assert statements
    problems = _walks(app, statements)
    assert not problems, "\n".join(problems)


def test_the_dashboards_percentiles_read_the_periods_weeks_not_every_year(
    app, session, client, users, auth, cases, record_statements
):
    """A percentile reads the stored waits of one bucket in order: by partner and waiting
    time alone that walked the bucket's rows of every year kept (7,670 rows for 81 at a
    million cases). The reads go by partner, week and waiting time, for the working-time
    and the wall-clock waits alike, also without statistics (these plans)."""
    now = datetime.now(UTC)
    advisor = users("advisor", partner="ihk")
    for days in (9, 10, 11, 12):  # accepted in completed weeks and days: kept sums
        offered = now - timedelta(days=days)
        case = cases(f"Kim{days}", "Kern", consents=["ihk"], at=offered)
        offer = cases.offer(case, "ihk", at=offered)
        answered = offered + timedelta(minutes=30 * days)
        accept_offer(session, session.get(User, advisor.id), answered, case, offer.id)
        session.commit()
    assert refresh(session, now)
    auth.login(users("supervisor"))
    with record_statements() as statements:
        assert client.get("/leitung/").status_code == 200
    picks = [
        (line, statement)
        for line, statement in _plan_lines(app, statements)
        if "FROM handovers" in statement and " LIMIT " in statement and "handovers" in line
    ]
    used = {re.search(r"INDEX (\w+)", line).group(1) for line, _statement in picks}
    assert used == {"ix_handovers_week_work_wait", "ix_handovers_week_wall_wait"}, "\n".join(
        _shown(line, statement) for line, statement in picks
    )

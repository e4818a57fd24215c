"""``zentrum retention``: dry run, real run with its audit entry, time travel by --now."""

import os
import subprocess
import sys

import sqlalchemy as sa

from tests.services.test_retention import snapshot, worked_case
from zentrum.domain.retention import ANONYMISED_NAME
from zentrum.domain.vocab import AuditAction
from zentrum.models import AuditEntry, Case
from zentrum.services.audit import verify


def audit_entries(session) -> list[AuditEntry]:
    session.rollback()
    return list(session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)))


def test_dry_run_lists_references_and_changes_nothing(app, session, cases, users):
    case = worked_case(session, cases, users)
    reference = case.reference
    before = snapshot(session)
    result = app.test_cli_runner().invoke(args=["retention", "--dry-run", "--now", "2025-06-01"])
    assert result.exit_code == 0, result.output
    assert "Probelauf" in result.output and "Fälle: 1" in result.output
    assert "Personen anonymisiert: 2" in result.output
    assert reference in result.output
    assert "Lena" not in result.output and "Schmitz" not in result.output
    session.rollback()
    assert snapshot(session) == before
    assert audit_entries(session) == []


def test_nothing_is_due_before_the_period_ends(app, session, cases, users):
    worked_case(session, cases, users)  # closed on 11 Jan 2022
    result = app.test_cli_runner().invoke(args=["retention", "--now", "2025-01-10"])
    assert result.exit_code == 0, result.output
    assert "Fälle: 0" in result.output
    assert audit_entries(session) == []


def test_run_anonymises_prints_counts_and_audits(app, session, cases, users):
    case = worked_case(session, cases, users)
    case_id, reference = case.id, case.reference
    result = app.test_cli_runner().invoke(args=["retention", "--now", "2025-06-01"])
    assert result.exit_code == 0, result.output
    assert "Fälle: 1" in result.output and "Personen anonymisiert: 2" in result.output
    assert "Lena" not in result.output
    session.rollback()
    case = session.get(Case, case_id)
    assert case.anonymised_at is not None
    assert case.young_person.first_name == ANONYMISED_NAME
    [entry] = audit_entries(session)
    assert entry.action == AuditAction.RETENTION_RUN and entry.user_id is None
    assert entry.details["cases"] == 1 and entry.details["persons"] == 2
    assert entry.details["references"] == [reference] and entry.details["years"] == 3
    assert "Lena" not in str(entry.details)
    assert verify(session) == []
    again = app.test_cli_runner().invoke(args=["retention", "--now", "2025-06-01"])
    assert "Fälle: 0" in again.output
    assert len(audit_entries(session)) == 1


def test_retention_years_come_from_the_configuration(app, session, cases, users):
    worked_case(session, cases, users)
    app.config["RETENTION_YEARS"] = 5
    result = app.test_cli_runner().invoke(args=["retention", "--dry-run", "--now", "2025-06-01"])
    assert "Fälle: 0" in result.output and "(5 Jahre)" in result.output


def test_bad_date_is_refused(app):
    result = app.test_cli_runner().invoke(args=["retention", "--now", "gestern"])
    assert result.exit_code == 2 and "kein Zeitpunkt" in result.output


def test_a_period_below_one_year_is_refused(app, session, cases, users):
    worked_case(session, cases, users)
    app.config["RETENTION_YEARS"] = 0
    result = app.test_cli_runner().invoke(args=["retention", "--now", "2025-06-01"])
    assert result.exit_code == 1 and "mindestens 1" in result.output
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).where(Case.anonymised_at.is_not(None))) == 0


def test_period_is_read_from_the_environment():
    code = "import config; print(config.Config.RETENTION_YEARS)"
    for value, expected in (("7", "7"), ("", "3")):
        env = {**os.environ, "ZENTRUM_RETENTION_YEARS": value}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == expected

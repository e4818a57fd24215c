"""The command line: demo data and user accounts."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import sqlalchemy as sa

from zentrum.models import Case, CaseEvent, Handover, Partner, Person, User


def _counts(session):
    session.rollback()
    return {
        m.__name__: session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in (Case, Person, User, Partner, CaseEvent)
    }


def test_demo_seeds_users_and_cases_once(app, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "--no-serve", "--cases", "25"])
    assert first.exit_code == 0, first.output
    assert "25 neue Anliegen" in first.output
    assert "zukunft-demo" in first.output and "jugendamt" in first.output
    after_first = _counts(session)
    assert after_first["Case"] == 25
    assert after_first["CaseEvent"] > 25  # intake plus the routed histories
    assert after_first["User"] == 11 and after_first["Partner"] == 6
    second = runner.invoke(args=["demo", "--no-serve", "--cases", "25"])
    assert second.exit_code == 0, second.output
    assert "0 neue Anliegen" in second.output
    assert _counts(session) == after_first


def test_demo_users_can_log_in(app, session, client, auth):
    app.test_cli_runner().invoke(args=["demo", "--no-serve", "--cases", "3"])
    for name in ("empfang", "jugendamt", "leitung", "admin"):
        assert auth.login(name, "zukunft-demo").status_code == 302, name
        auth.logout()


def test_create_user_for_an_advisor(app, session, auth):
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "a.schmidt",
            "--role",
            "advisor",
            "--name",
            "Anna Schmidt",
            "--partner",
            "jobcenter",
            "--password",
            "ein-langes-passwort",
        ]
    )
    assert result.exit_code == 0, result.output
    user = session.scalar(sa.select(User).where(User.username == "a.schmidt"))
    assert user.partner.code == "jobcenter" and user.role == "advisor"
    assert auth.login("a.schmidt", "ein-langes-passwort").status_code == 302


def test_create_user_refuses_unknown_partner_short_password_and_advisor_without_partner(
    app, session
):
    runner = app.test_cli_runner()
    unknown = runner.invoke(
        args=[
            "create-user",
            "x",
            "--role",
            "advisor",
            "--name",
            "X",
            "--partner",
            "mond",
            "--password",
            "ein-langes-passwort",
        ]
    )
    assert unknown.exit_code != 0 and "Unbekannte Partnerorganisation" in unknown.output
    short = runner.invoke(
        args=["create-user", "y", "--role", "frontdesk", "--name", "Y", "--password", "kurz"]
    )
    assert short.exit_code != 0 and "mindestens 10 Zeichen" in short.output
    lonely = runner.invoke(
        args=[
            "create-user",
            "z",
            "--role",
            "advisor",
            "--name",
            "Z",
            "--password",
            "ein-langes-passwort",
        ]
    )
    assert lonely.exit_code != 0 and "genau einer Partnerorganisation" in lonely.output
    assert _counts(session)["User"] == 0


def test_demo_command_serves_the_login_page(tmp_path):
    """The README's first command: prepare the demo and serve it over HTTP."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    script = Path(sys.executable).with_name("zentrum")
    env = {
        **os.environ,
        "ZENTRUM_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
        "ZENTRUM_ARGON2_MEMORY_COST": "8",
        "ZENTRUM_ARGON2_TIME_COST": "1",
        "ZENTRUM_ARGON2_PARALLELISM": "1",
    }
    server = subprocess.Popen(
        [str(script), "demo", "--port", str(port), "--cases", "5"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as page:
                    body = page.read().decode()
                break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "the demo did not answer within 60 s"
                time.sleep(0.3)
        assert "Anmelden" in body
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode()
    assert "Passwort für alle: zukunft-demo" in output


def test_demo_histories_keep_the_lifecycle_invariants(app, session):
    """The demo's routed cases obey the rules: one holder, at most one open offer."""
    app.test_cli_runner().invoke(args=["demo", "--no-serve", "--cases", "60"])
    session.rollback()
    kinds = dict(
        session.execute(sa.select(CaseEvent.kind, sa.func.count()).group_by(CaseEvent.kind)).all()
    )
    assert kinds["intake"] == 60 and kinds["offer"] >= kinds["accept"] > 30
    for case in session.scalars(sa.select(Case)):
        pending = session.scalar(
            sa.select(sa.func.count(Handover.id)).where(
                Handover.case_id == case.id, Handover.status == "pending"
            )
        )
        assert pending <= 1
        if case.status == "with_partner":
            assert case.holder_partner_id is not None and case.responsible_user_id is not None
        if case.status == "at_front_desk":
            assert case.holder_partner_id is None


def test_reset_2fa_from_the_command_line(app, session, users):
    from zentrum.domain.vocab import AuditAction
    from zentrum.models import AuditEntry

    lead = users("supervisor", username="leitung.x")
    generation = lead.session_generation
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reset-2fa", "Leitung.X"])
    assert result.exit_code == 0, result.output
    session.rollback()
    user = session.get(User, lead.id)
    assert not user.totp_enabled and user.session_generation == generation + 1
    entry = session.scalar(sa.select(AuditEntry))
    assert entry.action == AuditAction.TOTP_RESET and entry.user_id is None
    assert entry.details == {"account": "leitung.x", "via": "cli"}
    unknown = runner.invoke(args=["reset-2fa", "niemand"])
    assert unknown.exit_code != 0 and "gibt es nicht" in unknown.output

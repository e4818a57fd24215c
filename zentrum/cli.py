"""Command line: ``zentrum demo``, ``init-db``, ``create-user``, ``escalate``, ``retention``,
``vvz`` and Flask's own."""

from datetime import UTC, datetime
from pathlib import Path

import click
import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from zentrum import create_app
from zentrum.domain.clock import LOCAL_TZ
from zentrum.domain.escalation import Stage
from zentrum.domain.vocab import Role
from zentrum.escalation_mail import send_escalation_mails
from zentrum.extensions import db
from zentrum.models import Partner
from zentrum.report_mail import month_name, send_monthly_report
from zentrum.seed import seed_reference_data
from zentrum.services.escalation import escalate
from zentrum.services.report_cube import refresh as refresh_report_sums
from zentrum.services.users import UserError, create_user

cli = FlaskGroup(create_app=lambda: create_app(), help="Fallsteuerung des Zentrums Zukunft.")


def prepare_database() -> None:
    """Create or upgrade the schema through the migrations, then add reference data."""
    upgrade()
    seed_reference_data(db.session)
    db.session.commit()


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database and add partners and topics."""
    prepare_database()
    click.echo(f"Datenbank bereit: {db.engine.url.render_as_string(hide_password=True)}")


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", "display_name", required=True, help="Anzeigename, z. B. 'Anna Schmidt'")
@click.option(
    "--partner", "partner_code", help="Kürzel der Partnerorganisation (für Berater:innen)"
)
@click.option("--email", help="Dienstliche E-Mail-Adresse (Leitung: für Eskalationen)")
@click.password_option("--password", prompt="Passwort", help="Wird abgefragt, wenn nicht angegeben")
def create_user_command(username, role, display_name, partner_code, email, password) -> None:
    """Create a user account for a real deployment."""
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise click.BadParameter(str(error), param_hint="--email") from None
    partner = None
    if partner_code:
        partner = db.session.scalar(sa.select(Partner).where(Partner.code == partner_code))
        if partner is None:
            codes = ", ".join(db.session.scalars(sa.select(Partner.code).order_by(Partner.code)))
            raise click.UsageError(f"Unbekannte Partnerorganisation {partner_code!r} ({codes}).")
    try:
        user = create_user(
            db.session,
            username=username,
            password=password,
            role=Role(role),
            display_name=display_name,
            partner=partner,
        )
    except UserError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    user.email = email or None
    db.session.commit()
    click.echo(f"Benutzer {user.username} ({role}) angelegt.")


@click.command("reset-2fa")
@with_appcontext
@click.argument("username")
def reset_2fa_command(username: str) -> None:
    """Reset a user's second factor (lost phone, new SECRET_KEY); set up again at next login."""
    from zentrum.domain.vocab import AuditAction
    from zentrum.models import User
    from zentrum.services.audit import record
    from zentrum.services.second_factor import reset

    user = db.session.scalar(sa.select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise click.ClickException(f"Den Benutzer {username!r} gibt es nicht.")
    reset(db.session, user)
    record(db.session, AuditAction.TOTP_RESET, details={"account": user.username, "via": "cli"})
    db.session.commit()
    click.echo(f"Zweiter Faktor von {user.username} zurückgesetzt; Sitzungen beendet.")


@click.command("demo")
@with_appcontext
@click.option("--serve/--no-serve", default=True, help="Danach den Server starten")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--cases", "case_count", default=300, show_default=True)
def demo(serve: bool, host: str, port: int, case_count: int) -> None:
    """Set up the demo (database, partners, users, cases) and serve it."""
    from zentrum.demo import DEMO_PASSWORD, seed_demo

    prepare_database()
    users, created = seed_demo(db.session, case_count=case_count)
    db.session.commit()
    refresh_report_sums(db.session, datetime.now(UTC))
    click.echo(f"Demo-Daten: {created} neue Anliegen angelegt.")
    click.echo(f"Demo-Zugänge (nur für die Demo), Passwort für alle: {DEMO_PASSWORD}")
    click.echo(
        "  Leitung und Administration richten bei der ersten Anmeldung den zweiten Faktor "
        "ein (Authenticator-App)."
    )
    for user in users:
        partner = f" – {user.partner.name}" if user.partner else ""
        click.echo(f"  {user.username:<14} {user.role}{partner}")
    if serve:
        click.echo(f"Zentrum Zukunft läuft auf http://{host}:{port}/")
        # Flask's app.run() refuses to serve inside its own CLI; werkzeug serves directly.
        run_simple(host, port, current_app._get_current_object(), threaded=True)


def _moment(text: str | None) -> datetime:
    """An ISO datetime as aware UTC; without a zone it is Wuppertal time. None: now."""
    if not text:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} ist kein Zeitpunkt (ISO 8601, z. B. 2026-11-23T16:00).", param_hint="--now"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment.astimezone(UTC)


# Each escalation run (every 15 minutes) rebuilds at most this many stale weeks.
REFRESH_SPANS_PER_ESCALATION = 4


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


@click.command("escalate")
@with_appcontext
@click.option(
    "--now",
    "now_text",
    metavar="ZEITPUNKT",
    help="So tun, als wäre es dieser Zeitpunkt (ISO 8601; ohne Zone Ortszeit Wuppertal).",
)
def escalate_command(now_text: str | None) -> None:
    """Warn partners about offers near their target; flag overdue ones to supervisors.

    Meant for cron (every 15 minutes). Each offer and stage is mailed once.
    """
    now = _moment(now_text)
    try:
        notices = escalate(db.session, now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    # The same cron run keeps the weekly and daily sums behind the dashboard current.
    refresh_report_sums(db.session, now, limit=REFRESH_SPANS_PER_ESCALATION)
    # Only after the commit: a stage whose row was rolled back is never mailed.
    report = send_escalation_mails(notices)
    warnings = sum(1 for n in notices if n.stage == Stage.WARNING)
    click.echo(
        _plural(warnings, "Warnung", "Warnungen")
        + ", "
        + _plural(len(notices) - warnings, "Überschreitung", "Überschreitungen")
        + " gemeldet"
    )
    if not report.enabled and notices:
        click.echo("E-Mail ist ausgeschaltet (ZENTRUM_MAIL_SERVER); nichts versandt.")
    if report.failed:
        raise click.ClickException(
            f"{report.failed} von {report.sent + report.failed} E-Mails nicht versandt "
            "(siehe Log); die Stufen sind trotzdem vermerkt."
        )


@click.command("report")
@with_appcontext
@click.option(
    "--monthly", is_flag=True, help="Zahlen des Vormonats an alle Leitungen mit E-Mail senden."
)
@click.option(
    "--refresh",
    is_flag=True,
    help="Summen der abgeschlossenen Wochen, Tage und heutigen Stunden neu bilden (cron).",
)
@click.option(
    "--now",
    "now_text",
    metavar="ZEITPUNKT",
    help="So tun, als wäre es dieser Zeitpunkt (ISO 8601; ohne Zone Ortszeit Wuppertal).",
)
def report_command(monthly: bool, refresh: bool, now_text: str | None) -> None:
    """``--refresh``: rebuild the weekly, daily and hourly sums behind the figures;
    ``--monthly``: mail the supervisors last month's figures (cron, on the 1st)."""
    if not (monthly or refresh):
        raise click.UsageError("Bitte wählen: --refresh und/oder --monthly.")
    now = _moment(now_text)
    if refresh:
        built = refresh_report_sums(db.session, now)
        weeks = sum(1 for grain, _first in built if grain == "week")
        days = sum(1 for grain, _first in built if grain == "day")
        hours = sum(1 for grain, _first in built if grain == "hour")
        click.echo(
            f"{_plural(weeks, 'Woche', 'Wochen')}, {_plural(days, 'Tag', 'Tage')} und "
            f"{_plural(hours, 'Stunde', 'Stunden')} neu zusammengefasst."
        )
    if not monthly:
        return
    try:
        outcome = send_monthly_report(db.session, now)
    finally:
        db.session.rollback()  # read only: end the transaction
    month = month_name(outcome.period)
    if not outcome.enabled:
        raise click.ClickException(
            f"E-Mail ist ausgeschaltet (ZENTRUM_MAIL_SERVER); Monatsbericht {month} nicht versandt."
        )
    if not outcome.recipients:
        raise click.ClickException(
            f"Keine aktive Leitung mit E-Mail-Adresse; Monatsbericht {month} nicht versandt."
        )
    if outcome.failed:
        raise click.ClickException(
            f"Monatsbericht {month}: {outcome.failed} von {outcome.recipients} E-Mails "
            "nicht versandt (siehe Log)."
        )
    click.echo(
        f"Monatsbericht {month} an {_plural(outcome.sent, 'Leitung', 'Leitungen')} versandt."
    )


@click.command("retention")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="Nur anzeigen, was anonymisiert würde.")
@click.option(
    "--now",
    "now_text",
    metavar="DATUM",
    help="So tun, als wäre heute dieser Tag (YYYY-MM-DD, Ortszeit Wuppertal).",
)
def retention_command(dry_run: bool, now_text: str | None) -> None:
    """Anonymise closed cases RETENTION_YEARS after their closure (cron, e.g. nightly)."""
    from zentrum.retention_cli import run_retention

    years = current_app.config["RETENTION_YEARS"]
    if years < 1:
        raise click.ClickException("ZENTRUM_RETENTION_YEARS muss mindestens 1 sein.")
    run_retention(db.session, _moment(now_text), years, dry_run)


@click.command("vvz")
@with_appcontext
def vvz_command() -> None:
    """Print the record of processing activities (Art. 30 DSGVO) as Markdown."""
    from zentrum.records import render_records_markdown

    try:
        click.echo(render_records_markdown(db.session, current_app.config))
    finally:
        db.session.rollback()  # read only: end the transaction


@click.group("audit")
def audit_group() -> None:
    """Das Protokoll (Audit-Log) prüfen."""


@audit_group.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Check the audit log's hash chain: every entry unaltered and none missing."""
    from zentrum.services.audit import count, last_hash, verify

    try:
        problems = verify(db.session)
        total = count(db.session)
        newest = last_hash(db.session)
    finally:
        db.session.rollback()  # read only: end the transaction
    if problems:
        for problem in problems:
            click.echo(str(problem))
        raise click.ClickException(
            _plural(len(problems), "Problem", "Probleme") + f" in {total} Einträgen gefunden."
        )
    click.echo(f"OK: {total} Einträge")
    # Kept elsewhere, the newest hash shows later whether the chain was rewritten since.
    click.echo(f"Letzte Prüfsumme: {newest}")


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(target: Path) -> None:
    """Sichert die laufende Datenbank in eine Datei (SQLite: Kopie, PostgreSQL: pg_dump -Fc)."""
    from zentrum.backup import BackupError, backup

    try:
        backup(current_app.config["SQLALCHEMY_DATABASE_URI"], target)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Gesichert: {target} ({target.stat().st_size:,} Bytes)")


@click.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@with_appcontext
def restore_command(source: Path) -> None:
    """Stellt eine Sicherung in der (leeren) konfigurierten Datenbank wieder her."""
    from zentrum.backup import BackupError, restore

    try:
        restore(source, current_app.config["SQLALCHEMY_DATABASE_URI"])
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo("Wiederhergestellt.")


@click.command("bench")
@click.option(
    "--cases", "sizes", type=int, multiple=True, help="Fälle je Lauf (mehrfach: 10000 100000 …)."
)
@click.option(
    "--database-url",
    "urls",
    multiple=True,
    help="Leere Datenbank (wird danach wieder geleert); 'sqlite' = neue Datei unter /tmp.",
)
@click.option("--repeat", default=30, show_default=True, help="Messungen je Seite.")
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(min=0),
    help="Prozesse, die gleichzeitig Anliegen aufnehmen (0: nicht messen).",
)
@click.option("--intake-seconds", default=10.0, show_default=True, help="Dauer dieser Messung.")
@click.option("--keep", is_flag=True, help="Die befüllte Datenbank danach nicht leeren.")
@click.option(
    "--reuse",
    is_flag=True,
    help="Eine mit --keep befüllte Datenbank messen, ohne neu zu befüllen (sie bleibt erhalten).",
)
def bench(
    sizes: tuple[int, ...],
    urls: tuple[str, ...],
    repeat: int,
    workers: int,
    intake_seconds: float,
    keep: bool,
    reuse: bool,
) -> None:
    """Seed cases with histories and time the pages through the WSGI application."""
    from zentrum.bench import BenchmarkError
    from zentrum.bench_pages import Options, run_bench

    targets = [None if url == "sqlite" else url for url in urls] or [None]
    if (keep or reuse) and None in targets:
        raise click.UsageError(
            "--keep und --reuse brauchen eine --database-url (z. B. sqlite:////pfad/bench.db)."
        )
    options = Options(repeat, workers, intake_seconds, keep, reuse)
    try:
        run_bench(list(sizes) or [10_000], targets, options, click.echo)
    except BenchmarkError as error:
        raise click.ClickException(str(error)) from error


@click.command("bench-dashboard")
@click.option("--handovers", default=1_000_000, show_default=True, type=click.IntRange(min=1))
@click.option(
    "--database-url",
    help="Leere Datenbank für den Benchmark (Vorgabe: neue SQLite-Datei in einem Temp-Ordner)",
)
@click.option("--repeat", default=5, show_default=True, type=click.IntRange(min=1))
def bench_dashboard(handovers: int, database_url: str | None, repeat: int) -> None:
    """Fill an empty database with a year of handovers and time the supervisors' dashboard."""
    from zentrum.bench import BenchmarkError
    from zentrum.bench_timing import run_benchmark

    try:
        run_benchmark(handovers, database_url, repeat, click.echo)
    except BenchmarkError as error:
        raise click.ClickException(str(error)) from None


@click.command("translations")
@click.option(
    "--compile-only",
    is_flag=True,
    help="Nur die bearbeiteten .po-Dateien übersetzen (.mo), ohne neu zu extrahieren.",
)
def translations_command(compile_only: bool) -> None:
    """Extract the marked strings, update the catalogues (babel.cfg) and compile them.

    Run it after changing texts, translate what it reports in
    zentrum/translations/<lang>/LC_MESSAGES/messages.po, then run it again.
    """
    from zentrum.translations_tool import po_path, run

    for locale, state in run(compile_only=compile_only).items():
        todo = state.missing + state.untranslated + state.fuzzy
        click.echo(f"{locale}: {po_path(locale)} – {len(todo)} zu übersetzen")
        for msgid in todo:
            click.echo(f"  {msgid[:90]!r}")
        if todo:
            raise click.exceptions.Exit(1)


def register_cli(app: Flask) -> None:
    """Add our commands to ``flask`` and ``zentrum``."""
    for command in (
        init_db,
        create_user_command,
        reset_2fa_command,
        demo,
        escalate_command,
        report_command,
        retention_command,
        vvz_command,
        bench_dashboard,
        audit_group,
        translations_command,
        bench,
        backup_command,
        restore_command,
    ):
        app.cli.add_command(command)


def main() -> None:
    """Entry point of the ``zentrum`` console script."""
    cli()

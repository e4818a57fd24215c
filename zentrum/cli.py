"""Command line: ``zentrum demo``, ``zentrum init-db``, ``zentrum create-user`` and Flask's own."""

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from zentrum import create_app
from zentrum.domain.vocab import Role
from zentrum.extensions import db
from zentrum.models import Partner
from zentrum.seed import seed_reference_data
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
@click.password_option("--password", prompt="Passwort", help="Wird abgefragt, wenn nicht angegeben")
def create_user_command(username, role, display_name, partner_code, password) -> None:
    """Create a user account for a real deployment."""
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
    db.session.commit()
    click.echo(f"Benutzer {user.username} ({role}) angelegt.")


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
    click.echo(f"Demo-Daten: {created} neue Anliegen angelegt.")
    click.echo(f"Demo-Zugänge (nur für die Demo), Passwort für alle: {DEMO_PASSWORD}")
    for user in users:
        partner = f" – {user.partner.name}" if user.partner else ""
        click.echo(f"  {user.username:<14} {user.role}{partner}")
    if serve:
        click.echo(f"Zentrum Zukunft läuft auf http://{host}:{port}/")
        # Flask's app.run() refuses to serve inside its own CLI; werkzeug serves directly.
        run_simple(host, port, current_app._get_current_object(), threaded=True)


def register_cli(app: Flask) -> None:
    """Add our commands to ``flask`` and ``zentrum``."""
    for command in (init_db, create_user_command, demo):
        app.cli.add_command(command)


def main() -> None:
    """Entry point of the ``zentrum`` console script."""
    cli()

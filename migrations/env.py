"""Alembic environment: the app's engine and metadata, batch mode for SQLite."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from zentrum.models.base import UTCDateTime

config = context.config
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db


def render_item(type_, obj, autogen_context):
    """Write our UTC column type as the plain DateTime it is stored as."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_offline():
    """Emit SQL for the migrations without a database connection."""
    url = target_db.engine.url.render_as_string(hide_password=False)
    context.configure(
        url=url,
        target_metadata=target_db.metadata,
        literal_binds=True,
        render_as_batch=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run the migrations on the app's engine."""

    def process_revision_directives(_context, _revision, directives):
        # No empty revision files when autogenerate finds no change.
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args.setdefault("render_item", render_item)
    conf_args.setdefault("compare_type", True)
    with target_db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a SQLite table (copy, drop, rename); with foreign keys on,
            # dropping a table that other rows point to fails. Off for the migration (set on
            # the driver's connection, outside any transaction, or SQLite ignores it), checked
            # before the commit, and on again before the connection goes back to the pool.
            _pragma(connection, "PRAGMA foreign_keys=OFF")
        try:
            context.configure(
                connection=connection, target_metadata=target_db.metadata, **conf_args
            )
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")
        finally:
            if sqlite:
                # Never hand the pool a connection without foreign keys: drop this one,
                # new connections switch them on when they connect.
                connection.invalidate()


def _pragma(connection, statement: str) -> None:
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(statement)
    finally:
        cursor.close()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

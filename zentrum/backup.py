"""Online backup and restore of either database, while the service keeps running.

SQLite: the backup API copies the database page by page inside one read transaction, so
the copy is the state of one moment (with WAL, writers go on meanwhile). PostgreSQL:
``pg_dump -Fc`` reads everything in one repeatable-read transaction – again one moment –
into a compressed archive that ``pg_restore`` loads into an empty database.
"""

import glob
import os
import shutil
import sqlite3
import subprocess  # pg_dump/pg_restore with an argument list, no shell # nosec B404
from pathlib import Path

import sqlalchemy as sa


class BackupError(RuntimeError):
    """The backup or restore could not be made."""


def _url(database_url: str) -> sa.URL:
    return sa.engine.make_url(database_url)


def _pg_tool(name: str) -> str:
    """The newest ``pg_dump``/``pg_restore``: on the PATH or in Debian's versioned folders."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not candidates:
        raise BackupError(f"{name} nicht gefunden (Paket postgresql-client installieren).")
    return candidates[-1]


def _pg_args(url: sa.URL) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for the PostgreSQL tools; the password goes by environment."""
    args = ["--no-password"]
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - fixed tool, our arguments # nosec B603
    if result.returncode != 0:
        raise BackupError(result.stderr.strip() or f"{command[0]} endete mit {result.returncode}")


def _sqlite_path(url: sa.URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("Eine SQLite-Datenbank im Speicher lässt sich nicht sichern.")
    return Path(url.database)


def backup(database_url: str, target: Path) -> None:
    """Write a consistent copy of the running database to ``target`` (must not exist)."""
    url = _url(database_url)
    if target.exists():
        raise BackupError(f"{target} gibt es schon; eine Sicherung überschreibt nichts.")
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(_sqlite_path(url))
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)  # all pages in one step: one read transaction
        finally:
            copy.close()
            source.close()
    elif url.get_backend_name() == "postgresql":
        args, env = _pg_args(url)
        command = [_pg_tool("pg_dump"), *args, "--format=custom", "--file", str(target)]
        _run([*command, "--dbname", url.database or ""], env)
    else:
        raise BackupError(f"Keine Sicherung für {url.get_backend_name()}.")


def _empty(url: sa.URL) -> bool:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return not sa.inspect(connection).get_table_names()
    finally:
        engine.dispose()


def restore(source: Path, database_url: str) -> None:
    """Load a backup into an empty database (a new SQLite file, a fresh PostgreSQL one)."""
    url = _url(database_url)
    if not source.exists():
        raise BackupError(f"{source} gibt es nicht.")
    if url.get_backend_name() == "sqlite":
        path = _sqlite_path(url)
        if path.exists() and path.stat().st_size:
            raise BackupError(
                f"{path} gibt es schon; wiederhergestellt wird nur in eine neue Datei."
            )
        backup(f"sqlite:///{source}", path)
    elif url.get_backend_name() == "postgresql":
        if not _empty(url):
            raise BackupError("Die Zieldatenbank ist nicht leer.")
        args, env = _pg_args(url)
        command = [_pg_tool("pg_restore"), *args, "--no-owner", "--exit-on-error"]
        _run([*command, "--dbname", url.database or "", str(source)], env)
    else:
        raise BackupError(f"Keine Wiederherstellung für {url.get_backend_name()}.")

"""`flask db backup FILE` and `flask db restore FILE`: the whole database, while the app runs.

SQLite is copied with its online backup API (a consistent copy while others write); PostgreSQL
with `pg_dump --format=custom` and `pg_restore --clean`. Connection details reach pg_dump through
libpq's environment variables, never its command line (which `ps` shows to every user).
"""

import os
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import click
from flask_migrate.cli import db as db_cli
from sqlalchemy import make_url

from crm.extensions import db

SQLITE_HEADER = b"SQLite format 3\x00"


class BackupError(Exception):
    """The backup or the restore cannot be done; str() says why."""


def _url():
    return make_url(str(db.engine.url.render_as_string(hide_password=False)))


def _libpq_env(url):
    env = dict(os.environ)
    for name, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value is not None:
            env[name] = str(value)
    return env


def _run(command, url):
    try:
        # An argument list from our own settings, no shell.
        done = subprocess.run(command, env=_libpq_env(url), capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client)") from error
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def backup_database(path):
    """Write a consistent copy of the whole database to `path`."""
    url, path = _url(), Path(path)
    db.session.remove()
    if url.get_backend_name() == "sqlite":
        with closing(sqlite3.connect(url.database)) as source, closing(sqlite3.connect(path)) as target:
            source.backup(target)
    elif url.get_backend_name() == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(path)], url)
    else:
        raise BackupError(f"no backup for {url.get_backend_name()}")


def restore_database(path):
    """Replace the whole database with the backup at `path` (made by backup_database)."""
    url, path = _url(), Path(path)
    if not path.is_file():
        raise BackupError(f"no such file: {path}")
    db.session.remove()
    db.engine.dispose()
    if url.get_backend_name() == "sqlite":
        with path.open("rb") as file:
            if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                raise BackupError(f"{path} is not an SQLite backup")
        with closing(sqlite3.connect(path)) as source:
            if not source.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone():
                raise BackupError(f"{path} is not a backup of this application (no alembic_version table)")
            with closing(sqlite3.connect(url.database)) as target:
                source.backup(target)
    elif url.get_backend_name() == "postgresql":
        _run(["pg_restore", "--list", str(path)], url)  # refuses a file that is not a pg_dump archive
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", "--dbname",
              url.database, str(path)], url)  # fmt: skip
    else:
        raise BackupError(f"no restore for {url.get_backend_name()}")


@db_cli.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
def backup_command(file):
    """Copy the whole database to FILE (safe while the app runs)."""
    try:
        backup_database(file)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up the database to {file}.")


@db_cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(file, yes):
    """Replace the whole database with the backup FILE (stop the web and mail workers first)."""
    if not yes:
        click.confirm("This replaces every row of the database with the backup. Go on?", abort=True)
    try:
        restore_database(file)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored the database from {file}.")

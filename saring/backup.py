"""`flask backup PATH`: a consistent copy of the live SQLite database; PostgreSQL is copied with pg_dump."""

from __future__ import annotations

import contextlib
import os
import shlex
import sqlite3
import tempfile
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from .extensions import db


def pg_dump_command(url: sa.URL, target: str) -> str:
    """The pg_dump command that copies the database at `url` to `target`, without the password."""
    # URL.set() cannot drop a part: build the address again without the password
    plain = sa.URL.create("postgresql", username=url.username, host=url.host, port=url.port, database=url.database,
                          query=url.query).render_as_string(hide_password=False)
    return f"pg_dump --format=custom --file={shlex.quote(target)} {shlex.quote(plain)}"


def already_exists(path: Path) -> str:
    """Why an existing file is left alone."""
    return f"{path} already exists. Choose another name, or add --force to replace it."


def copy_sqlite(source: Path, target: Path, force: bool) -> str:
    """Copy the database at `source` to `target` with SQLite's online backup; return the copy's integrity check.

    The copy is one read transaction, so in WAL mode the app's processes keep writing meanwhile and the
    copy holds the database as it was when the backup began. It is written beside `target` and put in
    place only once checked, so a failed copy never leaves a half-written file or replaces a good one.
    """
    # mode=rw: a mistyped path must not create an empty database
    with contextlib.closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=rw", uri=True)) as live:
        live.execute(f"PRAGMA busy_timeout={int(current_app.config['SQLITE_BUSY_TIMEOUT_MS'])}")
        handle, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
        os.close(handle)
        try:
            with contextlib.closing(sqlite3.connect(partial)) as copy:
                live.backup(copy)  # every page in one step: a step-by-step copy restarts whenever the app writes
                copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, without -wal and -shm
                check = copy.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise click.ClickException(f"The copy failed its integrity check ({check}); nothing was written.")
            if not force:
                open(target, "xb").close()  # fails if the file appeared meanwhile: nothing is ever overwritten
            os.replace(partial, target)
        except FileExistsError:
            raise click.ClickException(already_exists(target)) from None
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)
    return check


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@with_appcontext
def backup_command(path: Path, force: bool) -> None:
    """Copy the database to PATH while the app keeps running (SQLite; for PostgreSQL it shows the pg_dump command)."""
    url = db.engine.url  # as Flask-SQLAlchemy resolved it (a relative SQLite path is in the instance folder)
    if url.get_backend_name() == "postgresql":
        raise click.ClickException(
            "This database is PostgreSQL: copy it with PostgreSQL's own tool, which also copies it while the "
            f"app runs:\n  {pg_dump_command(url, str(path))}\n"
            "(give the password in PGPASSWORD or ~/.pgpass; restore with pg_restore)")
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise click.ClickException(f"flask backup copies a SQLite file or names pg_dump for PostgreSQL, "
                                   f"not {url.render_as_string(hide_password=True)}.")
    source = Path(url.database)
    if not source.is_file():
        raise click.ClickException(f"There is no database at {source}: nothing to copy.")
    if path.exists() and not force:
        raise click.ClickException(already_exists(path))
    if not path.parent.is_dir():
        raise click.ClickException(f"The folder {path.parent} does not exist.")
    if path.resolve() == source.resolve():
        raise click.ClickException("PATH is the live database itself; choose another file.")
    check = copy_sqlite(source, path, force)
    click.echo(f"Copied {source} to {path} ({path.stat().st_size // 1024:,} KB, integrity check: {check}).")

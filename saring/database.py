"""Database set-up shared by every feature: SQLite pragmas and the session's error handling."""

import sqlite3
import sys
from datetime import UTC, datetime

import click
import sqlalchemy as sa
from flask import Flask

from .extensions import db


def engine_options(uri: str, options: dict) -> dict:
    """The engine's options for this database: a SQLite file never drops a connection, so it skips the ping."""
    return {**options, "pool_pre_ping": False} if uri.startswith("sqlite") else options


def init_database(app: Flask) -> None:
    """Make SQLite safe for several processes: WAL journal, a busy timeout, foreign keys."""
    busy_timeout = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])

    def on_connect(dbapi_connection, _record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={busy_timeout}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

    with app.app_context():
        sa.event.listen(db.engine, "connect", on_connect)


def init_migrations(app: Flask, folder) -> None:
    """Bind Flask-Migrate under the `flask` command (for `flask db`), or where it is already loaded (tests).

    A served app never migrates, and Alembic with the template engine it brings costs every gunicorn
    worker about 10 MB, so it is imported here, on demand, instead of with the other extensions.
    """
    if click.get_current_context(silent=True) is not None or "flask_migrate" in sys.modules:
        from flask_migrate import Migrate
        Migrate(app, db, directory=str(folder), render_as_batch=True)


def database_status() -> tuple[bool, str]:
    """Whether the database answers a trivial query, and a short reason if not."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        return True, "ok"
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        return False, type(error.orig or error).__name__


def utcnow() -> datetime:
    """The current time in UTC, as stored in the database (without a zone, the same on every database)."""
    return datetime.now(UTC).replace(tzinfo=None)

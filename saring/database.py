"""Database set-up shared by every feature: SQLite pragmas and the session's error handling."""

import contextlib
import sqlite3
import sys
from datetime import UTC, datetime

import click
import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.dialects import postgresql, sqlite

from .extensions import db

# errors that mean the database cannot answer now (down, unreachable, locked, out of connections), not a bug
UNAVAILABLE = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)
CONNECT_TIMEOUT_S = 5  # a server that does not answer at all fails a request in seconds, not when gunicorn kills it

# INSERT … ON CONFLICT by dialect: the two databases Saring runs on
DIALECT_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def engine_options(uri: str, options: dict, statement_timeout_ms: int, lock_timeout_ms: int) -> dict:
    """The engine's options for this database.

    Errors never carry the statement's values (a username, a password hash) into a log. A SQLite file never
    drops a connection, so it skips the ping (its busy timeout is set per connection: `init_database`). A
    server gets a connect timeout, and a statement and a lock timeout (0: none), unless the URL sets its own:
    a locked table or a slow query then fails the request with the 503 page in seconds, long before gunicorn
    would kill the worker, and the worker goes on serving.
    """
    options = {"hide_parameters": True, **options}
    if uri.startswith("sqlite"):
        return {**options, "pool_pre_ping": False}
    query = sa.engine.make_url(uri).query
    connect_args = {}
    if "connect_timeout" not in query:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_S
    if "options" not in query and (statement_timeout_ms or lock_timeout_ms):
        connect_args["options"] = (f"-c statement_timeout={int(statement_timeout_ms)} "
                                   f"-c lock_timeout={int(lock_timeout_ms)}")
    options["connect_args"] = {**connect_args, **options.get("connect_args", {})}
    return options


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
    teardowns = app.teardown_appcontext_funcs
    teardowns[teardowns.index(db._teardown_session)] = end_session_even_on_a_dead_connection


def end_session_even_on_a_dead_connection(_error) -> None:
    """Flask-SQLAlchemy's end of a request (`session.remove()`, which rolls back), with one difference: when
    the rollback fails (the server dropped the connection), the session is still let go and its connection
    given up, then the error goes on to saring.logs.RequestLog, which answers the 503 page."""
    try:
        db.session.remove()
    except UNAVAILABLE:
        with contextlib.suppress(sa.exc.SQLAlchemyError):
            db.session.registry().invalidate()
        db.session.registry.clear()
        raise


def init_migrations(app: Flask, folder) -> None:
    """Bind Flask-Migrate under the `flask` command (for `flask db`), or where it is already loaded (tests).

    A served app never migrates, and Alembic with the template engine it brings costs every gunicorn
    worker about 10 MB, so it is imported here, on demand, instead of with the other extensions.
    """
    if click.get_current_context(silent=True) is not None or "flask_migrate" in sys.modules:
        from flask_migrate import Migrate
        Migrate(app, db, directory=str(folder), render_as_batch=True)


HEALTH_TIMEOUT_MS = 500  # a load balancer's check gets its answer well within a second
# a real write that changes nothing: a file or a server that takes no writes refuses it, a lock makes it wait
WRITE_PROBE = "DELETE FROM limit_hits WHERE 1 = 0"


def database_status() -> tuple[bool, str, str]:
    """Whether the database could take a write now; if not, the error's name and why (`unavailable_reason`).

    A write probe, rolled back, waits at most HEALTH_TIMEOUT_MS for a lock: SQLite's write lock (readers
    are let in while another process holds it, writers are not), or a server's locks and statement time.
    """
    try:
        with db.engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql(f"PRAGMA busy_timeout={HEALTH_TIMEOUT_MS}")
                try:
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                    connection.exec_driver_sql(WRITE_PROBE)
                finally:
                    connection.rollback()
                    busy_timeout = int(current_app.config["SQLITE_BUSY_TIMEOUT_MS"])
                    connection.exec_driver_sql(f"PRAGMA busy_timeout={busy_timeout}")
            else:
                connection.exec_driver_sql(f"SET LOCAL lock_timeout = {HEALTH_TIMEOUT_MS}")
                connection.exec_driver_sql(f"SET LOCAL statement_timeout = {HEALTH_TIMEOUT_MS}")
                connection.exec_driver_sql(WRITE_PROBE)
                connection.rollback()
        return True, "ok", "ok"
    except sa.exc.SQLAlchemyError as error:
        return False, type(getattr(error, "orig", None) or error).__name__, unavailable_reason(error)


def unavailable_reason(error: Exception) -> str:
    """Why the database did not answer, in one word a status page or a log can show without any detail:
    `locked` (SQLite busy beyond its timeout, a PostgreSQL lock timeout), `slow` (a statement timeout),
    `read-only` (it takes no writes), `full` (no room left on the disk), `busy` (every pooled connection in
    use), `unreachable` (no connection) or `error`."""
    message = str(getattr(error, "orig", None) or error)
    if isinstance(error, sa.exc.TimeoutError):
        return "busy"
    if "database is locked" in message or "lock timeout" in message:
        return "locked"
    if "statement timeout" in message:
        return "slow"
    if any(sign in message for sign in ("readonly database", "read-only transaction", "disk I/O error")):
        return "read-only"  # a file or server that takes no writes (an I/O error: a file made immutable, a bad disk)
    if "disk is full" in message or "No space left" in message:
        return "full"
    if isinstance(error, UNAVAILABLE):
        return "unreachable"
    return "error"


def driver_message(error: Exception) -> str:
    """The first line of the driver's own message (never a statement's values: see `engine_options`)."""
    lines = str(getattr(error, "orig", None) or error).strip().splitlines()
    return lines[0][:300] if lines else ""


def forget_failed_work() -> None:
    """Roll back the request's transaction after a database error, even when the connection is gone.

    A connection the driver reports as broken is already discarded by SQLAlchemy (and a server's are
    pinged before reuse), so the next request opens a new one once the database is back.
    """
    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        db.session.close()  # nothing left to undo on a dead connection: give it back to the pool to be dropped


def utcnow() -> datetime:
    """The current time in UTC, as stored in the database (without a zone, the same on every database)."""
    return datetime.now(UTC).replace(tzinfo=None)

"""Migrations keep every row, up from the first revision and back down, and build what the models declare."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from saring.config import PROJECT_ROOT
from saring.extensions import db
from tests.conftest import make_app, scratch_database

FIRST = "483a5cc9f29c"


@pytest.fixture
def empty_database(database_url, tmp_path):
    """A database with no tables, of the same kind as this run's."""
    if sa.engine.make_url(database_url).get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    with scratch_database(database_url, "saring_migrations") as url:
        yield url


def counts(connection):
    return {table: connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("users", "lesson_progress", "quiz_attempts", "quiz_answers")}


def test_upgrade_from_the_first_revision_and_back_keeps_every_row(empty_database):
    app = make_app(empty_database)
    with app.app_context():
        upgrade(revision=FIRST)
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO users (id, username, password_hash, locale, created_at) "
                "VALUES (1, 'ani', 'x', 'id', CURRENT_TIMESTAMP)"))
            connection.execute(sa.text(
                "INSERT INTO lesson_progress (user_id, module_id, lesson_id, completed_at) "
                "VALUES (1, 'hoaks', 'jenis-misinformasi', CURRENT_TIMESTAMP)"))
            connection.execute(sa.text(
                "INSERT INTO quiz_attempts (id, user_id, module_id, lang, submission_key, score, total, percent, "
                "passed, created_at) VALUES (1, 1, 'hoaks', 'id', 'k', 1, 1, 100, true, CURRENT_TIMESTAMP)"))
            connection.execute(sa.text(
                "INSERT INTO quiz_answers (attempt_id, question_id, chosen, correct) VALUES (1, 'q', 'a', true)"))
        expected = {"users": 1, "lesson_progress": 1, "quiz_attempts": 1, "quiz_answers": 1}
        upgrade()
        with db.engine.connect() as connection:
            assert counts(connection) == expected
            assert connection.execute(sa.text("SELECT session_version FROM users")).scalar() == 0
        downgrade(revision=FIRST)
        with db.engine.connect() as connection:
            assert counts(connection) == expected
        db.engine.dispose()


def test_the_migrations_build_what_the_models_declare(empty_database):
    """An index or column declared on a model but missing from the migrations (or the reverse) fails here."""
    app = make_app(empty_database)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
        db.engine.dispose()
    assert differences == []


def test_a_served_app_leaves_alembic_out_and_the_flask_command_keeps_flask_db(tmp_path):
    """Alembic costs each gunicorn worker about 10 MB; only `flask db` needs it."""
    env = {**os.environ, "SARING_ENV": "production", "SECRET_KEY": "x" * 64,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'served.sqlite3'}", "CONTENT_CACHE_FILE": str(tmp_path / "c.json")}
    served = subprocess.run([sys.executable, "-c", "import sys, app; print('alembic' in sys.modules)"],
                            cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=True)
    assert served.stdout.strip() == "False"
    flask = Path(sys.executable).parent / "flask"
    command = subprocess.run([flask, "--app", "app", "db", "upgrade"], cwd=PROJECT_ROOT, env=env,
                             capture_output=True, text=True)
    assert command.returncode == 0, command.stderr
    assert "Running upgrade" in command.stderr

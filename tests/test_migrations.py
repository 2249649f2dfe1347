"""Migrations keep every row, up from the first revision and back down, and build what the models declare."""

import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from saring.config import PROJECT_ROOT
from saring.editing.tallies import recount
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


CLASSES = "c1b7d8016248"  # adds classrooms, assignments and memberships (user_roles came one revision before)
TYPES = {"created_at": sa.DateTime, "published_at": sa.DateTime, "last_seen_at": sa.DateTime,
         "completed_at": sa.DateTime, "started_at": sa.DateTime, "joined_at": sa.DateTime, "due_date": sa.Date,
         "passed": sa.Boolean, "correct": sa.Boolean, "joining_open": sa.Boolean, "created_here": sa.Boolean,
         "must_change_password": sa.Boolean}
MOMENT = datetime(2026, 7, 20, 9, 15, 30, 123456)  # microseconds too: a rebuilt table must not round them

# Rows written at the first revision, in every table it had.
FIRST_ROWS = {
    "users": [
        {"id": 1, "username": "ani", "email": None, "password_hash": "pbkdf2:sha256:1000$a$1", "locale": "id",
         "created_at": MOMENT},
        {"id": 2, "username": "siti.nuraini", "email": "siti@sekolah.example", "password_hash": "scrypt:b$2",
         "locale": "en", "created_at": MOMENT + timedelta(days=1)},
        {"id": 3, "username": "bu-sari", "email": None, "password_hash": "scrypt:c$3", "locale": "id",
         "created_at": MOMENT + timedelta(days=2)},
    ],
    "lesson_progress": [
        {"id": n, "user_id": user, "module_id": "hoaks", "lesson_id": lesson,
         "completed_at": MOMENT + timedelta(minutes=n)}
        for n, (user, lesson) in enumerate([(1, "jenis-misinformasi"), (1, "kenapa-kita-menyebar"),
                                            (2, "jenis-misinformasi")], 1)],
    "quiz_attempts": [
        {"id": 1, "user_id": 1, "module_id": "hoaks", "lang": "id", "submission_key": "a" * 32, "score": 1,
         "total": 2, "percent": 50, "passed": False, "created_at": MOMENT + timedelta(hours=1)},
        {"id": 2, "user_id": 2, "module_id": "hoaks", "lang": "en", "submission_key": "b" * 32, "score": 2,
         "total": 2, "percent": 100, "passed": True, "created_at": MOMENT + timedelta(hours=2)},
    ],
    "quiz_answers": [
        {"id": 1, "attempt_id": 1, "question_id": "hoaks-q1", "chosen": "a", "correct": True},
        {"id": 2, "attempt_id": 1, "question_id": "hoaks-q2", "chosen": "b,c", "correct": False},
        {"id": 3, "attempt_id": 2, "question_id": "hoaks-q1", "chosen": "a", "correct": True},
        {"id": 4, "attempt_id": 2, "question_id": "hoaks-q2", "chosen": "a,d", "correct": True},
    ],
}
# The item report's tallies that the upgrade counts from those rows: each learner's earliest attempt is
# their first; per answer, right is 1 or 0 and rest the score without it.
TALLIES = {
    "first_attempts": [{"user_id": 1, "module_id": "hoaks", "attempt_id": 1},
                       {"user_id": 2, "module_id": "hoaks", "attempt_id": 2}],
    "quiz_tallies": [{"module_id": "hoaks", "takers": 2}],
    "question_tallies": [  # q1: right twice, rests 0 and 1; q2: wrong with rest 1, right with rest 1
        {"module_id": "hoaks", "question_id": "hoaks-q1", "answers": 2, "right_answers": 2, "rest_sum": 1,
         "rest_sum_right": 1, "rest_squares": 1},
        {"module_id": "hoaks", "question_id": "hoaks-q2", "answers": 2, "right_answers": 1, "rest_sum": 2,
         "rest_sum_right": 1, "rest_squares": 2}],
    "choice_tallies": [{"module_id": "hoaks", "question_id": "hoaks-q1", "chosen": "a", "answers": 2},
                       {"module_id": "hoaks", "question_id": "hoaks-q2", "chosen": "a,d", "answers": 1},
                       {"module_id": "hoaks", "question_id": "hoaks-q2", "chosen": "b,c", "answers": 1}],
    "lesson_tallies": [{"module_id": "hoaks", "lesson_id": "jenis-misinformasi", "finished": 2},
                       {"module_id": "hoaks", "lesson_id": "kenapa-kita-menyebar", "finished": 1}],
    "lesson_start_tallies": [{"module_id": "hoaks", "lesson_id": "jenis-misinformasi", "started": 2},
                             {"module_id": "hoaks", "lesson_id": "kenapa-kita-menyebar", "started": 1}],
}
# A finished lesson was opened: the upgrade records that, at the time it was finished.
OPENED = {"lesson_starts": [{"id": row["id"], "user_id": row["user_id"], "module_id": row["module_id"],
                             "lesson_id": row["lesson_id"], "started_at": row["completed_at"]}
                            for row in FIRST_ROWS["lesson_progress"]]}
# What later revisions add to those rows when they upgrade: each new column's default.
ADDED_TO_USERS = {"session_version": 0, "must_change_password": False, "display_name": None, "pages_version": 0}
ADDED_TO_ATTEMPTS = {"quiz_version": None, "recorded_by_id": None}


def upgraded(rows):
    """The first revision's rows as the latest revision holds them, with the tallies counted from them."""
    return {**rows, "users": [{**user, **ADDED_TO_USERS} for user in rows["users"]],
            "quiz_attempts": [{**attempt, **ADDED_TO_ATTEMPTS} for attempt in rows["quiz_attempts"]], **TALLIES,
            **OPENED}
# Rows written at the latest revision, in the tables later revisions made.
LATER_ROWS = {
    "user_roles": [{"id": 1, "user_id": 3, "role": "teacher"}, {"id": 2, "user_id": 1, "role": "admin"}],
    "classrooms": [{"id": 1, "teacher_id": 3, "name": "8B Literasi", "school": "SMP 1", "grade": "8",
                    "join_code": "K7PQ2M", "joining_open": False, "created_at": MOMENT + timedelta(days=3)}],
    "assignments": [{"id": 1, "classroom_id": 1, "module_id": "hoaks", "due_date": date(2026, 12, 31),
                     "created_at": MOMENT + timedelta(days=3)},
                    {"id": 2, "classroom_id": 1, "module_id": "cek-fakta", "due_date": None,
                     "created_at": MOMENT + timedelta(days=4)}],
    "memberships": [{"id": 1, "classroom_id": 1, "user_id": 1, "joined_at": MOMENT + timedelta(days=5),
                     "created_here": False},
                    {"id": 2, "classroom_id": 1, "user_id": 2, "joined_at": MOMENT + timedelta(days=5),
                     "created_here": True}],
    "sign_ins": [{"id": 1, "user_id": 1, "key_digest": "d" * 64, "device": "Chrome/Android",
                  "created_at": MOMENT + timedelta(days=6), "last_seen_at": MOMENT + timedelta(days=7)},
                 {"id": 2, "user_id": 1, "key_digest": "e" * 64, "device": "/",
                  "created_at": MOMENT + timedelta(days=8), "last_seen_at": MOMENT + timedelta(days=8)}],
    "content_revisions": [{"id": 1, "path": "lessons/hoaks/module.yml", "text": "order: 1\n", "message": "Typo",
                           "author_id": 1, "base_id": None, "created_at": MOMENT + timedelta(days=9),
                           "published_at": MOMENT + timedelta(days=9)},
                          {"id": 2, "path": "lessons/hoaks/module.yml", "text": None, "message": "",
                           "author_id": None, "base_id": 1, "created_at": MOMENT + timedelta(days=10),
                           "published_at": None}],
    "content_live": [{"path": "lessons/hoaks/module.yml", "revision_id": 1}],
}
# Values later revisions' columns get at the latest revision; they go when a downgrade drops the column.
LATER_USER_VALUES = {2: {"must_change_password": True, "display_name": "Siti Nur'aini",
                                                      "pages_version": 7}}


def typed_table(name, columns):
    return sa.table(name, *(sa.column(column, TYPES.get(column)) for column in columns))


def insert(connection, rows_by_table):
    for name, rows in rows_by_table.items():
        connection.execute(sa.insert(typed_table(name, rows[0])), rows)


def assert_rows_kept(connection, expected):
    """Every expected row is there with every value, in each table and column the current revision has."""
    inspector = sa.inspect(connection)
    for name, rows in expected.items():
        if not inspector.has_table(name):
            continue
        columns = [column["name"] for column in inspector.get_columns(name)]
        assert set(columns) <= set(rows[0]), f"{name} has columns this test does not know: fill them too"
        found = connection.execute(sa.select(typed_table(name, columns))
                                   .order_by(*map(sa.column, columns))).mappings().all()
        assert [dict(row) for row in found] == [{column: row[column] for column in columns} for row in rows], name


def current_revision(connection):
    return MigrationContext.configure(connection).get_current_revision()


def step_down_to(revision, expected):
    """Downgrade one revision at a time, checking every row after each step."""
    while True:
        with db.engine.connect() as connection:
            assert_rows_kept(connection, expected)
            if current_revision(connection) == revision:
                return
        downgrade(revision="-1")


def test_upgrade_from_the_first_revision_and_back_keeps_every_row(empty_database):
    app = make_app(empty_database)
    with app.app_context():
        upgrade(revision=FIRST)
        with db.engine.begin() as connection:
            insert(connection, FIRST_ROWS)
        upgrade()
        expected = upgraded(FIRST_ROWS)
        with db.engine.begin() as connection:
            assert_rows_kept(connection, expected)
            recount(connection)  # the same statements as the upgrade's: nothing changes
            assert_rows_kept(connection, expected)
            insert(connection, LATER_ROWS)
            for user_id, values in LATER_USER_VALUES.items():
                connection.execute(sa.update(typed_table("users", values)).where(sa.column("id") == user_id)
                                   .values(values))
        expected.update(LATER_ROWS)
        expected["users"] = [{**user, **LATER_USER_VALUES.get(user["id"], {})} for user in expected["users"]]

        # down to the revision that made the classes and up again: every row comes back; a column a
        # downgrade dropped comes back with its default
        step_down_to(CLASSES, expected)
        upgrade()
        for made_after_the_classes in ("sign_ins", "content_revisions", "content_live"):
            expected.pop(made_after_the_classes)  # a downgrade there signs everyone out and forgets edits
        dropped = {"display_name": None, "pages_version": 0}
        expected["users"] = [{**user, **dropped} for user in expected["users"]]
        expected["memberships"] = [{**row, "created_here": False} for row in expected["memberships"]]
        with db.engine.connect() as connection:
            assert_rows_kept(connection, expected)

        # all the way down to the first revision and up again: the first revision's tables keep every row
        step_down_to(FIRST, expected)
        upgrade()
        with db.engine.connect() as connection:
            assert_rows_kept(connection, upgraded(FIRST_ROWS))
            assert all(connection.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar() == 0
                       for name in LATER_ROWS), "tables a downgrade dropped come back empty"
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


def test_doubled_answers_stop_the_upgrade_to_one_answer_per_question_and_change_nothing(empty_database, capfd):
    app = make_app(empty_database)
    with app.app_context():
        upgrade(revision="b92aedc4c469")
        doubled = {"quiz_answers": [*FIRST_ROWS["quiz_answers"], {**FIRST_ROWS["quiz_answers"][0], "id": 5}]}
        with db.engine.begin() as connection:
            insert(connection, {name: FIRST_ROWS[name] for name in ("users", "quiz_attempts")})
            insert(connection, doubled)
        with pytest.raises(SystemExit):  # how `flask db upgrade` stops, after logging the reason
            upgrade(revision="e51e83a887dc")
        assert "two answers to one question in attempts [1]" in capfd.readouterr().err
        with db.engine.connect() as connection:
            assert current_revision(connection) == "b92aedc4c469"
            assert_rows_kept(connection, doubled)
        db.engine.dispose()

"""`flask backup`: a consistent copy of a live SQLite database, never over an existing file; pg_dump for PostgreSQL."""

import contextlib
import sqlite3
import threading

import pytest
from flask_migrate import upgrade

from saring.extensions import db
from tests.conftest import make_app

ROWS_AT_START = 2000


@pytest.fixture
def live(tmp_path):
    """An app on a SQLite file of its own (whatever this run's database), migrated, with learners and progress."""
    path = tmp_path / "live.sqlite3"
    app = make_app(f"sqlite:///{path}")
    with app.app_context():
        upgrade()
        db.engine.dispose()
    with contextlib.closing(sqlite3.connect(path)) as connection, connection:
        add_learners(connection, range(ROWS_AT_START))
    yield app, path
    with app.app_context():
        db.engine.dispose()


def add_learners(connection, numbers):
    """Each learner comes with one finished lesson, in the same transaction."""
    for number in numbers:
        user_id = connection.execute(
            "INSERT INTO users (username, password_hash, locale, created_at) "
            "VALUES (?, 'x', 'id', CURRENT_TIMESTAMP)", (f"murid{number}",)).lastrowid
        connection.execute("INSERT INTO lesson_progress (user_id, module_id, lesson_id, completed_at) "
                           "VALUES (?, 'hoaks', 'jenis-misinformasi', CURRENT_TIMESTAMP)", (user_id,))


def check(path):
    """The copy's integrity check, its learners and their progress rows."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as copy:
        return (copy.execute("PRAGMA integrity_check").fetchone()[0],
                copy.execute("SELECT count(*) FROM users").fetchone()[0],
                copy.execute("SELECT count(*) FROM lesson_progress").fetchone()[0],
                copy.execute("PRAGMA journal_mode").fetchone()[0])


def test_backup_copies_every_row_into_one_checked_file(live, tmp_path):
    app, _path = live
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.sqlite3")])
    assert result.exit_code == 0, result.output
    assert "integrity check: ok" in result.output
    assert check(tmp_path / "copy.sqlite3") == ("ok", ROWS_AT_START, ROWS_AT_START, "delete")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("copy")) == ["copy.sqlite3"]


def test_a_copy_taken_while_another_connection_keeps_writing_is_consistent(live, tmp_path):
    app, path = live
    written, stop = threading.Event(), threading.Event()
    errors = []

    def keep_writing():
        with contextlib.closing(sqlite3.connect(path, timeout=30)) as connection:
            number = ROWS_AT_START
            while not stop.is_set() and number < ROWS_AT_START + 100_000:
                try:
                    with connection:  # a learner and their progress, in one transaction
                        add_learners(connection, [number])
                except sqlite3.Error as error:
                    errors.append(error)
                    return
                number += 1
                written.set()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        assert written.wait(30)
        results = [app.test_cli_runner().invoke(args=["backup", str(tmp_path / f"copy{n}.sqlite3")])
                   for n in range(3)]
    finally:
        stop.set()
        writer.join()
    assert errors == [], "the copies never stopped the writer"
    with contextlib.closing(sqlite3.connect(path)) as connection:
        final = connection.execute("SELECT count(*) FROM users").fetchone()[0]
    counts = []
    for n, result in enumerate(results):
        assert result.exit_code == 0, result.output
        integrity, users, progress, _mode = check(tmp_path / f"copy{n}.sqlite3")
        assert integrity == "ok"
        assert users == progress, "a learner without their progress: the copy caught half a transaction"
        counts.append(users)
    assert ROWS_AT_START < counts[0] <= counts[1] <= counts[2] <= final


def test_backup_never_overwrites_a_file_without_force(live, tmp_path):
    app, _path = live
    target = tmp_path / "copy.sqlite3"
    target.write_bytes(b"yesterday's backup")
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 1 and "already exists" in result.output and "--force" in result.output
    assert target.read_bytes() == b"yesterday's backup"
    result = app.test_cli_runner().invoke(args=["backup", "--force", str(target)])
    assert result.exit_code == 0, result.output
    assert check(target)[:3] == ("ok", ROWS_AT_START, ROWS_AT_START)


def test_backup_refuses_a_missing_folder(live, tmp_path):
    app, _path = live
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "missing" / "copy.sqlite3")])
    assert result.exit_code == 1 and "does not exist" in result.output
    assert not (tmp_path / "missing").exists()


def test_backup_never_writes_over_the_live_database(live):
    app, path = live
    before = path.read_bytes()
    result = app.test_cli_runner().invoke(args=["backup", "--force", str(path)])
    assert result.exit_code == 1 and "live database itself" in result.output
    assert path.read_bytes() == before


def test_backup_of_a_missing_database_creates_nothing(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'typo.sqlite3'}")
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.sqlite3")])
    assert result.exit_code == 1 and "There is no database at" in result.output
    assert list(tmp_path.iterdir()) == []


def test_on_postgresql_backup_shows_the_pg_dump_command_without_the_password(tmp_path):
    app = make_app("postgresql+psycopg://saring:rahasia@db.sekolah.example:5433/saring?sslmode=require")
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "saring.dump")])
    assert result.exit_code == 1
    assert (f"pg_dump --format=custom --file={tmp_path / 'saring.dump'} "
            "'postgresql://saring@db.sekolah.example:5433/saring?sslmode=require'") in result.output
    assert "rahasia" not in result.output and "PGPASSWORD" in result.output
    assert list(tmp_path.iterdir()) == []

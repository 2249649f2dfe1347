"""Site-wide behaviour: health check, error pages, start-up settings, migrations."""

import pytest

from saring.accounts import User
from saring.config import Config, ConfigError, normalise_database_url
from saring.extensions import db
from tests.conftest import make_app


def test_healthz_reports_app_and_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"app": "ok", "database": "ok"}


def test_healthz_says_when_the_database_is_down(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/missing/folder/db.sqlite3")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"app": "ok", "database": "OperationalError", "reason": "unreachable"}


def test_server_error_page_is_friendly_and_hides_the_trace(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/en/boom")
    def boom():
        raise RuntimeError("secret detail")

    response = app.test_client().get("/en/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "secret detail" not in response.text and "Traceback" not in response.text


def test_wrong_method_gets_a_page_in_the_language(client):
    response = client.get("/id/logout")
    assert response.status_code == 405
    assert '<html lang="id">' in response.text


def test_database_url_uses_psycopg():
    assert normalise_database_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_database_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_database_url("sqlite:///x") == "sqlite:///x"


def test_unknown_environment_is_refused(database_url):
    with pytest.raises(ConfigError, match="SARING_ENV"):
        make_app(database_url, ENV_NAME="staging")


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'pragmas.sqlite3'}")  # SQLite whatever this run's database is
    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == Config.SQLITE_BUSY_TIMEOUT_MS == 3000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with app.app_context():
        db.engine.dispose()


def test_migrations_match_the_models(runner):
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output


def test_an_over_long_request_gets_a_page_and_stores_nothing(app, client):
    response = client.post("/id/signup", data={"username": "budi", "password": "x" * 100_000})
    assert response.status_code == 413
    assert "Teksnya terlalu panjang" in response.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 0


@pytest.mark.parametrize("ci, outcome", [("true", pytest.fail.Exception), ("", pytest.skip.Exception)])
def test_a_missing_service_fails_under_ci_and_skips_elsewhere(monkeypatch, ci, outcome):
    """CI has PostgreSQL, Redis and Chromium: there a test that cannot reach one fails instead of skipping."""
    from tests.conftest import service_missing
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="REDIS IS NOT REACHABLE"):
        service_missing("REDIS IS NOT REACHABLE at redis://127.0.0.1:1/0")

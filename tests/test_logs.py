"""Structured logs: one JSON line per request, no names or secrets in it, errors with their trace."""

import json
import logging

import pytest

from saring.logs import REQUEST_ID_HEADER, JsonFormatter
from tests.conftest import PASSWORD


@pytest.fixture
def request_lines(caplog):
    """The `saring.request` records of the test so far (read it after the requests)."""
    caplog.set_level(logging.INFO, logger="saring.request")
    return lambda: [record for record in caplog.records if record.name == "saring.request"]


def as_json(record: logging.LogRecord) -> dict:
    """The record as the log shows it: one line of JSON."""
    line = JsonFormatter().format(record)
    assert "\n" not in line
    return json.loads(line)


def test_one_json_line_per_request_without_the_query_string(client, request_lines):
    response = client.get("/id/modules?q=Siti+Nuraini")
    [record] = request_lines()
    line = as_json(record)
    assert line["logger"] == "saring.request" and line["level"] == "info"
    assert line["method"] == "GET" and line["path"] == "/id/modules" and line["status"] == 200
    assert line["size"] == len(response.data)
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["user_id"] is None
    assert line["request_id"] == response.headers[REQUEST_ID_HEADER]
    assert "Siti" not in json.dumps(line)
    assert line["time"].endswith("+00:00")


def test_a_learners_lines_carry_their_id_never_their_name_or_password(client, create_user, request_lines):
    user_id = create_user("siti.nuraini")
    login = client.post("/id/login", data={"username": "siti.nuraini", "password": PASSWORD})
    home = client.get("/id/")
    again = client.get("/id/")  # a kept page, served without loading the account
    lines = [as_json(record) for record in request_lines()]
    assert [(line["method"], line["status"]) for line in lines] == [("POST", 302), ("GET", 200), ("GET", 200)]
    assert [line["user_id"] for line in lines] == [user_id] * 3
    assert len({line["request_id"] for line in lines}) == 3
    assert [line["request_id"] for line in lines] == [r.headers[REQUEST_ID_HEADER] for r in (login, home, again)]
    for line in lines:
        assert "siti" not in json.dumps(line) and PASSWORD not in json.dumps(line)


def test_a_failed_login_logs_no_username(client, request_lines):
    client.post("/en/login", data={"username": "budi.santoso", "password": "wrong password"})
    [record] = request_lines()
    line = json.dumps(as_json(record))
    assert "budi" not in line and "wrong password" not in line


def test_a_browsers_request_id_is_not_trusted(client, request_lines):
    response = client.get("/healthz", headers={REQUEST_ID_HEADER: "forged-by-a-browser"})
    assert response.headers[REQUEST_ID_HEADER] != "forged-by-a-browser"
    assert as_json(request_lines()[0])["request_id"] == response.headers[REQUEST_ID_HEADER]


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXIES": 1}])
def test_a_trusted_proxys_request_id_is_kept_when_it_is_safe(client, request_lines):
    kept = client.get("/healthz", headers={REQUEST_ID_HEADER: "nginx-4f2a9c"})
    assert kept.headers[REQUEST_ID_HEADER] == "nginx-4f2a9c"
    forged = client.get("/healthz", headers={REQUEST_ID_HEADER: 'x" "status": 200'})
    assert forged.headers[REQUEST_ID_HEADER] != 'x" "status": 200'
    assert [as_json(record)["request_id"] for record in request_lines()] == [
        "nginx-4f2a9c", forged.headers[REQUEST_ID_HEADER]]


def test_an_error_is_logged_as_json_with_its_trace_and_request_id(app, client, caplog):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken_view(**_kwargs):
        raise ZeroDivisionError("division by zero in the module list")

    app.view_functions["learn.modules"] = broken_view
    response = client.get("/en/modules")
    assert response.status_code == 500 and "division by zero" not in response.text
    [error] = [as_json(record) for record in caplog.records if record.exc_info]
    assert error["level"] == "error" and error["exception"] == "ZeroDivisionError"
    assert "division by zero in the module list" in error["trace"] and "broken_view" in error["trace"]
    assert error["request_id"] == response.headers[REQUEST_ID_HEADER]

"""Structured logs: one JSON line per request on `saring.request`, and every other record as JSON too.

A request's line holds its time, method, path (never the query string: it may carry names), status,
duration, response size, the signed-in account's id (never a username, name or password) and a request
id, which also answers in the `X-Request-Id` header. An error's line holds its exception's type and
stack trace: they go to the log only, never to a browser.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask, g, has_request_context, request, session

REQUEST_LOG = logging.getLogger("saring.request")
REQUEST_ID_HEADER = "X-Request-Id"
ENVIRON_REQUEST_ID = "saring.request_id"
ENVIRON_USER_ID = "saring.user_id"
# a proxy's request id is kept only when it could not break a log line or a header
PROXY_REQUEST_ID = re.compile(r"[A-Za-z0-9._:/+=@-]{1,128}", re.ASCII)
PATH_MAX = 512


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, the record's `fields`, and any exception."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON (a stack trace's newlines are escaped inside it)."""
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if getattr(record, "request_id", None):
            entry["request_id"] = record.request_id
        entry.update(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
            entry["trace"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)  # ASCII only: no character in a path can split the line


class RequestIdFilter(logging.Filter):
    """Tags a record made during a request with that request's id, so its lines can be found together."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add `request_id` to the record (never drops it)."""
        if has_request_context() and not hasattr(record, "request_id"):
            record.request_id = request.environ.get(ENVIRON_REQUEST_ID)
        return True


def signed_in_id() -> int | None:
    """The account id of the request's session, read without asking the database (it may be down)."""
    user = g.get("_login_user")  # Flask-Login's loaded user, when the request loaded it
    if user is not None:
        state = sa.inspect(user, raiseerr=False)
        return state.identity[0] if state is not None and state.identity else None
    # a kept page is served without loading the account: the signed session names it ("id:key")
    account, _, _key = str(session.get("_user_id", "")).partition(":")
    return int(account) if account.isdecimal() else None


def note_user(response):
    """After a view: remember who made the request, for its log line (written once the app has answered)."""
    request.environ[ENVIRON_USER_ID] = signed_in_id()
    return response


class RequestLog:
    """WSGI middleware: gives each request an id and logs it once the app has answered, whatever happened.

    Pages are built whole (nothing streams), so the app has answered when it returns: the line's duration
    is the app's time and its size the body's length, compressed if it was. The answer's status and
    headers go to the server only then, so an error raised after the view (Flask-SQLAlchemy's rollback
    at the end of the request, on a connection the database dropped) can still be answered with
    `failure_answer(environ, error)`, the app's own page, instead of the server's bare 500.
    """

    def __init__(self, wsgi_app: Callable, trust_request_id: bool,
                 failure_answer: Callable[[dict, Exception], tuple[str, list, bytes]]):
        self.wsgi_app = wsgi_app
        self.trust_request_id = trust_request_id
        self.failure_answer = failure_answer

    def request_id(self, environ: dict) -> str:
        """The trusted proxy's id for this request, or a new one."""
        sent = environ.get("HTTP_X_REQUEST_ID", "")
        if self.trust_request_id and PROXY_REQUEST_ID.fullmatch(sent):
            return sent
        return uuid.uuid4().hex

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        request_id = environ[ENVIRON_REQUEST_ID] = self.request_id(environ)
        answer: dict = {}

        def start_with_id(status: str, headers: list, exc_info=None):
            answer.update(status=status, headers=[*headers, (REQUEST_ID_HEADER, request_id)])
            return lambda data: start_response(answer["status"], answer["headers"])(data)  # Flask never writes

        try:
            body = self.wsgi_app(environ, start_with_id)
        except Exception as error:  # the app's own handlers are done: this is the last place to answer
            try:
                status, headers, page = self.failure_answer(environ, error)
            except Exception:  # not even the page could be made: still an answer, and still the line
                logging.getLogger("saring").exception("the failure page could not be made")
                status, headers, page = "503 SERVICE UNAVAILABLE", [("Content-Type", "text/plain"),
                                                                     ("Retry-After", "60")], b"Saring is busy.\n"
            answer.update(status=status, headers=[*headers, (REQUEST_ID_HEADER, request_id)])
            body = [page]
        finally:
            self.log(environ, answer, started)
        start_response(answer["status"], answer["headers"])
        return body

    def log(self, environ: dict, answer: dict, started: float) -> None:
        """The request's one line."""
        status = int(answer["status"].split(" ", 1)[0]) if "status" in answer else None
        size = next((value for name, value in answer.get("headers", ()) if name.lower() == "content-length"), None)
        method, path = environ.get("REQUEST_METHOD", "")[:16], request_path(environ)
        REQUEST_LOG.info("%s %s %s", method, path, status, extra={"fields": {
            "method": method, "path": path, "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "size": int(size) if size is not None and size.isdecimal() else None,
            "user_id": environ.get(ENVIRON_USER_ID), "request_id": environ[ENVIRON_REQUEST_ID]}})


def request_path(environ: dict) -> str:
    """The request's path as sent (WSGI hands it over as Latin-1), without its query string."""
    raw = (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")).encode("latin-1", "replace")
    return raw.decode("utf-8", "replace")[:PATH_MAX]


def init_logging(app: Flask, failure_answer: Callable[[dict, Exception], tuple[str, list, bytes]]) -> None:
    """Log every request as JSON; when nothing else set up logging (gunicorn, `flask`), write JSON to stderr.
    A request that fails past every handler is answered by `failure_answer` (see RequestLog).

    The development server keeps its own readable lines (and Flask's, with the trace, for an error).
    """
    root = logging.getLogger()
    # a test runner, or a deployment's own logging configuration, keeps its handlers
    if not root.handlers and app.config["ENV_NAME"] != "development":
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        handler.addFilter(RequestIdFilter())  # for other libraries' records too
        root.addHandler(handler)
    saring_log = logging.getLogger("saring")  # the app's own logger (app.logger) and REQUEST_LOG below it
    if saring_log.level == logging.NOTSET:
        saring_log.setLevel(logging.INFO)
    if not any(isinstance(known, RequestIdFilter) for known in saring_log.filters):
        saring_log.addFilter(RequestIdFilter())
    app.after_request(note_user)
    # a proxy in front (TRUSTED_PROXIES, as for X-Forwarded-For) sets the id; a browser's own is never kept
    app.wsgi_app = RequestLog(app.wsgi_app, trust_request_id=int(app.config.get("TRUSTED_PROXIES", 0)) > 0,
                              failure_answer=failure_answer)

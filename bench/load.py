"""200 learners at once against four gunicorn workers, on SQLite and on PostgreSQL; then the database is checked.

Each run starts from a fresh database built with `flask db upgrade` (SQLite in a temporary folder;
on PostgreSQL a scratch database created for the run and dropped after it), creates the learners
directly (one cheap pbkdf2 hash shared by every account, so nobody waits for scrypt) and starts
Saring under gunicorn in production mode, behind one trusted proxy: each learner's phone has an
address of its own (sent as X-Forwarded-For, as nginx would), so the login limit per address
counts each phone, not the whole test. Then every learner, in a thread of their own with their
own cookies, all at once:

1. opens the login page and logs in, following the redirect to their home page;
2. opens the first lesson of their module (the modules are dealt out in turn) and presses
   "I have finished this lesson" on every lesson, following each redirect to the next lesson and,
   after the last, to the quiz;
3. answers the quiz (at random), sending the form's CSRF token, submission key and quiz version;
4. sends the same submission once more, as a flaky network would, and must get the same attempt;
5. opens the result.

Afterwards it checks, from the database: every learner has exactly their module's lessons in
lesson_progress, exactly one quiz attempt (the resend landed on the same one), with an answer for
every question, the options they chose and the right verdicts; from the client: no 5xx and nothing
else unexpected; and from the server's log: one JSON line per request (found by its X-Request-Id,
with the same status) and no error. Prints a table (requests, errors, p50/p99, duration) and the
figures as JSON; exits 1 on any failure.

    .venv/bin/python -m bench.load [--database sqlite|postgres|both] [--learners 200] [--workers 4]
        [--postgres URL] [--json results.json]   (from the project root)
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import random
import re
import statistics
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from werkzeug.security import generate_password_hash

from bench.report_scale import POSTGRES, postgres_reachable
from bench.server import PHONE_USER_AGENT, gunicorn, print_figures, production_env
from saring import create_app
from saring.accounts import User
from saring.content import get_library
from saring.extensions import db
from saring.learning import LessonProgress
from saring.quizzes import QuizAnswer, QuizAttempt
from tests.conftest import scratch_database

PASSWORD = "satu dua tiga empat"
CHEAP_HASH = "pbkdf2:sha256:1000"
LANG = "id"
TIMEOUT_S = 120  # one request; gunicorn's own worker timeout (30 s) ends a stuck one first
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="(submission_key|quiz_version)" value="([^"]*)">')
OPTION = re.compile(r'<input type="(radio|checkbox)" name="(q\d+)" value="([^"]+)"')


@dataclass(frozen=True)
class Learner:
    """One account of the load and what they will do: their module's lessons, in order, then its quiz."""

    number: int
    user_id: int
    username: str
    module_id: str
    lesson_ids: tuple[str, ...]


@dataclass
class Journey:
    """What one learner's phone saw: the attempt the quiz made, the options chosen per field, problems."""

    learner: Learner
    attempt_path: str | None = None
    chosen: dict[str, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


class Exchanges:
    """Every request of the load, from every thread: status, time, and the request id the server gave it."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rows: list[tuple[int | None, float, str | None]] = []

    def add(self, status: int | None, milliseconds: float, request_id: str | None) -> None:
        """Record one request."""
        with self.lock:
            self.rows.append((status, milliseconds, request_id))


class UnexpectedAnswerError(Exception):
    """A page answered something else than a learner's next step needs."""


class Phone:
    """One learner's phone: its own cookies and address; each request timed and recorded.

    With several instances, each request goes to the next one in turn, so a learner's session
    moves between them all the time.
    """

    def __init__(self, bases: list[str], address: str, exchanges: Exchanges, timeout: float = TIMEOUT_S):
        self.servers = [urllib.parse.urlsplit(base).netloc for base in bases]
        self.turn = random.randrange(len(self.servers))
        self.address = address
        self.cookies: dict[str, str] = {}
        self.exchanges = exchanges
        self.timeout = timeout
        self.headers: http.client.HTTPMessage | None = None  # the last answer's headers

    def send(self, method: str, path: str, form: list[tuple[str, str]] | None = None):
        """One request; returns (status, Location, body text)."""
        server = self.servers[self.turn % len(self.servers)]
        self.turn += 1
        headers = {"User-Agent": PHONE_USER_AGENT, "X-Forwarded-For": self.address, "Accept-Encoding": "gzip",
                   "Accept-Language": "id"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(server, timeout=self.timeout)
        self.headers = None
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except OSError as error:
            self.exchanges.add(None, (time.perf_counter() - started) * 1000, None)
            raise UnexpectedAnswerError(f"{method} {path}: {type(error).__name__}: {error}") from None
        finally:
            connection.close()
        self.exchanges.add(response.status, (time.perf_counter() - started) * 1000,
                           response.getheader("X-Request-Id"))
        self.headers = response.headers
        for header in response.headers.get_all("Set-Cookie") or ():
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0":  # how Flask deletes a cookie
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.getheader("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        location = response.getheader("Location")
        return response.status, urllib.parse.urlsplit(location).path if location else None, data.decode()

    def expect(self, status: int, method: str, path: str, form=None):
        """`send`, and raise UnexpectedAnswerError unless it answers `status` (and, for a redirect, where to)."""
        answered, location, text = self.send(method, path, form)
        if answered != status or (status == 302 and not location):
            raise UnexpectedAnswerError(f"{method} {path} answered {answered}, not {status}")
        return location, text


def csrf_token(page: str, path: str) -> str:
    """The page's CSRF token."""
    found = CSRF.search(page)
    if found is None:
        raise UnexpectedAnswerError(f"{path} has no CSRF token")
    return found[1]


def quiz_answers(page: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The quiz form's hidden fields, and random answers: one option per single-answer question, one
    or more per multiple-answer one."""
    hidden = dict(HIDDEN.findall(page))
    options: dict[str, tuple[str, list[str]]] = {}
    for kind, name, value in OPTION.findall(page):
        options.setdefault(name, (kind, []))[1].append(value)
    chosen = {name: (random.sample(values, random.randint(1, len(values))) if kind == "checkbox"
                     else [random.choice(values)]) for name, (kind, values) in options.items()}
    return hidden, chosen


def journey(phone: Phone, learner: Learner, start: threading.Barrier) -> Journey:
    """One learner's visit, from logging in to the result of their quiz (see the module's docstring)."""
    done = Journey(learner)
    start.wait()
    try:
        _, page = phone.expect(200, "GET", f"/{LANG}/login")
        home, _ = phone.expect(302, "POST", f"/{LANG}/login", [
            ("csrf_token", csrf_token(page, "the login page")), ("username", learner.username),
            ("password", PASSWORD)])
        phone.expect(200, "GET", home)
        path = f"/{LANG}/modules/{learner.module_id}/{learner.lesson_ids[0]}"
        _, page = phone.expect(200, "GET", path)
        for lesson_id in learner.lesson_ids:
            done_path = f"/{LANG}/modules/{learner.module_id}/{lesson_id}/done"
            path, _ = phone.expect(302, "POST", done_path, [("csrf_token", csrf_token(page, path))])
            _, page = phone.expect(200, "GET", path)  # the next lesson, and after the last one, the quiz
        hidden, done.chosen = quiz_answers(page)
        form = [("csrf_token", csrf_token(page, path)), *hidden.items(),
                *((name, value) for name, values in done.chosen.items() for value in values)]
        done.attempt_path, _ = phone.expect(302, "POST", path, form)
        again, _ = phone.expect(302, "POST", path, form)  # the same submission, resent
        if again != done.attempt_path:
            done.problems.append(f"{learner.username}: the resent quiz went to {again}, "
                                 f"not to {done.attempt_path}")
        phone.expect(200, "GET", done.attempt_path)
    except UnexpectedAnswerError as error:
        done.problems.append(f"{learner.username}: {error}")
    return done


@dataclass
class Outcome:
    """A load's journeys and requests, and how long it took."""

    journeys: list[Journey]
    exchanges: Exchanges
    seconds: float

    def figures(self) -> dict:
        """Requests, errors, server errors and latency percentiles."""
        statuses = [status for status, _, _ in self.exchanges.rows]
        times = sorted(ms for _, ms, _ in self.exchanges.rows)
        return {"learners": len(self.journeys), "requests": len(times),
                "errors": sum(bool(journey.problems) for journey in self.journeys),
                "server_errors": sum(status is None or status >= 500 for status in statuses),
                "p50_ms": round(statistics.median(times), 1) if times else None,
                "p99_ms": round(times[max(0, round(0.99 * len(times)) - 1)], 1) if times else None,
                "max_ms": round(times[-1], 1) if times else None,
                "seconds": round(self.seconds, 1),
                "requests_per_second": round(len(times) / self.seconds, 1) if self.seconds else None}

    def problems(self) -> list[str]:
        """What went wrong on the phones' side."""
        found = [problem for journey in self.journeys for problem in journey.problems]
        server_errors = self.figures()["server_errors"]
        if server_errors:
            found.insert(0, f"{server_errors} requests answered 5xx or not at all")
        return found


def drive(bases: list[str], learners: list[Learner]) -> Outcome:
    """Every learner's journey at once, each in a thread, against the servers at `bases`."""
    exchanges = Exchanges()
    start = threading.Barrier(len(learners) + 1)
    journeys: list[Journey | None] = [None] * len(learners)

    def run(index: int, learner: Learner) -> None:
        # each phone its own loopback address, as a trusted proxy passes on a client's address
        address = f"127.{1 + index // 65536}.{index // 256 % 256}.{index % 256}"
        journeys[index] = journey(Phone(bases, address, exchanges), learner, start)

    threads = [threading.Thread(target=run, args=(index, learner)) for index, learner in enumerate(learners)]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return Outcome([journey for journey in journeys if journey is not None], exchanges,
                   time.perf_counter() - started)


def create_learners(app: Flask, count: int, prefix: str = "beban") -> list[Learner]:
    """`count` learner accounts, stored directly, each given a module with a quiz in turn."""
    password_hash = generate_password_hash(PASSWORD, CHEAP_HASH)
    with app.app_context():
        modules = [module for module in get_library().modules if module.quiz is not None]
        users = [User(username=f"{prefix}{number:04}", locale=LANG, password_hash=password_hash)
                 for number in range(count)]
        db.session.add_all(users)
        db.session.commit()
        learners = []
        for number, user in enumerate(users):
            module = modules[number % len(modules)]
            learners.append(Learner(number, user.id, user.username, module.id,
                                    tuple(lesson.id for lesson in module.lessons)))
        db.session.remove()
    return learners


def check_database(app: Flask, journeys: list[Journey]) -> list[str]:
    """What the database holds for each learner that it should not, or lacks."""
    problems = []
    ids = [journey.learner.user_id for journey in journeys]
    with app.app_context():
        library = get_library()
        progress: dict[int, list[tuple[str, str]]] = {user_id: [] for user_id in ids}
        for row in db.session.execute(sa.select(LessonProgress.user_id, LessonProgress.module_id,
                                                LessonProgress.lesson_id).where(LessonProgress.user_id.in_(ids))):
            progress[row.user_id].append((row.module_id, row.lesson_id))
        attempts: dict[int, list[QuizAttempt]] = {user_id: [] for user_id in ids}
        for attempt in db.session.scalars(sa.select(QuizAttempt).where(QuizAttempt.user_id.in_(ids))):
            attempts[attempt.user_id].append(attempt)
        answers: dict[int, list[QuizAnswer]] = {}
        for answer in db.session.scalars(sa.select(QuizAnswer).join(QuizAttempt).where(QuizAttempt.user_id.in_(ids))):
            answers.setdefault(answer.attempt_id, []).append(answer)
        for journey in journeys:
            learner = journey.learner
            expected = sorted((learner.module_id, lesson_id) for lesson_id in learner.lesson_ids)
            if sorted(progress[learner.user_id]) != expected:
                problems.append(f"{learner.username}: lesson progress {sorted(progress[learner.user_id])}, "
                                f"expected {expected}")
            if len(attempts[learner.user_id]) != 1:
                problems.append(f"{learner.username}: {len(attempts[learner.user_id])} quiz attempts, expected 1")
                continue
            [attempt] = attempts[learner.user_id]
            quiz, _ = library.module(learner.module_id).quiz.text(LANG)
            problems += check_attempt(journey, attempt, answers.get(attempt.id, []), quiz)
        db.session.remove()
    return problems


def check_attempt(journey: Journey, attempt: QuizAttempt, answers: list[QuizAnswer], quiz) -> list[str]:
    """An attempt holds the learner's choices for every question, graded right, and is the one they saw."""
    name = journey.learner.username
    problems = []
    if journey.attempt_path and not journey.attempt_path.endswith(f"/attempts/{attempt.id}"):
        problems.append(f"{name}: was shown {journey.attempt_path}, but their attempt is {attempt.id}")
    by_question = {answer.question_id: answer for answer in answers}
    if len(answers) != len(quiz.questions) or set(by_question) != {q.id for q in quiz.questions}:
        return [*problems, f"{name}: {len(answers)} answers for {len(quiz.questions)} questions"]
    score = 0
    for position, question in enumerate(quiz.questions, 1):
        sent = sorted(journey.chosen.get(f"q{position}", []))
        answer = by_question[question.id]
        if answer.chosen.split(",") != sent:
            problems.append(f"{name}: question {question.id} stored {answer.chosen!r}, sent {sent}")
        if answer.correct != (frozenset(sent) == question.correct_ids):
            problems.append(f"{name}: question {question.id} graded {answer.correct}")
        score += answer.correct
    if (attempt.module_id, attempt.score, attempt.total) != (journey.learner.module_id, score, len(quiz.questions)):
        problems.append(f"{name}: attempt {attempt.id} says {attempt.score}/{attempt.total} on {attempt.module_id}")
    return problems


def check_log(log: Path, outcome: Outcome) -> list[str]:
    """The server's log has one JSON line per request (by its request id, with its status), and no error."""
    lines: dict[str, list[dict]] = {}
    errors = []
    for text in log.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(text)
        except ValueError:
            continue  # gunicorn's own start and stop lines
        if entry.get("logger") == "saring.request":
            lines.setdefault(entry.get("request_id"), []).append(entry)
        elif entry.get("level") in ("error", "critical"):
            errors.append(f"the server logged an error: {entry.get('message')} {entry.get('exception', '')}")
    problems = errors[:10]
    for status, _, request_id in outcome.exchanges.rows:
        found = lines.get(request_id, [])
        if status is not None and [entry.get("status") for entry in found] != [status]:
            problems.append(f"request {request_id} ({status}) has {len(found)} log lines: {found[:2]}")
    return problems[:20]


def load_env(env: dict) -> dict:
    """The server's settings for the load: behind one trusted proxy that passes each phone's address."""
    return {**env, "TRUSTED_PROXIES": "1"}


def run(url: str, learners: int, workers: int, folder: Path) -> tuple[dict, list[str]]:
    """The load on the database at `url` (migrated here if it is not yet): figures and problems."""
    folder.mkdir(parents=True, exist_ok=True)
    env = load_env(production_env(folder, url))
    app = create_app({"ENV_NAME": "production", "SECRET_KEY": env["SECRET_KEY"], "SQLALCHEMY_DATABASE_URI": url,
                      "CONTENT_CACHE_FILE": env["CONTENT_CACHE_FILE"]})
    crowd = create_learners(app, learners)
    log = folder / "server.log"
    with gunicorn("app:app", env, workers, log=log) as base:
        outcome = drive([base], crowd)
    problems = outcome.problems() + check_database(app, outcome.journeys) + check_log(log, outcome)
    with app.app_context():
        db.engine.dispose()
    return outcome.figures(), problems


def report(results: dict[str, dict], problems: list[str], title: str) -> None:
    """The figures as a table, then every problem (the first 30)."""
    print(title)
    print(f"{'run':10} {'requests':>8} {'errors':>7} {'5xx':>5} {'p50':>9} {'p99':>9} {'max':>9} {'seconds':>8} "
          f"{'req/s':>7}")
    for kind, figures in results.items():
        print(f"{kind:10} {figures['requests']:8} {figures['errors']:7} {figures['server_errors']:5} "
              f"{figures['p50_ms']:6.1f} ms {figures['p99_ms']:6.1f} ms {figures['max_ms']:6.1f} ms "
              f"{figures['seconds']:8.1f} {figures['requests_per_second']:7.1f}")
    for problem in problems[:30]:
        print(f"!!! {problem}")
    if len(problems) > 30:
        print(f"!!! and {len(problems) - 30} more")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--postgres", default=POSTGRES, help="a PostgreSQL server to make a scratch database on")
    parser.add_argument("--json", help="also write the figures to this file")
    options = parser.parse_args()
    results, problems = {}, []
    with tempfile.TemporaryDirectory() as folder:
        if options.database in ("sqlite", "both"):
            results["sqlite"], found = run(f"sqlite:///{Path(folder) / 'load.sqlite3'}", options.learners,
                                           options.workers, Path(folder) / "sqlite")
            problems += [f"sqlite: {problem}" for problem in found]
        if options.database in ("postgres", "both"):
            unreachable = postgres_reachable(options.postgres)
            if unreachable:
                problems.append(f"PostgreSQL is not reachable at {options.postgres}: {unreachable}")
            else:
                with scratch_database(options.postgres, "saring_load") as url:
                    results["postgres"], found = run(url, options.learners, options.workers, Path(folder) / "postgres")
                problems += [f"postgres: {problem}" for problem in found]
    report(results, problems, f"{options.learners} learners at once, {options.workers} gunicorn workers")
    figures = {"learners": options.learners, "workers": options.workers, "databases": results,
               "problems": problems, "passed": not problems}
    print_figures(figures, options.json)
    print("passed: nothing lost, nothing doubled, no 5xx" if not problems else "FAILED")
    return 0 if not problems else 1


if __name__ == "__main__":
    raise SystemExit(main())

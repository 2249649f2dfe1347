"""Faults under load: Saring under gunicorn, learners and visitors at work, one fault at a time; then checks.

The suite starts a PostgreSQL cluster and a Redis of its own on free ports (bench/services.py; never
the machine's 5432 or 6379) and, for each database asked for, Saring under gunicorn in production
mode (a generated SECRET_KEY, DATABASE_URL on the private cluster or a SQLite file, the limits on
guessing in the private Redis, behind one trusted proxy so each phone has an address of its own).
For each scenario it starts a fresh gunicorn with fresh learner accounts, and:

- learners, each a thread with their own cookies (bench/load.py's Phone), go round and round: log in
  through the form with its CSRF token, read each lesson of a module and press "I have finished
  this lesson", answer its quiz (with the form's submission_key and quiz_version), resend the same
  submission as a flaky network would, open the result, log out, and start the next module; a 503
  or a dropped request is tried again after a short pause, as the phone's waiting answers are;
- visitors, without an account, read lessons;
- after a calm spell, the fault is injected and held, then undone, then the load goes on for a
  while so the app can show it recovers by itself.

Scenarios (each where it applies):

    postgres-down   PostgreSQL stopped in immediate mode (a crash) mid-load, started again
    redis-stall     redis-server frozen with SIGSTOP, then SIGCONT
    table-lock      PostgreSQL: another connection holds LOCK TABLE users IN ACCESS EXCLUSIVE MODE;
                    SQLite: another connection holds the write lock (BEGIN EXCLUSIVE)
    read-only       SQLite: the database file and its -wal made read-only (chmod 0444, and as root,
                    which ignores modes, `chattr +i`, which also stops writes through open files;
                    the -shm is left alone: readers map it, and an unwritable map kills them)
    worker-kill     one gunicorn worker killed with SIGKILL

After each scenario, with the fault undone, it checks: every write Saring acknowledged (a lesson
"done" that redirected to the next lesson or the quiz, a quiz that redirected to /attempts/<id>) is
in the database, with every answer; nothing is doubled (one lesson_progress row per learner and
lesson, one attempt per submission key, one answer per attempt and question); no request got a
bare error (a 500, any 5xx but Saring's own 503 page with Retry-After, a dropped connection or a
timed-out request; a worker-kill may drop the requests its worker was serving: one for a sync worker, up
to its threads for a gthread one); no answer a
learner's next step could not use (a 400, a login form again...); pages kept answering (no stretch
longer than --max-gap seconds without any answer, nor without a visitor's lesson read answering
200); and writes were acknowledged again after the fault. It prints a table per scenario (requests,
2xx/3xx, 503s, bare errors, the longest stretches without an answer) and the figures as JSON, and
exits 1 when any check fails or a scenario could not run within --budget seconds.

    .venv/bin/python -m bench.faults [--database sqlite|postgres|both] [--scenarios a,b]
        [--learners 30] [--visitors 4] [--workers 4] [--worker-class gthread|sync] [--scale 1.0]
        [--budget 480] [--max-gap 5] [--request-timeout 25] [--json results.json]
        (from the project root; `make faults`)

--scale multiplies every calm spell and hold (0.5 halves the run); --budget is the time the whole
run may take: a scenario that would end past it is not run, and counts as failed.
"""

from __future__ import annotations

import argparse
import atexit
import collections
import contextlib
import dataclasses
import itertools
import json
import os
import random
import re
import runpy
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from bench import load
from bench.server import ROOT, gunicorn, print_figures, production_env
from bench.services import PrivatePostgres, PrivateRedis
from saring import create_app
from saring.content import get_library
from saring.extensions import db
from saring.learning import LessonProgress
from saring.quizzes import QuizAnswer, QuizAttempt

LANG = load.LANG
ATTEMPT = re.compile(r"/attempts/\d+$")
ROUNDS_MAX = 1000  # modules one learner goes through in one scenario: far more than its time allows
TRIES_MAX = 200  # one step tried again after a 503 or a dropped request
VISITS_MAX = 100_000
RETRY_PAUSE_S = 0.5  # a phone's waiting answers are resent sooner than Retry-After, to keep the pressure on
STARTUP_S = 8  # a gunicorn start, the accounts and the checks, per scenario (for the budget)


@dataclass
class Answer:
    """One request as a phone saw it."""

    ended: float
    seconds: float
    who: str  # "learner" or "visitor"
    method: str
    path: str
    status: int | None  # None: dropped, refused or timed out
    busy_page: bool  # Saring's own 503 page, with Retry-After
    lesson_read: bool

    @property
    def bare(self) -> bool:
        """An error no phone should get: a 500, another 5xx than the busy page, or no answer at all."""
        return self.status is None or (self.status >= 500 and not self.busy_page)


@dataclass
class QuizAck:
    """A quiz Saring acknowledged (302 to its attempt), as the load's checker wants it."""

    ended: float
    journey: load.Journey
    submission_key: str


@dataclass
class Book:
    """What the phones saw during one scenario: every answer, every acknowledged write, surprises."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    answers: list[Answer] = field(default_factory=list)
    lessons: list[tuple[float, int, str, str]] = field(default_factory=list)  # (time, user, module, lesson)
    quizzes: list[QuizAck] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)

    def add(self, kind: str, item) -> None:
        """Note one answer, acknowledged write or surprise, from any thread."""
        with self.lock:
            getattr(self, kind).append(item)


class Round:
    """One learner's phone going round the modules until told to stop (see the module's docstring)."""

    def __init__(self, phone: load.Phone, learner: load.Learner, courses: list[tuple[str, tuple[str, ...]]],
                 book: Book, stop: threading.Event, pause_s: float):
        self.phone, self.learner, self.courses = phone, learner, courses
        self.book, self.stop, self.pause_s = book, stop, pause_s

    def ask(self, method: str, path: str, form=None) -> tuple[int | None, str | None, str]:
        """One request, noted in the book."""
        return ask(self.phone, self.book, "learner", method, path, form)

    def until(self, method: str, path: str, status: int, form=None, location: str | None = None):
        """The request, tried again while it answers 5xx or nothing; (Location, body) once it answers
        `status` (and, if given, redirects to `location`), None when it answers anything else or the
        scenario ends."""
        for _ in range(TRIES_MAX):
            if self.stop.is_set():
                return None
            answered, where, text = self.ask(method, path, form)
            if answered == status and (location is None or where == location):
                time.sleep(self.pause_s * random.uniform(0.5, 1.5))
                return where, text
            if answered is not None and answered < 500:
                self.book.add("unexpected", f"{method} {path} answered {answered} (to {where}), not {status}"
                                            + (f" to {location}" if location else ""))
                return None
            time.sleep(RETRY_PAUSE_S)
        return None

    def go(self, stagger_s: float) -> None:
        """Round after round, each a new session on the next module; the first after up to `stagger_s`, so
        that learners log in at any moment rather than in waves that a short fault could miss."""
        if self.stop.wait(random.uniform(0, stagger_s)):
            return
        for number in range(ROUNDS_MAX):
            if self.stop.is_set():
                return
            module_id, lesson_ids = self.courses[(self.learner.number + number) % len(self.courses)]
            self.phone.cookies.clear()
            self.one_module(dataclasses.replace(self.learner, module_id=module_id, lesson_ids=lesson_ids))

    def one_module(self, learner: load.Learner) -> None:
        """Log in, finish the module's lessons, answer its quiz twice (one submission), log out."""
        got = self.until("GET", f"/{LANG}/login", 200)
        if got is None:
            return
        form = [("csrf_token", load.csrf_token(got[1], "the login page")), ("username", learner.username),
                ("password", load.PASSWORD)]
        if self.until("POST", f"/{LANG}/login", 302, form, location=f"/{LANG}/") is None:
            return
        path = f"/{LANG}/modules/{learner.module_id}/{learner.lesson_ids[0]}"
        got = self.until("GET", path, 200)
        for position, lesson_id in enumerate(learner.lesson_ids):
            if got is None:
                return
            after = learner.lesson_ids[position + 1] if position + 1 < len(learner.lesson_ids) else "quiz"
            following = f"/{LANG}/modules/{learner.module_id}/{after}"
            done = [("csrf_token", load.csrf_token(got[1], path))]
            if self.until("POST", f"{path}/done", 302, done, location=following) is None:
                return
            self.book.add("lessons", (time.monotonic(), learner.user_id, learner.module_id, lesson_id))
            path = following
            got = self.until("GET", path, 200)  # the next lesson, and after the last one, the quiz
        if got is None:
            return
        hidden, chosen = load.quiz_answers(got[1])
        form = [("csrf_token", load.csrf_token(got[1], path)), *hidden.items(),
                *((name, value) for name, values in chosen.items() for value in values)]
        sent = self.until("POST", path, 302, form)
        if sent is None:
            return
        if not ATTEMPT.search(sent[0]):
            self.book.add("unexpected", f"POST {path} redirected to {sent[0]}, not to an attempt")
            return
        self.book.add("quizzes", QuizAck(time.monotonic(), load.Journey(learner, sent[0], chosen),
                                         hidden.get("submission_key", "")))
        if self.until("POST", path, 302, form, location=sent[0]) is None:  # the same submission, resent
            return
        got = self.until("GET", sent[0], 200)
        if got is not None:
            self.until("POST", f"/{LANG}/logout", 302, [("csrf_token", load.csrf_token(got[1], sent[0]))])


def ask(phone: load.Phone, book: Book, who: str, method: str, path: str, form=None):
    """One request through `phone`, noted in `book`; (status or None, Location, body)."""
    started = time.monotonic()
    try:
        status, location, text = phone.send(method, path, form)
    except load.UnexpectedAnswerError:  # dropped, refused or timed out: Phone has said which
        status, location, text = None, None, ""
    busy_page = (status == 503 and phone.headers is not None and phone.headers.get("Retry-After") is not None
                 and "<html lang=" in text)
    lesson_read = method == "GET" and path.count("/") == 4 and not path.endswith("/quiz")
    ended = time.monotonic()
    book.add("answers", Answer(ended, ended - started, who, method, path, status, busy_page, lesson_read))
    return status, location, text


def visit(phone: load.Phone, lessons: list[str], book: Book, stop: threading.Event, pause_s: float) -> None:
    """A visitor reading lessons (without an account) until told to stop."""
    for _ in range(VISITS_MAX):
        if stop.is_set():
            return
        ask(phone, book, "visitor", "GET", random.choice(lessons))
        time.sleep(pause_s * random.uniform(0.5, 1.5))


@dataclass
class Stage:
    """Everything a fault may act on: the database, the private servers, the running gunicorn."""

    database: str  # "sqlite" or "postgres"
    url: str
    redis: PrivateRedis
    postgres: PrivatePostgres | None
    sqlite_path: Path | None
    pid_file: Path

    def workers(self) -> list[int]:
        """The gunicorn master's worker processes."""
        master = int(self.pid_file.read_text().strip())
        found = []
        for status in Path("/proc").glob("[0-9]*/status"):
            with contextlib.suppress(OSError, ValueError):
                lines = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
                if int(lines["PPid"]) == master:
                    found.append(int(status.parent.name))
        return found


@contextlib.contextmanager
def postgres_down(stage: Stage) -> Iterator[str]:
    """PostgreSQL crashes (immediate stop: connections cut, no checkpoint); it is started again after."""
    stage.postgres.stop("immediate")
    try:
        yield "PostgreSQL stopped (immediate)"
    finally:
        stage.postgres.start()


@contextlib.contextmanager
def redis_stall(stage: Stage) -> Iterator[str]:
    """Redis frozen (SIGSTOP): it accepts connections but answers nothing until SIGCONT."""
    stage.redis.stall()
    try:
        yield "redis-server stopped with SIGSTOP"
    finally:
        stage.redis.resume()


@contextlib.contextmanager
def table_lock(stage: Stage) -> Iterator[str]:
    """Another connection holds a lock the app's writes (and on PostgreSQL, its reads of users) wait for."""
    if stage.database == "sqlite":
        holder = sqlite3.connect(stage.sqlite_path, isolation_level=None, timeout=30)
        try:
            holder.execute("BEGIN EXCLUSIVE")
            yield "SQLite write lock held (BEGIN EXCLUSIVE)"
        finally:
            holder.close()  # rolls back
        return
    engine = sa.create_engine(stage.url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as holder:
            holder.execute(sa.text("SET lock_timeout = '30s'"))
            holder.execute(sa.text("LOCK TABLE users IN ACCESS EXCLUSIVE MODE"))
            yield "LOCK TABLE users IN ACCESS EXCLUSIVE MODE held"
            holder.rollback()
    finally:
        engine.dispose()


@contextlib.contextmanager
def read_only(stage: Stage) -> Iterator[str]:
    """The SQLite file and its -wal cannot be written (see the module's docstring for why not the -shm)."""
    files = [path for path in (stage.sqlite_path, Path(f"{stage.sqlite_path}-wal")) if path.exists()]
    modes = {path: stat.S_IMODE(path.stat().st_mode) for path in files}
    how = "chmod 0444"
    try:
        for path in files:
            path.chmod(0o444)
        if os.geteuid() == 0:  # root writes whatever the mode says
            if set_immutable(files, True):
                how += " and chattr +i"
            else:
                how += " (chattr +i failed: root can still write, so this fault may not bite)"
        yield f"{', '.join(path.name for path in files)}: {how}"
    finally:
        if os.geteuid() == 0:
            set_immutable(files, False)
        for path, mode in modes.items():
            path.chmod(mode)


def set_immutable(files: list[Path], immutable: bool) -> bool:
    """chattr +i (or -i) on `files`; whether it worked."""
    done = subprocess.run(["chattr", "+i" if immutable else "-i", *map(str, files)], capture_output=True,
                          timeout=30)
    return done.returncode == 0


@contextlib.contextmanager
def worker_kill(stage: Stage) -> Iterator[str]:
    """SIGKILL to one gunicorn worker, whatever it is doing; the master starts another."""
    victim = random.choice(stage.workers())
    os.kill(victim, signal.SIGKILL)
    yield f"gunicorn worker {victim} killed (SIGKILL)"


@dataclass(frozen=True)
class Scenario:
    """A fault, where it applies, how long it is held, and the dropped requests it may cost."""

    name: str
    databases: tuple[str, ...]
    hold_s: float
    inject: Callable[[Stage], contextlib.AbstractContextManager[str]]
    drops_what_a_worker_serves: bool = False  # a killed worker takes the requests it was serving with it


SCENARIOS = (
    Scenario("postgres-down", ("postgres",), 10, postgres_down),
    Scenario("redis-stall", ("sqlite", "postgres"), 10, redis_stall),
    Scenario("table-lock", ("sqlite", "postgres"), 15, table_lock),
    Scenario("read-only", ("sqlite",), 10, read_only),
    Scenario("worker-kill", ("sqlite", "postgres"), 0, worker_kill, drops_what_a_worker_serves=True),
)


@dataclass
class Settings:
    """The run's options."""

    learners: int
    visitors: int
    workers: int
    calm_s: float
    recover_s: float
    scale: float
    pause_s: float
    max_gap_s: float
    request_timeout_s: float
    logs: Path | None
    worker_class: str


def longest_gap(moments: list[float], start: float, end: float) -> float:
    """The longest stretch between `start` and `end` without one of `moments`."""
    edges = [start, *sorted(moment for moment in moments if start <= moment <= end), end]
    return max(later - earlier for earlier, later in itertools.pairwise(edges))


def run_scenario(scenario: Scenario, number: int, base_env: dict, app, stage: Stage, folder: Path,
                 settings: Settings) -> dict:
    """One scenario on a fresh gunicorn with fresh accounts: the load, the fault, the checks; its figures."""
    prefix = f"f{number}{scenario.name.replace('-', '')}"
    env = {**base_env, "RATELIMIT_KEY_PREFIX": prefix,
           "GUNICORN_CMD_ARGS": f"--pid {stage.pid_file} --graceful-timeout 5 --worker-class {settings.worker_class}"}
    crowd = load.create_learners(app, settings.learners, prefix=prefix)
    with app.app_context():
        modules = [module for module in get_library().modules if module.quiz is not None]
    courses = [(module.id, tuple(lesson.id for lesson in module.lessons)) for module in modules]
    lessons = [f"/{LANG}/modules/{module.id}/{lesson.id}" for module in modules for lesson in module.lessons]
    book, stop, exchanges = Book(), threading.Event(), load.Exchanges()
    log = folder / f"{prefix}.log"
    hold = scenario.hold_s * settings.scale
    with gunicorn("app:app", env, settings.workers, log=log) as base:
        def phone(index: int) -> load.Phone:
            # each phone its own loopback address, as a trusted proxy passes on a client's address
            return load.Phone([base], f"127.{100 + number}.{index // 256}.{index % 256}", exchanges,
                              timeout=settings.request_timeout_s)

        stagger = settings.calm_s * settings.scale
        threads = [threading.Thread(target=Round(phone(i), learner, courses, book, stop, settings.pause_s).go,
                                    args=(stagger,), daemon=True) for i, learner in enumerate(crowd)]
        threads += [threading.Thread(target=visit, args=(phone(len(crowd) + i), lessons, book, stop, settings.pause_s),
                                     daemon=True) for i in range(settings.visitors)]
        started = time.monotonic()
        try:
            for thread in threads:
                thread.start()
            time.sleep(settings.calm_s * settings.scale)
            faulted = time.monotonic()
            with scenario.inject(stage) as what:
                print(f"   {what}, for {hold:.0f} s", flush=True)
                time.sleep(hold)
            restored = time.monotonic()
            time.sleep(settings.recover_s * settings.scale)
            workers_after = len(stage.workers())
        finally:
            ended = time.monotonic()
            stop.set()
            for thread in threads:
                thread.join(timeout=settings.request_timeout_s + 5)
    problems = check_database(app, book)
    figures = figures_of(book, started, faulted, restored, ended, settings)
    figures["workers_after"] = workers_after
    figures["server_errors_logged"] = logged_errors(log)
    problems += judge(figures, book, scenario, settings)
    if settings.logs:
        settings.logs.mkdir(parents=True, exist_ok=True)
        shutil.copy(log, settings.logs / f"{stage.database}-{scenario.name}.log")
    return {"database": stage.database, "scenario": scenario.name, "fault": what, **figures,
            "passed": not problems, "problems": problems}


def figures_of(book: Book, started: float, faulted: float, restored: float, ended: float,
               settings: Settings) -> dict:
    """Counts of the scenario's answers, and the longest stretches without one once the fault began."""
    answers = book.answers
    statuses = collections.Counter(answer.status for answer in answers)
    answered = [answer.ended for answer in answers if answer.status is not None and not answer.bare]
    reads = [answer.ended for answer in answers if answer.who == "visitor" and answer.status == 200]
    return {
        "seconds": round(ended - started, 1),
        "fault_seconds": round(restored - faulted, 1),
        "requests": len(answers),
        "ok": sum(answer.status is not None and answer.status < 400 for answer in answers),
        "busy_503": sum(answer.busy_page for answer in answers),
        "bare_500": sum(answer.bare and answer.status is not None for answer in answers),
        "dropped": statuses[None],
        "other_4xx": sum(answer.status is not None and 400 <= answer.status < 500 for answer in answers),
        "statuses": {str(status): count for status, count in sorted(statuses.items(), key=lambda item: str(item[0]))},
        "longest_silence_s": round(longest_gap(answered, faulted, ended), 1),
        "longest_without_visitor_read_s": round(longest_gap(reads, faulted, ended), 1),
        "slowest_s": round(max((answer.seconds for answer in answers), default=0), 1),
        "slower_than_max_gap": dict(collections.Counter(
            f"{answer.method} {kind_of(answer.path)}" for answer in answers if answer.seconds > settings.max_gap_s)),
        "lessons_acknowledged": len(book.lessons),
        "quizzes_acknowledged": len(book.quizzes),
        "writes_after_fault": sum(moment > restored for moment, *_ in book.lessons)
                              + sum(ack.ended > restored for ack in book.quizzes),
        "max_gap_s": settings.max_gap_s,
    }


def kind_of(path: str) -> str:
    """What a path is for, without its ids: login, lesson, done, quiz, attempt…"""
    parts = path.strip("/").split("/")
    if parts[-1] in ("login", "logout", "done", "quiz"):
        return parts[-1]
    if "attempts" in parts:
        return "attempt"
    return "lesson" if len(parts) == 4 else "/".join(parts[:2])


def served_at_once(worker_class: str) -> int:
    """How many requests one gunicorn worker serves at once: one (sync), or its threads (gunicorn.conf.py)."""
    return 1 if worker_class == "sync" else runpy.run_path(str(ROOT / "gunicorn.conf.py"))["threads"]


def judge(figures: dict, book: Book, scenario: Scenario, settings: Settings) -> list[str]:
    """What the phones saw that fails the scenario."""
    problems = []
    if figures["bare_500"]:
        bare = collections.Counter(f"{answer.method} {answer.status}" for answer in book.answers
                                   if answer.bare and answer.status is not None)
        problems.append(f"{figures['bare_500']} bare 5xx answers: {dict(bare)}")
    allowed = served_at_once(settings.worker_class) if scenario.drops_what_a_worker_serves else 0
    if figures["dropped"] > allowed:
        dropped = collections.Counter(f"{answer.who} {answer.method}" for answer in book.answers
                                      if answer.status is None)
        problems.append(f"{figures['dropped']} requests dropped or timed out (allowed {allowed}): {dict(dropped)}")
    if book.unexpected:
        problems.append(f"{len(book.unexpected)} answers a learner could not go on with, e.g. {book.unexpected[:3]}")
    for key, what in (("longest_silence_s", "no request was answered"),
                      ("longest_without_visitor_read_s", "no visitor's lesson read answered 200")):
        if figures[key] > settings.max_gap_s:
            problems.append(f"for {figures[key]} s {what} (at most {settings.max_gap_s} s)")
    if not figures["writes_after_fault"]:
        problems.append("no write was acknowledged after the fault was undone")
    if scenario.name == "worker-kill" and figures["workers_after"] != settings.workers:
        problems.append(f"{figures['workers_after']} gunicorn workers after the kill, not {settings.workers}")
    return problems


def check_database(app, book: Book) -> list[str]:
    """Every acknowledged write is in the database, complete, and nothing the learners did is doubled."""
    users = sorted({user for _, user, _, _ in book.lessons} | {ack.journey.learner.user_id for ack in book.quizzes})
    problems = []
    with app.app_context():
        try:
            stored = set(db.session.execute(sa.select(LessonProgress.user_id, LessonProgress.module_id,
                                                      LessonProgress.lesson_id)
                                            .where(LessonProgress.user_id.in_(users))).tuples())
            missing = [ack[1:] for ack in book.lessons if ack[1:] not in stored]
            if missing:
                problems.append(f"{len(missing)} acknowledged lessons are not in lesson_progress, e.g. {missing[:3]}")
            problems += doubled(LessonProgress.user_id.in_(users), LessonProgress.user_id, LessonProgress.module_id,
                                LessonProgress.lesson_id)
            problems += doubled(QuizAttempt.user_id.in_(users), QuizAttempt.user_id, QuizAttempt.submission_key)
            problems += doubled(QuizAttempt.user_id.in_(users), QuizAnswer.attempt_id, QuizAnswer.question_id)
            problems += check_quizzes(book.quizzes, users)
        finally:
            db.session.remove()
            db.engine.dispose()
    return problems


def doubled(among, *columns) -> list[str]:
    """Rows that share `columns` (with QuizAnswer's, among the attempts matching `among`)."""
    query = sa.select(*columns, sa.func.count()).group_by(*columns).having(sa.func.count() > 1)
    if columns[0].class_ is QuizAnswer:
        query = query.join(QuizAttempt, QuizAttempt.id == QuizAnswer.attempt_id)
    rows = db.session.execute(query.where(among)).all()
    table = columns[0].class_.__tablename__
    return [f"{len(rows)} doubled in {table} by {', '.join(column.key for column in columns)}, e.g. {rows[:3]}"] \
        if rows else []


def check_quizzes(acks: list[QuizAck], users: list[int]) -> list[str]:
    """Each acknowledged quiz's attempt is the learner's, under its submission key, with every answer as sent."""
    library = get_library()
    attempts = {attempt.id: attempt for attempt in db.session.scalars(
        sa.select(QuizAttempt).where(QuizAttempt.user_id.in_(users)))}
    answers: dict[int, list[QuizAnswer]] = {}
    for answer in db.session.scalars(sa.select(QuizAnswer).join(QuizAttempt).where(QuizAttempt.user_id.in_(users))):
        answers.setdefault(answer.attempt_id, []).append(answer)
    problems = []
    for ack in acks:
        learner = ack.journey.learner
        attempt = attempts.get(int(ack.journey.attempt_path.rsplit("/", 1)[1]))
        if attempt is None or (attempt.user_id, attempt.submission_key) != (learner.user_id, ack.submission_key):
            problems.append(f"{learner.username}: acknowledged {ack.journey.attempt_path} is not their attempt "
                            f"under submission key {ack.submission_key}")
            continue
        quiz, _ = library.module(learner.module_id).quiz.text(LANG)
        problems += load.check_attempt(ack.journey, attempt, answers.get(attempt.id, []), quiz)
    return problems[:20]


def logged_errors(log: Path) -> dict[str, int]:
    """The server log's error lines, counted by message and exception."""
    found: collections.Counter = collections.Counter()
    for text in log.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(text)
        except ValueError:
            if "Traceback" in text or "[ERROR]" in text or "WORKER TIMEOUT" in text:
                found[text.split("] ", 3)[-1][:120]] += 1  # gunicorn's own lines
            continue
        if isinstance(entry, dict) and entry.get("level") in ("error", "critical"):
            reason = entry.get("reason") or entry.get("exception") or ""
            found[f"{entry.get('message')} {reason}".strip()] += 1
    return dict(found.most_common(8))


def run_database(database: str, url: str, stage_parts: dict, folder: Path, scenarios: list[Scenario],
                 settings: Settings, deadline: float) -> list[dict]:
    """Every scenario that applies to `database`, one after the other; their figures."""
    folder.mkdir(parents=True, exist_ok=True)
    env = {**load.load_env(production_env(folder, url)), "REDIS_URL": stage_parts["redis"].url,
           "RATELIMIT_STORAGE_URI": stage_parts["redis"].url}
    app = create_app({"ENV_NAME": "production", "SECRET_KEY": env["SECRET_KEY"], "SQLALCHEMY_DATABASE_URI": url,
                      "CONTENT_CACHE_FILE": env["CONTENT_CACHE_FILE"]})
    stage = Stage(database=database, url=url, pid_file=folder / "gunicorn.pid", **stage_parts)
    results = []
    for number, scenario in enumerate(scenarios, 1):
        if database not in scenario.databases:
            continue
        needs = STARTUP_S + (settings.calm_s + scenario.hold_s + settings.recover_s) * settings.scale
        if time.monotonic() + needs > deadline:
            results.append({"database": database, "scenario": scenario.name, "passed": False,
                            "problems": ["not run: it would end past --budget"]})
            continue
        print(f"== {database}: {scenario.name}", flush=True)
        results.append(run_scenario(scenario, number, env, app, stage, folder, settings))
    return results


def report(results: list[dict]) -> None:
    """A table of the scenarios, then each failing one's problems."""
    print(f"{'database':9} {'scenario':14} {'requests':>8} {'2xx/3xx':>7} {'503':>5} {'bare500':>7} {'dropped':>7} "
          f"{'4xx':>4} {'silence':>8} {'no read':>8} {'writes':>6} result")
    for result in results:
        if "requests" not in result:
            print(f"{result['database']:9} {result['scenario']:14} {'':>70} NOT RUN")
            continue
        print(f"{result['database']:9} {result['scenario']:14} {result['requests']:8} {result['ok']:7} "
              f"{result['busy_503']:5} {result['bare_500']:7} {result['dropped']:7} {result['other_4xx']:4} "
              f"{result['longest_silence_s']:7.1f}s {result['longest_without_visitor_read_s']:7.1f}s "
              f"{result['lessons_acknowledged'] + result['quizzes_acknowledged']:6} "
              f"{'pass' if result['passed'] else 'FAIL'}")
    for result in results:
        for problem in result["problems"][:12]:
            print(f"!!! {result['database']} {result['scenario']}: {problem}")
        if result.get("server_errors_logged") and not result["passed"]:
            print(f"    {result['database']} {result['scenario']} server log errors: {result['server_errors_logged']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--scenarios", default=",".join(scenario.name for scenario in SCENARIOS),
                        help="comma-separated, from: " + ", ".join(scenario.name for scenario in SCENARIOS))
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--visitors", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", choices=("gthread", "sync"), default="gthread",
                        help="gunicorn's worker model (gunicorn.conf.py ships gthread)")
    parser.add_argument("--calm", type=float, default=5, help="seconds of load before each fault")
    parser.add_argument("--recover", type=float, default=10, help="seconds of load after each fault is undone")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every calm spell, hold and recovery")
    parser.add_argument("--pause", type=float, default=0.4, help="a phone's mean pause between requests (s)")
    parser.add_argument("--max-gap", type=float, default=5, help="longest stretch allowed without an answer (s)")
    parser.add_argument("--request-timeout", type=float, default=25, help="a phone gives up on a request after (s)")
    parser.add_argument("--budget", type=float, default=480, help="the whole run's time (s)")
    parser.add_argument("--logs", type=Path, help="keep each scenario's server log in this folder")
    parser.add_argument("--json", help="also write the figures to this file")
    options = parser.parse_args()
    known = {scenario.name: scenario for scenario in SCENARIOS}
    unknown = [name for name in options.scenarios.split(",") if name not in known]
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(unknown)}")
    scenarios = [known[name] for name in options.scenarios.split(",")]
    settings = Settings(options.learners, options.visitors, options.workers, options.calm, options.recover,
                        options.scale, options.pause, options.max_gap, options.request_timeout, options.logs,
                        options.worker_class)
    databases = ("sqlite", "postgres") if options.database == "both" else (options.database,)
    started = time.monotonic()
    results: list[dict] = []
    with contextlib.ExitStack() as stack:
        atexit.register(stack.close)  # also when something ends the interpreter without unwinding this block
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a CI's cancel unwinds like Ctrl-C
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="saring-faults-")))
        stack.callback(lambda: set_immutable(list(folder.rglob("*.sqlite3*")), False) if os.geteuid() == 0 else None)
        redis = stack.enter_context(PrivateRedis(folder / "redis"))
        for database in databases:
            if database == "postgres":
                postgres = stack.enter_context(PrivatePostgres())
                url, sqlite_path = postgres.create_database("saring_faults"), None
            else:
                postgres, sqlite_path = None, folder / "sqlite" / "faults.sqlite3"
                url = f"sqlite:///{sqlite_path}"
            results += run_database(database, url, {"redis": redis, "postgres": postgres, "sqlite_path": sqlite_path},
                                    folder / database, scenarios, settings, started + options.budget)
    seconds = round(time.monotonic() - started, 1)
    report(results)
    passed = bool(results) and all(result["passed"] for result in results)
    figures = {"seconds": seconds, "settings": {**dataclasses.asdict(settings), "logs": str(settings.logs)},
               "results": results, "passed": passed}
    print_figures(figures, options.json)
    print(f"{len(results)} scenarios in {seconds} s: " + ("passed" if passed else
          f"FAILED ({sum(not result['passed'] for result in results)} failed)"))
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Server time of one 45-learner class's report, and of the item report, on 100,000 learners and 5 million lesson rows.

Builds the schema with `flask db upgrade` (the real tables and indexes), then generates, with a fixed
seed and fast bulk inserts (SQLite: executemany in one transaction; PostgreSQL: COPY):

- 100,000 learners (one cheap pbkdf2 hash shared by every account, so nobody waits for scrypt) in
  2,222 classes of 45, taught by 741 teachers with three classes each; each class is assigned three
  to six of the shipped modules, some with a due date;
- about 5,000,000 lesson_progress rows, 50 per learner on average: lessons of the eight shipped
  modules (40% of learners finished a given module, the others are part-way) plus lessons of a
  curriculum grown to 100 modules of ten lessons (generated ids, absent from the content, as
  modules a learner did before or outside class);
- the lessons learners opened: every finished one, and the one where a learner part-way stopped;
- about 435,000 quiz attempts with 5,200,000 answers on the shipped quizzes, with their real
  question and option ids: 85% of the learners who finished a module took its quiz, one to three times.

PostgreSQL is vacuumed and analysed after loading, as autovacuum would; SQLite is left unanalysed,
as the app leaves it. Then a Flask test client signs in as the teacher of one class with six
modules assigned and opens the class report, the item analysis of one module and report.csv:
a few requests to warm up, then `--requests` timed ones each (in process, no network; the time
includes compressing the response as a phone's browser asks). Prints the median, p95 and queries
per request; exits 1 if any median is over the goal (50 ms). Then it times the editors' item report
(`saring.editing.item_report`: every question of the shipped quizzes from every learner's first
attempt, every lesson's openers and finishers), `--item-runs` times after a warm-up, each in an app context of
its own as a request would have; its goal is a median under 200 ms on both databases. The report
reads the tallies kept as attempts and lessons are saved (`saring.editing.tallies`); rows inserted in
bulk skip that, so after loading the benchmark counts them with the same recount as
`flask content recount`, and prints how long that took (the cost of summing every row once). The SQLite
file lives in a temporary folder and the PostgreSQL database is created and dropped, both only for
the run.

    .venv/bin/python -m bench.report_scale [--database sqlite|postgres|both] [--learners 100000]
        [--requests 30] [--item-runs 10] [--postgres URL] [--json results.json]   (from the project root)
"""

import argparse
import contextlib
import os
import random
import re
import secrets
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from bench.server import BIN, ROOT, print_figures
from saring import create_app
from saring.classes.models import JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH
from saring.config import Config
from saring.content import get_library, load_library
from saring.editing.item_report import item_report
from saring.editing.tallies import TALLIES, FirstAttempt, recount
from saring.extensions import db
from tests.conftest import scratch_database

GOAL_MS = 50
DISCERNMENT_GOAL_MS = 100  # the class's check report (the teacher) and the review queue (a learner)
CHECK_BEFORE_SHARE = 0.8  # of learners, took the check before; of those, this share took it after:
CHECK_AFTER_SHARE = 0.6
CARDS_PER_LEARNER = 12  # missed questions and items in review, at most
ITEM_REPORT_GOAL_MS = 200  # editors open it now and then; it reads every learner's first attempts
ITEM_REPORT_WARM_UP = 2
CLASS_SIZE = 45
CLASSES_PER_TEACHER = 3
LESSONS_PER_LEARNER = 50
CURRICULUM_MODULES = 100  # the shipped ones plus generated ones of ten lessons each
FINISHED_SHARE = 0.4  # of learners, per shipped module
QUIZ_SHARE = 0.85  # of those who finished a module (a class is asked to take it)
CHUNK = 10_000  # learners generated and inserted at a time
WARM_UP = 5
PASSWORD = "satu dua tiga empat"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
FIRST_NAMES = ("Siti", "Putri", "Ayu", "Dewi", "Nur", "Rina", "Budi", "Agus", "Eko", "Rizky", "Dimas", "Fajar",
               "Wayan", "Made", "Yohanes", "Maria", "Intan", "Bayu", "Gilang", "Lestari")
LAST_NAMES = ("Rahmawati", "Santoso", "Wijaya", "Saputra", "Nur'aini", "Hidayat", "Pratama", "Simanjuntak",
              "Sihombing", "Wulandari", "Kurniawan", "Setiawan", "Manurung", "Lubis", "Nugroho", "Anggraini")


def stamps(count: int) -> list[str]:
    """Moments over the last year, as SQLAlchemy stores a DateTime (text PostgreSQL also reads)."""
    start = datetime(2025, 12, 1, 7, 0)
    return [(start + timedelta(minutes=17 * n)).strftime("%Y-%m-%d %H:%M:%S.000000") for n in range(count)]


def join_code(number: int) -> str:
    """A distinct six-character join code for each class number."""
    code = ""
    for _ in range(JOIN_CODE_LENGTH):
        number, digit = divmod(number, len(JOIN_CODE_ALPHABET))
        code += JOIN_CODE_ALPHABET[digit]
    return code


@contextlib.contextmanager
def bulk_insert(url: str):
    """Yields insert(table, columns, rows): executemany in one transaction on SQLite, COPY on PostgreSQL."""
    engine = sa.create_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    pooled = engine.raw_connection()
    connection = pooled.driver_connection
    if sqlite:
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-500000", "temp_store=MEMORY",
                       "locking_mode=EXCLUSIVE"):
            connection.execute(f"PRAGMA {pragma}")

    def insert(table: str, columns: tuple[str, ...], rows) -> None:
        names = ", ".join(columns)
        if sqlite:
            connection.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})", rows)
        else:
            with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    try:
        yield insert
        connection.commit()
        if not sqlite:
            connection.autocommit = True
            connection.execute("VACUUM ANALYZE")
    finally:
        pooled.close()
        engine.dispose()


class Generator:
    """Every row of the benchmark's database, the same on every run (fixed seed)."""

    def __init__(self, learners: int):
        library = load_library(Config.CONTENT_LESSONS_DIR, Config.CONTENT_QUIZZES_DIR)
        self.shipped = [(m.id, [lesson.id for lesson in m.lessons], m.quiz.texts["id"] if m.quiz else None)
                        for m in library.modules]
        self.other = [(f"modul-{n:03}", f"pelajaran-{k:02}")
                      for n in range(len(self.shipped) + 1, CURRICULUM_MODULES + 1) for k in range(1, 11)]
        expected = sum(FINISHED_SHARE * len(ids) + (1 - FINISHED_SHARE) * (len(ids) - 1) / 2
                       for _, ids, _ in self.shipped)
        self.other_mean = max(0.0, LESSONS_PER_LEARNER - expected)
        self.learners = learners
        self.classes = learners // CLASS_SIZE
        self.teachers = -(-self.classes // CLASSES_PER_TEACHER)
        self.stamps = stamps(30_000)
        self.password_hash = generate_password_hash(PASSWORD, "pbkdf2:sha256:1000")
        self.random = random.Random(2026)
        self.attempt_id = 0
        self.sitting_id = 0
        self.forms = {form.id: form.texts["id"].items for form in library.checks}
        self.questions = [(module_id, question.id) for module_id, _, quiz in self.shipped if quiz
                          for question in quiz.questions]
        self.counts = {"lesson_progress": 0, "lesson_starts": 0, "quiz_attempts": 0, "quiz_answers": 0,
                       "check_sittings": 0, "check_answers": 0, "review_cards": 0}

    def stamp(self) -> str:
        """Some moment of the year."""
        return self.stamps[self.random.randrange(len(self.stamps))]

    def teacher_id(self, classroom: int) -> int:
        """The account id of the teacher of class number `classroom` (from 0)."""
        return self.learners + 1 + classroom // CLASSES_PER_TEACHER

    def assigned(self, classroom: int) -> list[str]:
        """Three to six shipped modules, a different selection from class to class."""
        ids = [module_id for module_id, _, _ in self.shipped]
        turn = classroom % len(ids)
        return (ids[turn:] + ids[:turn])[:3 + classroom % 4]

    def measured_class(self) -> int:
        """A class in the middle of the data with six modules assigned (its id)."""
        middle = self.classes // 2
        return middle - middle % 4 + 3 + 1

    def users(self):
        """Learners with Indonesian names, then the teachers; every account has the same password."""
        rng = self.random
        for n in range(self.learners):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            yield (n + 1, f"murid{n:06}", name, self.password_hash, "id", False, self.stamp())
        for t in range(self.teachers):
            yield (self.learners + 1 + t, f"guru{t:04}", None, self.password_hash, "id", False, self.stamp())

    def roles(self):
        """The teacher role of each teacher."""
        return ((t + 1, self.learners + 1 + t, "teacher") for t in range(self.teachers))

    def classrooms(self):
        """Classes of grades 7 to 9, three per teacher."""
        for c in range(self.classes):
            grade = str(7 + c % 3)
            yield (c + 1, self.teacher_id(c), f"{grade}{'ABCDEFGH'[c // 3 % 8]}",
                   f"SMP Negeri {c // 3 % 300 + 1}", grade, join_code(c), True, self.stamp())

    def memberships(self):
        """Learners in classes of 45, in account order; every fifth class made its accounts itself."""
        return ((n + 1, n // CLASS_SIZE + 1, n + 1, self.stamp(), n // CLASS_SIZE % 5 == 0)
                for n in range(self.classes * CLASS_SIZE))

    def assignments(self):
        """Each class's assigned modules, a third with a past due date and a third with a coming one."""
        number = 0
        for c in range(self.classes):
            for position, module_id in enumerate(self.assigned(c)):
                number += 1
                due = (None, "2026-03-01", "2026-12-20")[(c + position) % 3]
                yield (number, c + 1, module_id, due, self.stamp())

    def activity(self, first: int, last: int):
        """Lesson progress, lessons opened, quiz attempts and answers of learners first..last-1, as four lists.

        Every finished lesson was opened; a learner part-way through a module also opened the lesson
        where they stopped.

        Learners work at the same time, so the rows come shuffled: one learner's rows end up spread over
        the table as in a real database (rows stored learner by learner would flatter every query).
        """
        rng, progress, stopped, sittings = self.random, [], [], []
        for n in range(first, last):
            user_id, ability = n + 1, rng.random()
            for module_id, lesson_ids, quiz in self.shipped:
                done = len(lesson_ids) if rng.random() < FINISHED_SHARE else rng.randrange(len(lesson_ids))
                progress.extend((user_id, module_id, lesson_id, self.stamp()) for lesson_id in lesson_ids[:done])
                if done < len(lesson_ids):
                    stopped.append((user_id, module_id, lesson_ids[done], self.stamp()))
                if quiz is not None and done == len(lesson_ids) and rng.random() < QUIZ_SHARE:
                    tries = [self.answers(quiz, ability, number) for number in range(rng.choice((1, 1, 1, 2, 3)))]
                    sittings.append((user_id, module_id, quiz.pass_mark, tries))
            extra = min(len(self.other), rng.randint(0, round(2 * self.other_mean)))
            start = rng.randrange(0, len(self.other), 10)
            progress.extend((user_id, *self.other[k % len(self.other)], self.stamp())
                            for k in range(start, start + extra))
        rng.shuffle(progress)
        opened = progress + stopped
        rng.shuffle(opened)
        rng.shuffle(sittings)
        attempts, answers = [], []
        for user_id, module_id, pass_mark, tries in sittings:
            for given in tries:
                self.attempt_id += 1
                score = sum(right for _, _, right in given)
                percent = 100 * score // len(given)
                attempts.append((self.attempt_id, user_id, module_id, "id", f"{self.attempt_id:032x}", score,
                                 len(given), percent, percent >= pass_mark, self.stamp()))
                answers.extend((self.attempt_id, *answer) for answer in given)
        self.counts["lesson_progress"] += len(progress)
        self.counts["lesson_starts"] += len(opened)
        self.counts["quiz_attempts"] += len(attempts)
        self.counts["quiz_answers"] += len(answers)
        return progress, opened, attempts, answers

    def checks(self, first: int, last: int):
        """Check sittings (before, and for some after, on the other form), their answers, and review cards.

        About a third of the cards are due today or earlier, the rest over the coming weeks."""
        rng, sittings, answers, cards = self.random, [], [], []
        forms = sorted(self.forms)
        today = datetime.now(UTC).replace(tzinfo=None)
        for n in range(first, last):
            user_id, skill = n + 1, rng.random()
            if rng.random() < CHECK_BEFORE_SHARE:
                phases = ("before", "after") if rng.random() < CHECK_AFTER_SHARE else ("before",)
                for turn, phase in enumerate(phases):
                    form = forms[(user_id + turn) % len(forms)]
                    self.sitting_id += 1
                    said = [(item.id, not item.genuine if rng.random() < 0.55 + 0.3 * skill + 0.1 * turn
                             else item.genuine) for item in self.forms[form]]
                    genuine = {item.id: item.genuine for item in self.forms[form]}
                    caught = sum(said_false for item_id, said_false in said if not genuine[item_id])
                    trusted = sum(not said_false for item_id, said_false in said if genuine[item_id])
                    sittings.append((self.sitting_id, user_id, form, phase, "id", f"{self.sitting_id:032x}", caught,
                                     10, trusted, 10, self.stamp()))
                    answers.extend((self.sitting_id, item_id, said_false, said_false != genuine[item_id])
                                   for item_id, said_false in said)
            for module_id, question_id in rng.sample(self.questions, rng.randrange(CARDS_PER_LEARNER)):
                due = today + timedelta(days=rng.randint(-3, 30))
                cards.append((user_id, "question", module_id, question_id, 2, None, 3.2, 5.1,
                              due.strftime("%Y-%m-%d %H:%M:%S.000000"), self.stamp(), 1, self.stamp()))
        rng.shuffle(sittings)
        rng.shuffle(cards)
        self.counts["check_sittings"] += len(sittings)
        self.counts["check_answers"] += len(answers)
        self.counts["review_cards"] += len(cards)
        return sittings, answers, cards

    def answers(self, quiz, ability: float, number: int) -> list[tuple[str, str, bool]]:
        """A learner's answers on their `number`th try (from 0) at `quiz`: question id, options chosen, right."""
        given = []
        for question in quiz.questions:
            right = self.random.random() < 0.35 + 0.5 * ability + 0.1 * number
            chosen = (",".join(sorted(question.correct_ids)) if right else
                      self.random.choice([o.id for o in question.options if not o.correct]))
            given.append((question.id, chosen, right))
        return given


def generate(url: str, learners: int, label: str) -> tuple[Generator, float]:
    """Migrate the empty database at `url`, fill it, and say how long that took."""
    began = time.perf_counter()
    env = {**os.environ, "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": url}
    subprocess.run([BIN / "flask", "--app", "app", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    rows = Generator(learners)
    with bulk_insert(url) as insert:
        insert("users", ("id", "username", "display_name", "password_hash", "locale",
                         "must_change_password", "created_at"), rows.users())
        insert("user_roles", ("id", "user_id", "role"), rows.roles())
        insert("classrooms", ("id", "teacher_id", "name", "school", "grade", "join_code", "joining_open",
                              "created_at"), rows.classrooms())
        insert("memberships", ("id", "classroom_id", "user_id", "joined_at", "created_here"), rows.memberships())
        insert("assignments", ("id", "classroom_id", "module_id", "due_date", "created_at"), rows.assignments())
        for first in range(0, learners, CHUNK):
            progress, opened, attempts, answers = rows.activity(first, min(first + CHUNK, learners))
            insert("lesson_progress", ("user_id", "module_id", "lesson_id", "completed_at"), progress)
            insert("lesson_starts", ("user_id", "module_id", "lesson_id", "started_at"), opened)
            insert("quiz_attempts", ("id", "user_id", "module_id", "lang", "submission_key", "score", "total",
                                     "percent", "passed", "created_at"), attempts)
            insert("quiz_answers", ("attempt_id", "question_id", "chosen", "correct"), answers)
            sittings, check_answers, cards = rows.checks(first, min(first + CHUNK, learners))
            insert("check_sittings", ("id", "user_id", "form_id", "phase", "lang", "submission_key", "caught",
                                      "false_items", "trusted", "genuine_items", "created_at"), sittings)
            insert("check_answers", ("sitting_id", "item_id", "said_false", "correct"), check_answers)
            insert("review_cards", ("user_id", "kind", "module_id", "ref", "state", "step", "stability",
                                    "difficulty", "due", "last_review", "reviews", "created_at"), cards)
            print(f"  {label}: {min(first + CHUNK, learners):,} learners, "
                  f"{rows.counts['lesson_progress']:,} lesson rows ({time.perf_counter() - began:.0f} s)", flush=True)
    return rows, time.perf_counter() - began


def count_tallies(url: str) -> float:
    """Count the item report's tallies from the rows inserted in bulk, as `flask content recount` does; its seconds.

    PostgreSQL then analyses the new tables, as autovacuum would.
    """
    engine = sa.create_engine(url)
    try:
        began = time.perf_counter()
        with engine.begin() as connection:
            recount(connection)
        seconds = time.perf_counter() - began
        if engine.dialect.name == "postgresql":
            names = ", ".join(model.__tablename__ for model in (FirstAttempt, *(model for model, _ in TALLIES)))
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text(f"ANALYZE {names}"))
    finally:
        engine.dispose()
    return seconds


def percentile(times: list[float], share: float) -> float:
    """The value below which `share` of the times fall (nearest rank)."""
    ordered = sorted(times)
    return ordered[max(0, round(share * len(ordered)) - 1)]


def timed(client, path: str, requests: int, statements: list) -> dict:
    """Median, p95 and queries of `requests` GETs of `path` (after WARM_UP), `statements` counting the queries."""
    times, queries = [], set()
    for number in range(WARM_UP + requests):
        statements.clear()
        start = time.perf_counter()
        response = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, f"{path} answered {response.status_code}"
        if number >= WARM_UP:
            times.append(elapsed)
            queries.add(len(statements))
    return {"path": path, "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 0.95), 1), "queries": max(queries)}


def measure(url: str, rows: Generator, requests: int, item_runs: int, folder: Path) -> tuple[dict, dict, dict]:
    """Median, p95 and queries of each report page (as the measured class's teacher), of the class's check
    report and a learner's review queue, and of the item report."""
    # no kept pages: every request does the report's own work, as for a class whose learners just moved on
    app = create_app({"ENV_NAME": "production", "SECRET_KEY": secrets.token_hex(32), "PAGE_CACHE_BYTES": 0,
                      "SQLALCHEMY_DATABASE_URI": url, "CONTENT_CACHE_FILE": str(folder / "content-cache.json")})
    class_id = rows.measured_class()
    client = app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/id/login").text)[1]
    teacher = f"guru{(class_id - 1) // CLASSES_PER_TEACHER:04}"
    signed_in = client.post("/id/login", data={"csrf_token": token, "username": teacher, "password": PASSWORD})
    assert signed_in.status_code == 302, "the teacher could not sign in"
    pages = {"class report": f"/id/classes/{class_id}/report",
             "item analysis": f"/id/classes/{class_id}/modules/hoaks/items",
             "report.csv": f"/id/classes/{class_id}/report.csv"}
    with app.app_context():
        engine = db.engine
    statements = []
    sa.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    figures = {name: timed(client, path, requests, statements) for name, path in pages.items()}
    learner = app.test_client()  # a learner of the measured class, for the review queue
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', learner.get("/id/login").text)[1]
    username = f"murid{(class_id - 1) * CLASS_SIZE + 7:06}"
    assert learner.post("/id/login", data={"csrf_token": token, "username": username, "password": PASSWORD}) \
        .status_code == 302, "the learner could not sign in"
    discernment = {"class check": timed(client, f"/id/classes/{class_id}/check", requests, statements),
                   "review queue": timed(learner, "/id/review", requests, statements)}
    times, queries = [], set()
    for number in range(ITEM_REPORT_WARM_UP + item_runs):
        with app.app_context():
            library = get_library()
            statements.clear()
            start = time.perf_counter()
            item_report(library)
            elapsed = (time.perf_counter() - start) * 1000
        if number >= ITEM_REPORT_WARM_UP:
            times.append(elapsed)
            queries.add(len(statements))
    items = {"median_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 0.95), 1),
             "queries": max(queries), "runs": item_runs}
    engine.dispose()
    return figures, items, discernment


def postgres_reachable(server: str) -> str | None:
    """None if the PostgreSQL server answers, else why not."""
    engine = sa.create_engine(server, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return None
    except sa.exc.SQLAlchemyError as error:
        return str(error.orig or error).strip().splitlines()[0]
    finally:
        engine.dispose()


def run(kind: str, url: str, options, folder: Path) -> dict:
    """Generate the data on one database and measure the report pages there."""
    rows, seconds = generate(url, options.learners, kind)
    recount_seconds = count_tallies(url)
    print(f"  {kind}: tallies recounted in {recount_seconds:.1f} s", flush=True)
    pages, items, discernment = measure(url, rows, options.requests, options.item_runs, folder)
    return {"generation_seconds": round(seconds, 1), "recount_seconds": round(recount_seconds, 2), **rows.counts,
            "classes": rows.classes,
            "teachers": rows.teachers, "class_id": rows.measured_class(), "pages": pages, "item_report": items,
            "discernment": discernment}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page, after the warm-up")
    parser.add_argument("--item-runs", type=int, default=10, help="timed runs of the item report, after the warm-up")
    parser.add_argument("--postgres", default=POSTGRES, help="a PostgreSQL server to make a scratch database on")
    parser.add_argument("--json", help="also write the figures to this file")
    options = parser.parse_args()
    results, skipped = {}, None
    with tempfile.TemporaryDirectory() as folder:
        if options.database in ("sqlite", "both"):
            results["sqlite"] = run("sqlite", f"sqlite:///{Path(folder) / 'report-scale.sqlite3'}", options,
                                    Path(folder))
        if options.database in ("postgres", "both"):
            skipped = postgres_reachable(options.postgres)
            if skipped:
                print(f"!!! PostgreSQL is not reachable at {options.postgres}: SKIPPED ({skipped})")
            else:
                with scratch_database(options.postgres, "saring_bench") as url:
                    results["postgres"] = run("postgres", url, options, Path(folder))
    if not results:
        return 1
    first = next(iter(results.values()))
    print(f"{options.learners:,} learners in {first['classes']:,} classes of {CLASS_SIZE}, "
          f"{first['lesson_progress']:,} lesson rows, {first['lesson_starts']:,} lessons opened, "
          f"{first['quiz_attempts']:,} quiz attempts, "
          f"{first['quiz_answers']:,} answers; class {first['class_id']}, {options.requests} requests per page")
    print(f"{'database':9} {'page':14} {'median':>9} {'p95':>9} {'queries':>8}")
    for kind, result in results.items():
        for name, page in result["pages"].items():
            print(f"{kind:9} {name:14} {page['median_ms']:6.1f} ms {page['p95_ms']:6.1f} ms {page['queries']:8}")
    print("generation: " + ", ".join(f"{kind} {result['generation_seconds']:.0f} s"
                                     for kind, result in results.items()))
    slowest = max(page["median_ms"] for result in results.values() for page in result["pages"].values())
    met = slowest < GOAL_MS
    print(f"goal (every median under {GOAL_MS} ms): {'met' if met else 'NOT met'}"
          + (" on SQLite only: PostgreSQL was skipped" if skipped else ""))
    print(f"item report: every learner's first attempts, opened and finished lessons, {options.item_runs} runs "
          f"after {ITEM_REPORT_WARM_UP} to warm up, from the tallies (recounted from every row in "
          + ", ".join(f"{kind} {result['recount_seconds']:.1f} s" for kind, result in results.items()) + ")")
    for kind, result in results.items():
        items = result["item_report"]
        ratio = items["median_ms"] / ITEM_REPORT_GOAL_MS
        print(f"{kind:9} {'item report':14} {items['median_ms']:6.1f} ms {items['p95_ms']:6.1f} ms "
              f"{items['queries']:8}   goal under {ITEM_REPORT_GOAL_MS} ms on both databases: "
              f"{'met' if ratio < 1 else 'NOT met'} ({ratio:.2f}× the goal)")
    items_met = all(result["item_report"]["median_ms"] < ITEM_REPORT_GOAL_MS for result in results.values())
    print(f"discernment: {first['check_sittings']:,} check sittings, {first['check_answers']:,} check answers, "
          f"{first['review_cards']:,} review cards")
    for kind, result in results.items():
        for name, page in result["discernment"].items():
            ratio = page["median_ms"] / DISCERNMENT_GOAL_MS
            print(f"{kind:9} {name:14} {page['median_ms']:6.1f} ms {page['p95_ms']:6.1f} ms {page['queries']:8}"
                  f"   goal under {DISCERNMENT_GOAL_MS} ms: {'met' if ratio < 1 else 'NOT met'} "
                  f"({ratio:.2f}× the goal)")
    discernment_met = all(page["median_ms"] < DISCERNMENT_GOAL_MS for result in results.values()
                          for page in result["discernment"].values())
    figures = {"learners": options.learners, "goal_ms": GOAL_MS, "requests": options.requests,
               "item_report_goal_ms": ITEM_REPORT_GOAL_MS, "postgres_skipped": skipped, "databases": results}
    print_figures(figures, options.json)
    return 0 if met and items_met and discernment_met else 1


if __name__ == "__main__":
    raise SystemExit(main())

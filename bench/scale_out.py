"""Two instances of Saring on one PostgreSQL and one Redis: a learner moves between them, and the load
split across both loses nothing.

Starts two gunicorn instances of the same app on two ports, with the same SECRET_KEY, the same
scratch PostgreSQL database (created for the run, dropped after it) and the same Redis for the
limits on guessing (RATELIMIT_STORAGE_URI, under a key prefix of the run's own, deleted after it).
Then:

1. A learner logs in on instance 1 and finishes a lesson there; with the same cookie, instance 2
   shows them signed in with that lesson done; they open the quiz on instance 1 and submit it on
   instance 2 (the form's CSRF token is good on both), and the result opens on instance 1.
2. Wrong passwords for one username, sent to the two instances in turn, are counted together:
   once RATELIMIT_FAILED_LOGINS is used up the next try answers 429 wherever it lands (with a
   count in each process, eight processes would let many more through).
3. The load of bench/load.py (200 learners at once) split across both: each learner's requests go
   to one instance and the other in turn, the quiz resend included. Then the same checks: the
   database (every lesson, one attempt each, every answer), no 5xx, one log line per request.

Exits 1 on any failure.

    .venv/bin/python -m bench.scale_out [--learners 200] [--workers 4] [--postgres URL]
        [--redis redis://127.0.0.1:6379/0] [--json results.json]   (from the project root)
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import tempfile
from pathlib import Path

import limits
import redis
from flask import Flask

from bench import load
from bench.report_scale import POSTGRES, postgres_reachable
from bench.server import gunicorn, print_figures, production_env
from saring import create_app
from saring.extensions import db
from tests.conftest import scratch_database

REDIS = "redis://127.0.0.1:6379/0"
LANG = load.LANG


def redis_problem(url: str) -> str | None:
    """None if Redis answers at `url`, else why not."""
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
        return None
    except redis.RedisError as error:
        return str(error)


def forget_counts(url: str, prefix: str) -> None:
    """Delete the run's counts from Redis (they would expire by themselves within the limits' windows)."""
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"*{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


def continue_elsewhere(bases: list[str], learner, exchanges: load.Exchanges) -> list[str]:
    """A learner signs in on the first instance and carries on on the second with the same cookie."""
    first, second = load.Phone(bases[:1], "127.0.0.2", exchanges), load.Phone(bases[1:], "127.0.0.2", exchanges)
    second.cookies = first.cookies  # one phone, one cookie jar: only the instance behind the address changes
    module, lesson = learner.module_id, learner.lesson_ids[0]
    try:
        _, page = first.expect(200, "GET", f"/{LANG}/login")
        first.expect(302, "POST", f"/{LANG}/login", [("csrf_token", load.csrf_token(page, "login")),
                                                 ("username", learner.username), ("password", load.PASSWORD)])
        path = f"/{LANG}/modules/{module}/{lesson}"
        _, page = first.expect(200, "GET", path)
        first.expect(302, "POST", f"{path}/done", [("csrf_token", load.csrf_token(page, path))])
        _, page = second.expect(200, "GET", f"/{LANG}/modules/{module}")
        if f'action="/{LANG}/logout"' not in page or page.count('<li class="step done">') != 1:
            return [f"instance 2 does not show {learner.username} signed in with one lesson done"]
        path = f"/{LANG}/modules/{module}/quiz"
        _, page = first.expect(200, "GET", path)
        hidden, chosen = load.quiz_answers(page)
        answers = [(name, value) for name, values in chosen.items() for value in values]
        attempt, _ = second.expect(302, "POST", path, [("csrf_token", load.csrf_token(page, path)), *hidden.items(),
                                                       *answers])
        first.expect(200, "GET", attempt)
    except load.UnexpectedAnswerError as error:
        return [f"moving between instances: {error}"]
    return []


def shared_limits(bases: list[str], app: Flask, exchanges: load.Exchanges) -> list[str]:
    """Wrong passwords sent to both instances in turn count together: past the limit, 429 on either."""
    allowed = limits.parse(app.config["RATELIMIT_FAILED_LOGINS"]).amount
    phone = load.Phone(bases, "127.0.0.3", exchanges)
    answers = []
    try:
        _, form = phone.expect(200, "GET", f"/{LANG}/login")
        for _ in range(allowed + 2):
            status, _, page = phone.send("POST", f"/{LANG}/login", [
                ("csrf_token", load.csrf_token(form, "login")), ("username", "tidak.ada"),
                ("password", "salah sekali")])
            answers.append(status)
            form = page if status == 200 else form  # the form again, with what was wrong
    except load.UnexpectedAnswerError as error:
        return [f"wrong passwords on both instances: {error}"]
    if answers != [200] * allowed + [429, 429]:
        return [f"{allowed} wrong passwords across both instances, then two more, answered {answers}: "
                "the instances do not count together"]
    return []


def run(url: str, redis_url: str | None, learners: int, workers: int, folder: Path) -> tuple[dict, list[str]]:
    """Both instances on `url`, the learner who moves, the shared limits (unless there is no Redis, then
    each process counts alone), then the split load."""
    folder.mkdir(parents=True, exist_ok=True)
    prefix = f"saring-scale-{secrets.token_hex(4)}"
    env = {**load.load_env(production_env(folder, url)), "RATELIMIT_STORAGE_URI": redis_url or "database://",
           "RATELIMIT_KEY_PREFIX": prefix}
    app = create_app({"ENV_NAME": "production", "SECRET_KEY": env["SECRET_KEY"], "SQLALCHEMY_DATABASE_URI": url,
                      "CONTENT_CACHE_FILE": env["CONTENT_CACHE_FILE"]})
    mover, *crowd = load.create_learners(app, learners + 1, prefix="skala")
    logs = [folder / "instance-1.log", folder / "instance-2.log"]
    try:
        with gunicorn("app:app", env, workers, log=logs[0]) as one, gunicorn("app:app", env, workers, log=logs[1]) \
                as two:
            checked_apart = load.Exchanges()  # their statuses are checked as they go
            problems = continue_elsewhere([one, two], mover, checked_apart)
            if redis_url:
                problems += shared_limits([one, two], app, checked_apart)
            outcome = load.drive([one, two], crowd)
        problems += outcome.problems() + load.check_database(app, outcome.journeys)
        problems += check_split_log(logs, outcome)
    finally:
        if redis_url:
            forget_counts(redis_url, prefix)
        with app.app_context():
            db.engine.dispose()
    return outcome.figures(), problems


def check_split_log(logs: list[Path], outcome: load.Outcome) -> list[str]:
    """One log line per request across both instances' logs, and both instances took a share."""
    merged = logs[0].parent / "instances.log"
    texts = [log.read_text(errors="replace") for log in logs]
    merged.write_text("".join(texts))
    problems = load.check_log(merged, outcome)
    if not all('"saring.request"' in text for text in texts):
        problems.append("one instance served no request")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers of each instance")
    parser.add_argument("--postgres", default=POSTGRES, help="a PostgreSQL server to make a scratch database on")
    parser.add_argument("--redis", default=REDIS, help="the Redis both instances keep their limits in")
    parser.add_argument("--json", help="also write the figures to this file")
    options = parser.parse_args()
    problems = [problem for problem in (postgres_reachable(options.postgres), redis_problem(options.redis)) if problem]
    results = {}
    if not problems:
        with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as stack:
            url = stack.enter_context(scratch_database(options.postgres, "saring_scale"))
            results["2 instances"], problems = run(url, options.redis, options.learners, options.workers,
                                                   Path(folder))
    load.report(results, problems, f"{options.learners} learners split across 2 instances of {options.workers} "
                                   "workers, one PostgreSQL, one Redis")
    figures = {"learners": options.learners, "workers": options.workers, "instances": 2, "results": results,
               "problems": problems, "passed": not problems}
    print_figures(figures, options.json)
    print("passed: one session on both instances, limits counted together, nothing lost" if not problems
          else "FAILED")
    return 0 if not problems else 1


if __name__ == "__main__":
    raise SystemExit(main())

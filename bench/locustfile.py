"""Locust's side of bench/realistic.py: learners who sign in and study, and a visitor of the bare Flask route.

A `Learner` is one account of the plan that bench/realistic.py writes (`--plan`), on a phone of its
own: its own cookie jar (so its own session) and its own address, sent as X-Forwarded-For to a
server behind one trusted proxy. It signs in through the form, then studies module after module,
starting with the one the plan gives it: home, the module page, each lesson read and marked done
(the "done" redirect leads to the next lesson and, after the last, to the quiz), the quiz answered
at random with its CSRF token, submission key and quiz version, then the result. Between page views
it thinks for `--think-min` to `--think-max` seconds. Every request is one HTTP exchange (redirects
are followed by hand), so Locust's counts are the server's. With several servers (`--plan` lists
them) each request goes to the next one in turn, as bench/scale_out.py does.

A `BareRouteVisitor` asks the bare route (bench/bare.py) for its page with the same think time.

Each worker process writes what Locust's reset statistics would not keep (sign-ins, failures from
the first request on, its own CPU warnings) to `--summary-dir`. Run by bench/realistic.py, which
starts the servers and Locust; see its docstring.
"""

import contextlib
import itertools
import json
import random
import urllib.parse
from functools import cache
from pathlib import Path

from locust import FastHttpUser, events, task
from locust.runners import WorkerRunner

from bench.load import CSRF, quiz_answers
from bench.server import PHONE_USER_AGENT

SIGN_IN_FAILURES = "sign-in failures"
tally = {"signed_in": [], SIGN_IN_FAILURES: 0, "failures": 0, "requests": 0, "cpu_warnings": 0}
numbers = itertools.count()


@events.init_command_line_parser.add_listener
def add_options(parser) -> None:
    """The plan, the think time and where each worker writes its summary."""
    parser.add_argument("--plan", help="JSON written by bench/realistic.py: servers, learners, modules")
    parser.add_argument("--think-min", type=float, default=0.5, help="seconds between page views, at least")
    parser.add_argument("--think-max", type=float, default=1.5, help="seconds between page views, at most")
    parser.add_argument("--summary-dir", help="each worker writes its tally here as JSON")


@cache
def plan(path: str) -> dict:
    """The plan, read once per process."""
    return json.loads(Path(path).read_text())


@events.request.add_listener
def count(exception, **_) -> None:
    """Every request and failure, including those before Locust resets its statistics."""
    tally["requests"] += 1
    tally["failures"] += exception is not None


@events.cpu_warning.add_listener
def count_cpu_warning(**_) -> None:
    """Locust's own warning that this process used more than 90% of a core."""
    tally["cpu_warnings"] += 1


@events.quitting.add_listener
def write_summary(environment, **_) -> None:
    """This worker's tally, for bench/realistic.py."""
    folder = environment.parsed_options.summary_dir
    if folder and isinstance(environment.runner, WorkerRunner):
        Path(folder, f"worker-{environment.runner.worker_index}.json").write_text(json.dumps(tally))


class UnexpectedPageError(Exception):
    """A page answered something else than the learner's next step needs."""


class Phone(FastHttpUser):
    """A phone's headers, thinking between page views, and requests that fail unless they answer as expected."""

    abstract = True
    host = "http://127.0.0.1"  # replaced by --host; never anything but this machine

    def wait_time(self) -> float:
        """How long the learner reads or thinks before the next page."""
        options = self.environment.parsed_options
        return random.uniform(options.think_min, options.think_max)

    def on_start(self) -> None:
        """The phone's own address and the servers it reaches."""
        # phones are dealt out to the worker processes in turn, so worker w of n gets w, w + n, w + 2n...
        processes = max(1, self.environment.parsed_options.processes or 1)
        self.number = next(numbers) * processes + self.environment.runner.worker_index
        self.address = f"127.{1 + self.number // 65536}.{self.number // 256 % 256}.{self.number % 256}"
        self.servers = plan(self.environment.parsed_options.plan)["servers"] if self.environment.parsed_options.plan \
            else [self.host]
        self.turn = random.randrange(len(self.servers))

    def exchange(self, method: str, path: str, name: str, status: int, form: list | None = None):
        """One request, counted as failed unless it answers `status`; returns (Location's path, body)."""
        server = self.servers[self.turn % len(self.servers)]
        self.turn += 1
        headers = {"User-Agent": PHONE_USER_AGENT, "X-Forwarded-For": self.address, "Accept-Language": "id"}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        with self.client.request(method, server + path, name=name, data=body, headers=headers,
                                 allow_redirects=False, catch_response=True) as response:
            location = response.headers.get("Location") if response.headers else None
            if response.status_code != status or (status == 302 and not location):
                response.failure(f"{method} {name} answered {response.status_code}, not {status}")
                raise UnexpectedPageError(f"{method} {path} answered {response.status_code}")
            return urllib.parse.urlsplit(location).path if location else None, response.text or ""


class Learner(Phone):
    """One account of the plan, signed in through the form, studying module after module."""

    def on_start(self) -> None:
        """Take this phone's account and sign in; a learner who cannot sign in stops."""
        super().on_start()
        study = plan(self.environment.parsed_options.plan)
        self.lang = study["lang"]
        self.modules = study["modules"]
        self.module_turn = self.number
        if self.number >= len(study["learners"]):
            tally[SIGN_IN_FAILURES] += 1
            raise UnexpectedPageError(f"phone {self.number} has no account: the plan holds {len(study['learners'])}")
        self.username = study["learners"][self.number]
        try:
            _, page = self.exchange("GET", f"/{self.lang}/login", "login page", 200)
            home, _ = self.exchange("POST", f"/{self.lang}/login", "log in", 302, [
                ("csrf_token", token(page)), ("username", self.username), ("password", study["password"])])
            _, page = self.exchange("GET", home, "home", 200)
            if f'action="/{self.lang}/logout"' not in page:
                raise UnexpectedPageError(f"{self.username} is not signed in after logging in")
        except UnexpectedPageError:
            tally[SIGN_IN_FAILURES] += 1
            raise
        tally["signed_in"].append(self.username)

    @task
    def study_a_module(self) -> None:
        """Home, a module, its lessons each marked done, its quiz answered, the result."""
        module = self.modules[self.module_turn % len(self.modules)]
        self.module_turn += 1
        try:
            self.exchange("GET", f"/{self.lang}/", "home", 200)
            self.wait()
            self.exchange("GET", f"/{self.lang}/modules/{module['id']}", "module", 200)
            self.wait()
            path = f"/{self.lang}/modules/{module['id']}/{module['lessons'][0]}"
            _, page = self.exchange("GET", path, "lesson", 200)
            for lesson_id in module["lessons"]:
                self.wait()
                done = f"/{self.lang}/modules/{module['id']}/{lesson_id}/done"
                path, _ = self.exchange("POST", done, "lesson done", 302, [("csrf_token", token(page))])
                # the next lesson, and after the last one, the quiz
                _, page = self.exchange("GET", path, "lesson" if lesson_id != module["lessons"][-1] else "quiz", 200)
            self.wait()
            hidden, chosen = quiz_answers(page)
            form = [("csrf_token", token(page)), *hidden.items(),
                    *((name, value) for name, values in chosen.items() for value in values)]
            result, _ = self.exchange("POST", path, "quiz answers", 302, form)
            self.exchange("GET", result, "result", 200)
        except UnexpectedPageError:
            pass  # counted as a failed request already; the learner starts over with the next module


class BareRouteVisitor(Phone):
    """The bare Flask route, asked the same way and with the same think time."""

    @task
    def hello(self) -> None:
        """The bare route's page."""
        with contextlib.suppress(UnexpectedPageError):  # counted as a failed request already
            self.exchange("GET", "/", "bare route", 200)


def token(page: str) -> str:
    """The page's CSRF token."""
    found = CSRF.search(page)
    if found is None:
        raise UnexpectedPageError("the page has no CSRF token")
    return found[1]

"""1,000 learners studying at once under Locust, on SQLite, on PostgreSQL and on two instances, against
a bare Flask route driven the same way: requests per second, p50/p99 and errors.

Each setup starts from a fresh database built with `flask db upgrade` (SQLite in a temporary folder;
on PostgreSQL a scratch database created for the run and dropped after it), with 1,000 learner
accounts created directly (one cheap pbkdf2 hash shared by all, as bench/load.py does), and serves
Saring under gunicorn in production mode behind one trusted proxy: each learner's phone sends its
own address as X-Forwarded-For, so the limit per address counts each phone. "Two instances" are two
gunicorns on one PostgreSQL database and one Redis (redis://127.0.0.1:6379/0, under a key prefix
of the run's own, deleted afterwards), each learner's requests going to one and the other in turn.

Locust runs headless (bench/locustfile.py): each of the 1,000 simulated learners has an account and
a session of its own. It logs in through the form with the page's CSRF token, then loops: home, a
module page, each lesson read and marked done (a POST with the CSRF token), the quiz answered
(with its submission key and quiz version), the result; then the next module. It thinks 0.5 to
1.5 s between page views (`--think`), which keeps the offered load far above what the server can
serve, so the figures measure the server. Learners are started at `--spawn-rate` a second and
Locust's statistics are reset once all are running, so the figures are the steady part: the
`--seconds` after that. Sign-ins, and failures from the very first request, are counted apart.
The bare route (bench/bare.py) is driven first by the same Locust, processes, users, duration and
gunicorn workers, but without thinking: with think time it would only ever get what the users
offer, and its figure would measure the think time, not the route. Each setup's requests per
second are given as a share of that figure (as bench/throughput.py gives wrk's).

Why these numbers, on a 2-core machine: gunicorn runs 4 sync workers in all (two per core, as
bench/load.py: a worker waiting on the database leaves its core to another; two instances get 2
each, so the comparison is about sharing, not about more processes). Locust runs one master and 2
worker processes (`--processes`): each worker is one gevent loop on one core, so two can use both
cores if they must, and each holds only 500 learners.

The load generator is shown not to be the bottleneck twice over: its processes' CPU time is
sampled while it loads Saring (the busiest worker's share of one core, on average and at its
busiest 5 s; Locust itself warns above 90%), and the same generator, with the same processes and
users, drives the bare route at a rate well above what Saring reaches (at least 1.5 times). Both
are printed, with a verdict; a run where they do not hold says so loudly. So is the CPU that
gunicorn, the databases and anything else used: a setup during which other processes took more
than a quarter of a core says that its figures are low.

Prints, for each setup, requests per second, p50 and p99 as the phones waited, errors (count and
share) and the ratio to the bare route; then p50/p99 per step, how long requests took inside the
server (from its JSON log: the rest of a phone's wait is the queue), where the CPU went, and the
figures as JSON (`--json` also writes them to a file).

Exits 1 when a setup could not be started, when a learner could not sign in, when the server logged
an error, or when more than `--max-error-share` of the requests failed (0.1%). Every server listens
on 127.0.0.1 only, and every run stops by itself.

    .venv/bin/python -m bench.realistic [--setup sqlite|postgres|instances|all] [--learners 1000]
        [--seconds 40] [--spawn-rate 200] [--think 0.5-1.5] [--workers 4] [--processes 2]
        [--postgres URL] [--redis URL] [--json results.json]   (from the project root;
        `make realistic` installs bench/requirements.txt first)
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import secrets
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psutil

from bench import load
from bench.report_scale import POSTGRES, postgres_reachable
from bench.scale_out import REDIS, forget_counts, redis_problem
from bench.server import BIN, ROOT, gunicorn, print_figures, production_env
from saring import create_app
from saring.extensions import db
from tests.conftest import scratch_database

LEARNERS = 1000
WORKERS = 4
PROCESSES = 2
SECONDS = 40
SPAWN_RATE = 200
THINK = "0.5-1.5"
MAX_ERROR_SHARE = 0.001
CPU_WARNING = 0.9  # Locust's own threshold for a process
PEAK_SPAN_S = 5
QUIET_CORES = 0.25  # other processes' CPU above which a run's figures are said to be low
SETUPS = ("sqlite", "postgres", "instances")
BARE = "bare Flask route"


class SetupError(Exception):
    """A setup could not be started or measured."""


class CpuWatch:
    """CPU time of the load generator, of the servers, of the databases and of the whole machine, sampled
    every second while Locust runs."""

    def __init__(self, generator: int):
        self.generator = psutil.Process(generator)
        self.samples: dict[tuple[str, int], list[tuple[float, float]]] = {}  # (group, pid): (time, CPU seconds)
        self.machine: list[tuple[float, float]] = []  # (time, busy CPU seconds of all cores)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.watch, daemon=True)
        self.thread.start()

    def groups(self) -> dict[str, list[psutil.Process]]:
        """The processes watched: Locust's, this run's gunicorns, and the database servers."""
        generator = [self.generator, *self.generator.children(recursive=True)]
        mine = {process.pid for process in generator}
        servers = [process for process in psutil.Process().children(recursive=True)
                   if process.pid not in mine and "gunicorn" in " ".join(process.cmdline())]
        databases = [process for process in psutil.process_iter(["name"])
                     if process.info["name"] in ("postgres", "redis-server")]
        return {"generator": generator, "servers": servers, "databases": databases}

    def watch(self) -> None:
        """Sample until stopped."""
        while not self.stopped.wait(1):
            now = time.monotonic()
            try:
                groups = self.groups()
            except psutil.NoSuchProcess:
                continue  # one went away while being listed; the next second will do
            machine = psutil.cpu_times()
            self.machine.append((now, sum(machine) - machine.idle - getattr(machine, "iowait", 0)))
            for group, processes in groups.items():
                for process in processes:
                    with contextlib.suppress(psutil.Error):
                        times = process.cpu_times()
                        self.samples.setdefault((group, process.pid), []).append((now, times.user + times.system))

    def stop(self, steady_from: float) -> dict:
        """Stop sampling; CPU use from `steady_from` (a monotonic time) on, in cores, and the generator's busiest
        process's share of its core, on average and over its busiest PEAK_SPAN_S."""
        self.stopped.set()
        self.thread.join()
        cores = {"generator": 0.0, "servers": 0.0, "databases": 0.0}
        average = peak = 0.0
        for (group, _), samples in self.samples.items():
            steady = [(at, cpu) for at, cpu in samples if at >= steady_from]
            if len(steady) < 2:
                continue
            share = (steady[-1][1] - steady[0][1]) / (steady[-1][0] - steady[0][0])
            cores[group] += share
            if group != "generator":
                continue
            average = max(average, share)
            for start, (at, cpu) in enumerate(steady):
                later = next(((t, c) for t, c in steady[start:] if t - at >= PEAK_SPAN_S), None)
                if later:
                    peak = max(peak, (later[1] - cpu) / (later[0] - at))
        machine = [(at, busy) for at, busy in self.machine if at >= steady_from]
        busy = (machine[-1][1] - machine[0][1]) / (machine[-1][0] - machine[0][0]) if len(machine) > 1 else 0.0
        return {"generator_processes": len({pid for group, pid in self.samples if group == "generator"}),
                "generator_cores": round(cores["generator"], 2),
                "busiest_generator_process": round(average, 2), "busiest_generator_process_peak": round(peak, 2),
                "server_cores": round(cores["servers"], 2), "database_cores": round(cores["databases"], 2),
                "other_cores": round(max(0.0, busy - sum(cores.values())), 2),
                "machine_busy": round(busy / psutil.cpu_count(), 2)}


def percentile(ordered: list[float], share: float) -> float | None:
    """The value below which `share` of the ordered values lie."""
    return round(ordered[max(0, round(share * len(ordered)) - 1)], 1) if ordered else None


def milliseconds(text: str) -> float | None:
    """A percentile from Locust's CSV ("N/A" when there were no requests)."""
    return None if text in ("", "N/A") else float(text)


def read_stats(prefix: Path) -> tuple[dict, dict[str, dict], list[str]]:
    """The aggregated figures, the figures per step and the failures, from Locust's CSV files."""
    steps, total = {}, None
    with open(f"{prefix}_stats.csv", newline="") as stats:
        for row in csv.DictReader(stats):
            requests, failures = int(row["Request Count"]), int(row["Failure Count"])
            figures = {"requests": requests, "failures": failures,
                       "requests_per_second": round(float(row["Requests/s"]), 1),
                       "p50_ms": milliseconds(row["50%"]), "p99_ms": milliseconds(row["99%"])}
            if row["Name"] == "Aggregated":
                total = figures
            else:
                steps[f"{row['Type']} {row['Name']}"] = figures
    with open(f"{prefix}_failures.csv", newline="") as failed:
        failures = [f"{row['Occurrences']} x {row['Method']} {row['Name']}: {row['Error']}"
                    for row in csv.DictReader(failed)]
    if total is None:
        raise SetupError(f"Locust wrote no aggregated figures to {prefix}_stats.csv")
    return total, steps, failures


def run_locust(user_class: str, servers: list[str], options, folder: Path, plan: Path | None = None,
               think: tuple[float, float] | None = None) -> dict:
    """Locust, headless, against `servers` for the ramp-up and `options.seconds` after it, its users thinking
    `think` seconds (default: `options.think`) between pages: the figures."""
    folder.mkdir(parents=True, exist_ok=True)
    summaries = folder / "summaries"
    summaries.mkdir()
    ramp = options.learners / options.spawn_rate
    think_min, think_max = think or options.think
    command = [BIN / "locust", "-f", ROOT / "bench" / "locustfile.py", "--headless", "--only-summary",
               "--users", str(options.learners), "--spawn-rate", str(options.spawn_rate),
               "--run-time", f"{round(ramp + options.seconds + 1)}s", "--processes", str(options.processes),
               "--host", servers[0], "--reset-stats", "--csv", folder / "locust", "--exit-code-on-error", "0",
               "--think-min", str(think_min), "--think-max", str(think_max), "--summary-dir", summaries,
               "--loglevel", "WARNING", user_class]
    if plan:
        command[-1:-1] = ["--plan", plan]
    log = folder / "locust.log"
    with open(log, "wb") as output:
        generator = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                                     stdout=output, stderr=subprocess.STDOUT)
        watch = CpuWatch(generator.pid)
        steady_from = time.monotonic() + ramp + 2  # the workers start and learners sign in first
        try:
            returncode = generator.wait(timeout=ramp + options.seconds + 120)
        except subprocess.TimeoutExpired:
            generator.kill()
            generator.wait()
            raise SetupError("Locust did not stop by itself") from None
        finally:
            cpu = watch.stop(steady_from)
    text = log.read_text(errors="replace")
    if returncode != 0:
        raise SetupError(f"Locust exited {returncode}:\n{text[-3000:]}")
    total, steps, failures = read_stats(folder / "locust")
    tallies = [json.loads(path.read_text()) for path in sorted(summaries.glob("worker-*.json"))]
    if len(tallies) != options.processes:
        raise SetupError(f"{len(tallies)} of {options.processes} Locust workers reported (see {log})")
    signed_in = [name for tally in tallies for name in tally["signed_in"]]
    total.update({"error_share": round(total["failures"] / total["requests"], 5) if total["requests"] else None,
                  "signed_in": len(set(signed_in)), "sign_in_failures": sum(t["sign-in failures"] for t in tallies),
                  "requests_whole_run": sum(t["requests"] for t in tallies),
                  "failures_whole_run": sum(t["failures"] for t in tallies),
                  "cpu_warnings": sum(t["cpu_warnings"] for t in tallies) + text.count("exceeded cpu threshold"),
                  **cpu, "steps": steps, "failures_seen": failures[:10]})
    return total


def write_plan(app, servers: list[str], learners: int, path: Path) -> Path:
    """The learners' accounts (created here) and modules, and the servers, for bench/locustfile.py."""
    crowd = load.create_learners(app, learners, prefix="nyata")
    modules = {}
    for learner in crowd:  # learner n starts with module n (of those with a quiz), in turn
        modules.setdefault(learner.module_id, list(learner.lesson_ids))
    path.write_text(json.dumps({
        "servers": servers, "lang": load.LANG, "password": load.PASSWORD,
        "learners": [learner.username for learner in crowd],
        "modules": [{"id": module, "lessons": lessons} for module, lessons in modules.items()]}))
    return path


def read_server_logs(logs: list[Path]) -> tuple[list[str], list[float]]:
    """The errors the servers logged and how long each request took them (one JSON line each)."""
    errors, durations = [], []
    for log in logs:
        for line in log.read_text(errors="replace").splitlines():
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                if not isinstance(entry, dict):
                    continue
                if entry.get("logger") == "saring.request" and "duration_ms" in entry:
                    durations.append(entry["duration_ms"])
                elif entry.get("level") in ("error", "critical"):
                    errors.append(f"{log.name}: {entry.get('message')} {entry.get('exception', '')}".strip())
    return errors, sorted(durations)


def measure_saring(url: str, instances: int, options, folder: Path, redis_url: str | None = None) -> dict:
    """Saring on the database at `url` (migrated here), as `instances` gunicorns sharing `options.workers`,
    under the learners' load: the figures, with the errors the servers logged."""
    folder.mkdir(parents=True, exist_ok=True)
    env = load.load_env(production_env(folder, url))
    prefix = f"saring-realistic-{secrets.token_hex(4)}"
    if redis_url:
        env.update({"RATELIMIT_STORAGE_URI": redis_url, "RATELIMIT_KEY_PREFIX": prefix})
    app = create_app({"ENV_NAME": "production", "SECRET_KEY": env["SECRET_KEY"], "SQLALCHEMY_DATABASE_URI": url,
                      "CONTENT_CACHE_FILE": env["CONTENT_CACHE_FILE"]})
    logs = [folder / f"instance-{number}.log" for number in range(1, instances + 1)]
    try:
        with contextlib.ExitStack() as stack:
            servers = [stack.enter_context(gunicorn("app:app", env, options.workers // instances, log=log))
                       for log in logs]
            plan = write_plan(app, servers, options.learners, folder / "plan.json")
            figures = run_locust("Learner", servers, options, folder / "locust", plan)
    finally:
        if redis_url:
            forget_counts(redis_url, prefix)
        with app.app_context():
            db.engine.dispose()
    errors, durations = read_server_logs(logs)
    # inside the server, from the first request to the last: the rest of a phone's wait is the queue
    figures.update({"server_log_errors": errors[:10], "server_p50_ms": percentile(durations, 0.5),
                    "server_p99_ms": percentile(durations, 0.99)})
    return figures


def measure(setup: str, options, folder: Path) -> dict:
    """One setup's figures."""
    if setup == "sqlite":
        return measure_saring(f"sqlite:///{folder / 'realistic.sqlite3'}", 1, options, folder)
    unreachable = postgres_reachable(options.postgres)
    if unreachable:
        raise SetupError(f"PostgreSQL is not reachable at {options.postgres}: {unreachable}")
    if setup == "instances":
        unreachable = redis_problem(options.redis)
        if unreachable:
            raise SetupError(f"Redis is not reachable at {options.redis}: {unreachable}")
    with scratch_database(options.postgres, "saring_realistic") as url:
        if setup == "postgres":
            return measure_saring(url, 1, options, folder)
        return measure_saring(url, 2, options, folder, options.redis)


def problems_of(name: str, figures: dict, options) -> list[str]:
    """What makes a setup's run fail: learners who did not sign in, failed requests, errors in the log."""
    problems = []
    if name != BARE and figures["signed_in"] < options.learners:
        problems.append(f"{name}: {figures['signed_in']} of {options.learners} learners signed in "
                        f"({figures['sign_in_failures']} sign-ins failed)")
    share = figures["failures_whole_run"] / max(figures["requests_whole_run"], 1)
    if share > options.max_error_share or (figures["error_share"] or 0) > options.max_error_share:
        problems.append(f"{name}: {figures['failures_whole_run']} of {figures['requests_whole_run']} requests "
                        f"failed ({share:.2%}), more than {options.max_error_share:.2%}")
    problems += [f"{name}: the server logged an error: {error}" for error in figures.get("server_log_errors", [])]
    problems += [f"{name}: {failure}" for failure in figures["failures_seen"][:5] if problems]
    return problems


def generator_verdict(rows: dict[str, dict]) -> tuple[bool, list[str]]:
    """Whether the load generator had room to spare in every run, and how that was checked."""
    bare = rows[BARE]
    lines, spare = [], True
    for name, row in rows.items():
        busiest = max(row["busiest_generator_process"], row["busiest_generator_process_peak"])
        fine = busiest < CPU_WARNING and not row["cpu_warnings"]
        if name == BARE:
            fine = True  # driven flat out on purpose: only its rate counts
        spare &= fine
        lines.append(f"  {name:18} Locust {row['generator_cores']:.2f} cores in all, its busiest process "
                     f"{row['busiest_generator_process']:.0%} of a core on average and {busiest:.0%} at its busiest "
                     f"{PEAK_SPAN_S} s, {row['cpu_warnings']} CPU warnings{'' if fine else '  <-- near its limit'}")
        lines.append(f"  {'':18} gunicorn {row['server_cores']:.2f} cores, databases {row['database_cores']:.2f}, "
                     f"anything else {row['other_cores']:.2f}; the machine {row['machine_busy']:.0%} busy")
    for name, row in rows.items():
        if name != BARE:
            headroom = bare["requests_per_second"] / max(row["requests_per_second"], 1e-9)
            spare &= headroom >= 1.5
            lines.append(f"  {name:18} the same generator drove the bare route at {headroom:.1f}x this rate")
    return spare, lines


def report(rows: dict[str, dict], options) -> None:
    """The figures as a table."""
    think_min, think_max = options.think
    print(f"{options.learners} learners, each with their own session, think {think_min}-{think_max} s; Locust "
          f"{options.processes} worker processes; gunicorn {options.workers} workers in all; "
          f"{options.seconds} s measured after all signed in")
    print(f"{'setup':18} {'requests':>8} {'req/s':>7} {'vs bare':>8} {'p50':>8} {'p99':>8} {'errors':>7} "
          f"{'share':>7} {'signed in':>9} {'req/s per gunicorn core':>23}")
    for name, row in rows.items():
        signed_in = "" if name == BARE else str(row["signed_in"])
        print(f"{name:18} {row['requests']:8} {row['requests_per_second']:7.1f} {row['ratio_to_bare']:8.0%} "
              f"{row['p50_ms'] or 0:6.0f}ms {row['p99_ms'] or 0:6.0f}ms {row['failures']:7} "
              f"{row['error_share'] or 0:7.2%} {signed_in:>9} {row['requests_per_server_core']:23}")
    for name, row in rows.items():
        if name != BARE:
            print(f"{name}: inside the server p50 {row['server_p50_ms']} ms, p99 {row['server_p99_ms']} ms; "
                  "p50/p99 ms per step, as the phones waited: " + ", ".join(
                f"{step.split(' ', 1)[1]} {figures['p50_ms'] or 0:.0f}/{figures['p99_ms'] or 0:.0f}"
                for step, figures in row["steps"].items()))
    for name, row in rows.items():
        if row["other_cores"] > QUIET_CORES:
            print(f"!!! the machine was not quiet during {name}: other processes used {row['other_cores']:.2f} "
                  "cores, so its figures are low")


def think_range(text: str) -> tuple[float, float]:
    """'0.5-1.5' as (0.5, 1.5)."""
    low, _, high = text.partition("-")
    think = (float(low), float(high or low))
    if not 0 <= think[0] <= think[1]:
        raise argparse.ArgumentTypeError("give the think time as MIN-MAX seconds, e.g. 0.5-1.5")
    return think


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setup", choices=(*SETUPS, "all"), default="all")
    parser.add_argument("--learners", type=int, default=LEARNERS, help="accounts, one simulated learner each")
    parser.add_argument("--seconds", type=int, default=SECONDS, help="measured, after every learner started")
    parser.add_argument("--spawn-rate", type=float, default=SPAWN_RATE, help="learners started per second")
    parser.add_argument("--think", type=think_range, default=think_range(THINK), help="seconds between pages")
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn workers in all (split by instances)")
    parser.add_argument("--processes", type=int, default=PROCESSES, help="Locust worker processes")
    parser.add_argument("--max-error-share", type=float, default=MAX_ERROR_SHARE)
    parser.add_argument("--postgres", default=POSTGRES, help="a PostgreSQL server to make a scratch database on")
    parser.add_argument("--redis", default=REDIS, help="the Redis two instances keep their limits in")
    parser.add_argument("--json", help="also write the figures to this file")
    options = parser.parse_args()
    setups = SETUPS if options.setup == "all" else (options.setup,)
    names = {"sqlite": "SQLite", "postgres": "PostgreSQL", "instances": "2 instances"}
    rows, problems = {}, []
    with tempfile.TemporaryDirectory() as folder:
        try:
            with gunicorn("bench.bare:app", dict(os.environ), options.workers) as bare:
                rows[BARE] = run_locust("BareRouteVisitor", [bare], options, Path(folder) / "bare", think=(0, 0))
        except SetupError as error:
            problems.append(f"bare Flask route: {error}")
        for setup in setups:
            print(f"== {names[setup]} ==", flush=True)
            try:
                rows[names[setup]] = measure(setup, options, Path(folder) / setup)
            except (SetupError, subprocess.CalledProcessError) as error:
                problems.append(f"{names[setup]}: {error}")
    bare_rate = rows[BARE]["requests_per_second"] if BARE in rows else None
    for name, row in rows.items():
        row["ratio_to_bare"] = round(row["requests_per_second"] / bare_rate, 2) if bare_rate else 0
        # steadier than req/s on a machine others share: what each core gunicorn got served
        row["requests_per_server_core"] = round(row["requests_per_second"] / max(row["server_cores"], 0.01))
        problems += problems_of(name, row, options)
    report(rows, options)
    spare, lines = generator_verdict(rows) if bare_rate else (False, [])
    print("How the load generator was checked (Locust's processes' CPU, sampled each second; the bare route):")
    print("\n".join(lines))
    print(f"the load generator had room to spare: {'yes' if spare else 'NOT SHOWN'}")
    for problem in problems[:30]:
        print(f"!!! {problem}")
    print_figures({"learners": options.learners, "seconds": options.seconds, "think_s": list(options.think),
                   "gunicorn_workers": options.workers, "locust_processes": options.processes, "setups": rows,
                   "generator_had_room": spare, "problems": problems, "passed": not problems}, options.json)
    print("passed: every learner signed in, errors within bounds" if not problems else "FAILED")
    return 0 if not problems else 1


if __name__ == "__main__":
    raise SystemExit(main())

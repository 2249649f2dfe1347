"""Requests per second and p99 latency of Saring's pages against a bare Flask route, in one run.

Both run under the same gunicorn settings (`make serve`'s: two workers per core plus one) on this
machine, one after the other, driven by wrk at 50 connections. Goals: a lesson page at least 60% of
the bare route's requests per second, a signed-in learner's home at least 40%, p99 under 100 ms.

    .venv/bin/python -m bench.throughput [--seconds 10] [--connections 50] [--json results.json]
"""

import argparse
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench.server import PHONE_USER_AGENT, gunicorn, print_figures, production_env, sign_in

WORKERS = os.cpu_count() * 2 + 1


def wrk(url: str, seconds: int, connections: int, cookie: str | None = None) -> dict:
    """Requests per second and latency percentiles from one wrk run."""
    command = ["wrk", "--latency", "-t2", f"-c{connections}", f"-d{seconds}s", "-H", f"User-Agent: {PHONE_USER_AGENT}",
               url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx or 3xx responses" in output or "Socket errors" in output:
        raise SystemExit(f"wrk saw errors on {url}:\n{output}")

    def milliseconds(text: str) -> float:
        number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
        return float(number) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return {"requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
            # the distribution's own lines: a thread's "+/- Stdev" (like 85.50%) also ends in 50%
            "p50_ms": milliseconds(re.search(r"^\s*50%\s+(\S+)", output, re.MULTILINE)[1]),
            "p99_ms": milliseconds(re.search(r"^\s*99%\s+(\S+)", output, re.MULTILINE)[1])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--json", help="also write the figures to this file")
    options = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    with tempfile.TemporaryDirectory() as folder:
        env = production_env(Path(folder))
        rows = {}
        with gunicorn("bench.bare:app", env, WORKERS) as base:
            rows["bare Flask route"] = wrk(base + "/", options.seconds, options.connections)
        with gunicorn("app:app", env, WORKERS) as base:
            cookie = sign_in(base)
            rows["lesson page"] = wrk(base + "/id/modules/hoaks/jenis-misinformasi", options.seconds,
                                      options.connections)
            rows["signed-in home"] = wrk(base + "/id/", options.seconds, options.connections, cookie)
    bare = rows["bare Flask route"]["requests_per_second"]
    goals = {"lesson page": 0.6, "signed-in home": 0.4}
    print(f"gunicorn, {WORKERS} workers, wrk {options.connections} connections for {options.seconds} s each")
    print(f"{'':18} {'req/s':>8} {'vs bare':>8} {'p50':>8} {'p99':>8}")
    for name, row in rows.items():
        row["ratio_to_bare"] = round(row["requests_per_second"] / bare, 2)
        print(f"{name:18} {row['requests_per_second']:8.0f} {row['ratio_to_bare']:7.0%} "
              f"{row['p50_ms']:6.1f}ms {row['p99_ms']:6.1f}ms")
    met = all(rows[name]["ratio_to_bare"] >= goal and rows[name]["p99_ms"] < 100 for name, goal in goals.items())
    print(f"goals (lesson >= 60%, signed-in home >= 40%, p99 < 100 ms): {'met' if met else 'NOT met'}")
    print_figures({"workers": WORKERS, "connections": options.connections, "rows": rows}, options.json)
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())

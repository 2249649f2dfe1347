"""Resident memory of each gunicorn worker with the whole curriculum loaded and every page served.

Starts Saring as `make serve` does (two workers per core plus one, production settings) on a fresh
SQLite database, then requests every module, lesson and quiz page in both languages several times,
half of them signed in, several at once so that every worker serves them. Reads each worker's
memory from /proc: RSS (what `ps` shows), PSS (shared pages split between the processes that share
them) and USS (its own pages, what stopping it would free). Goal: under 80 MB RSS per worker
(MB as ps counts: 1,048,576 bytes); exits 1 if a worker is over.

    .venv/bin/python -m bench.memory [--rounds 4] [--budget-mb 80] [--json results.json]   (from the project root)
"""

import argparse
import os
import tempfile
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.server import gunicorn, print_figures, production_env, sign_in
from saring.config import Config
from saring.content import load_library

WORKERS = os.cpu_count() * 2 + 1
TICKS = os.sysconf("SC_CLK_TCK")


def children(pid: int | str) -> list[int]:
    """The process ids of `pid`'s children."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def gunicorn_master() -> int:
    """The gunicorn master this process started."""
    masters = [pid for pid in children("self") if b"gunicorn" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    if len(masters) != 1:
        raise SystemExit(f"expected one gunicorn started by this process, found {len(masters)}")
    return masters[0]


def memory(pid: int) -> dict:
    """RSS, PSS and USS of a process, in kB, from /proc/<pid>/smaps_rollup."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":")
        fields[name] = int(value.split()[0])
    return {"rss_kb": fields["Rss"], "pss_kb": fields["Pss"],
            "uss_kb": fields["Private_Clean"] + fields["Private_Dirty"]}


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime and stime, fields 14 and 15 of stat


def pages(cache_file: Path) -> list[str]:
    """Every learner page that shows content: home, module list, modules, lessons, quizzes; both languages."""
    library = load_library(Config.CONTENT_LESSONS_DIR, Config.CONTENT_QUIZZES_DIR, cache_file)
    paths = []
    for lang in ("id", "en"):
        paths += [f"/{lang}/", f"/{lang}/modules"]
        for module in library.modules:
            paths.append(f"/{lang}/modules/{module.id}")
            paths += [f"/{lang}/modules/{module.id}/{lesson.id}" for lesson in module.lessons]
            if module.quiz:
                paths.append(f"/{lang}/modules/{module.id}/quiz")
    return paths


def fetch(url: str, cookie: str | None) -> None:
    """Request a page, failing on anything but a 200."""
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})) as page:
        page.read()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4, help="times each page is requested")
    parser.add_argument("--budget-mb", type=float, default=80)
    parser.add_argument("--json", help="also write the figures to this file")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, gunicorn("app:app", production_env(Path(folder)), WORKERS) as base:
        master = gunicorn_master()
        workers = sorted(children(master))
        if len(workers) != WORKERS:
            raise SystemExit(f"gunicorn has {len(workers)} workers, expected {WORKERS}")
        before = {pid: cpu_seconds(pid) for pid in workers}
        paths, cookie = pages(Path(folder) / "content-cache.json"), sign_in(base)
        requests = [(base + path, cookie if number % 2 else None) for number in range(options.rounds) for path in paths]
        with ThreadPoolExecutor(max_workers=WORKERS * 2) as pool:
            list(pool.map(lambda request: fetch(*request), requests))
        rows = [{"pid": pid, **memory(pid), "warm_up_cpu_s": round(cpu_seconds(pid) - before[pid], 2)}
                for pid in workers]
        master_row = {"pid": master, **memory(master)}
    idle = [row["pid"] for row in rows if row["warm_up_cpu_s"] < 0.05]
    if idle:
        raise SystemExit(f"workers {idle} served nothing during the warm-up: raise --rounds")
    print(f"gunicorn, {WORKERS} workers; {len(paths)} pages requested {options.rounds} times each, "
          f"{WORKERS * 2} at a time")
    print(f"{'process':14} {'RSS':>9} {'PSS':>9} {'USS':>9} {'warm-up CPU':>12}")
    for name, row in [("master", master_row)] + [(f"worker {n}", row) for n, row in enumerate(rows, 1)]:
        cpu = f"{row['warm_up_cpu_s']:10.2f} s" if "warm_up_cpu_s" in row else ""
        print(f"{name:14} {row['rss_kb'] / 1024:6.1f} MB {row['pss_kb'] / 1024:6.1f} MB "
              f"{row['uss_kb'] / 1024:6.1f} MB {cpu}")
    largest = max(row["rss_kb"] for row in rows) / 1024
    verdict = "within" if largest < options.budget_mb else "OVER"
    print(f"largest worker RSS {largest:.1f} MB: {verdict} the {options.budget_mb:g} MB budget")
    result = {"workers": WORKERS, "pages": len(paths), "rounds": options.rounds, "budget_mb": options.budget_mb,
              "master": master_row, "worker_rows": rows, "max_rss_mb": round(largest, 1)}
    print_figures(result, options.json)
    return 0 if verdict == "within" else 1


if __name__ == "__main__":
    raise SystemExit(main())

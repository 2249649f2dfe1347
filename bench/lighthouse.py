"""Lighthouse's mobile audit of every learner page in both languages, signed in as a learner.

Starts Saring under gunicorn on a fresh SQLite database, signs a learner in, answers a quiz once
(for a result page), and runs Lighthouse with its default settings (a mid-range phone on a slow 4G
connection, simulated) on each page in Debian's Chromium, the session cookie sent as a header.
Prints each page's scores and metrics, and every audit that cost points. Budgets: accessibility,
best practices and SEO 100, performance at least 98, on every page; exits 1 if one is missed.

Lighthouse is pinned in bench/package.json; `make bench` installs it with `npm ci --prefix bench`.

    .venv/bin/python -m bench.lighthouse [--json results.json]   (from the project root)
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

from bench.server import ROOT, gunicorn, print_figures, production_env, sign_in

LIGHTHOUSE = ROOT / "bench" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PAGES = [  # (name, path template); {lang} is filled in, the result's path is found by answering the quiz
    ("home", "/{lang}/"),
    ("module list", "/{lang}/modules"),
    ("module", "/{lang}/modules/teknik-manipulasi"),
    ("lesson", "/{lang}/modules/solidaritas-digital/bantu-keluarga"),
    ("quiz", "/{lang}/modules/teknik-manipulasi/quiz"),
    ("result", None),
]
CATEGORIES = {"performance": "perf", "accessibility": "a11y", "best-practices": "best", "seo": "seo"}
BUDGETS = {"performance": 98, "accessibility": 100, "best-practices": 100, "seo": 100}


def answer_quiz(base: str, cookie: str) -> str:
    """Answer the quiz with each question's first option; the path of the saved attempt's result."""
    quiz = base + "/id/modules/teknik-manipulasi/quiz"
    page = urllib.request.urlopen(urllib.request.Request(quiz, headers={"Cookie": cookie})).read().decode()
    form = {name: re.search(rf'name="{name}" value="([^"]+)"', page)[1]
            for name in ("csrf_token", "submission_key", "quiz_version")}
    for field, option in re.findall(r'name="(q\d+)" value="([^"]+)"', page):
        form.setdefault(field, option)
    request = urllib.request.Request(quiz, data=urllib.parse.urlencode(form).encode(), headers={"Cookie": cookie})
    with urllib.request.urlopen(request) as response:  # redirected to the result
        path = urllib.parse.urlsplit(response.url).path
    if "/attempts/" not in path:
        raise SystemExit(f"answering the quiz did not save an attempt (ended on {path})")
    return path.replace("/id/", "/{lang}/", 1)


def audit(url: str, cookie: str, folder: Path) -> dict:
    """Lighthouse's report (as JSON) for one page, with the default mobile settings."""
    report = folder / "report.json"
    subprocess.run([LIGHTHOUSE, url, "--quiet", "--output=json", f"--output-path={report}",
                    "--chrome-flags=--headless --no-sandbox --disable-gpu",
                    "--extra-headers", json.dumps({"Cookie": cookie})],
                   env={**os.environ, "CHROME_PATH": CHROMIUM}, check=True)
    return json.loads(report.read_text())


def costly_audits(report: dict) -> list[dict]:
    """The audits that cost a category points: weighted in it and scored under 1."""
    weighted = {ref["id"] for category in report["categories"].values() for ref in category["auditRefs"]
                if ref["weight"] > 0}
    return [{"id": key, "score": audit["score"], "title": audit["title"],
             "value": audit.get("displayValue", "")}
            for key, audit in report["audits"].items()
            if key in weighted and audit["score"] is not None and audit["score"] < 1]


def figures(name: str, lang: str, path: str, report: dict) -> dict:
    """The scores (0-100), metrics and costly audits of one page's report."""
    audits = report["audits"]
    if report.get("runtimeError"):
        raise SystemExit(f"Lighthouse could not audit {path}: {report['runtimeError']['message']}")
    return {"page": name, "lang": lang, "path": path,
            "scores": {key: round(report["categories"][key]["score"] * 100) for key in CATEGORIES},
            "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
            "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
            "cls": round(audits["cumulative-layout-shift"]["numericValue"], 3),
            "total_bytes": audits["total-byte-weight"]["numericValue"],
            "costly_audits": costly_audits(report)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="also write the figures to this file")
    options = parser.parse_args()
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is missing: npm ci --prefix bench (make bench does it)")
    rows = []
    with tempfile.TemporaryDirectory() as folder, gunicorn("app:app", production_env(Path(folder)), workers=2) as base:
        cookie = sign_in(base)
        result_path = answer_quiz(base, cookie)
        for lang in ("id", "en"):
            for name, path in PAGES:
                path = (path or result_path).format(lang=lang)
                rows.append(figures(name, lang, path, audit(base + path, cookie, Path(folder))))
    print(f"{'page':12} {'lang':4} " + " ".join(f"{short:>4}" for short in CATEGORIES.values())
          + f" {'LCP':>7} {'TBT':>6} {'CLS':>6} {'bytes':>8}")
    for row in rows:
        print(f"{row['page']:12} {row['lang']:4} " + " ".join(f"{row['scores'][key]:4}" for key in CATEGORIES)
              + f" {row['lcp_ms']:5} ms {row['tbt_ms']:3} ms {row['cls']:6.3f} {row['total_bytes'] / 1024:5.1f} KB")
        for audit_row in row["costly_audits"]:
            print(f"    {audit_row['id']} ({audit_row['score']:.2f}): {audit_row['title']} {audit_row['value']}")
    missed = [f"{row['page']} ({row['lang']}) {key} {row['scores'][key]} < {budget}"
              for row in rows for key, budget in BUDGETS.items() if row["scores"][key] < budget]
    print("budgets (perf >= 98; a11y, best practices, SEO 100): "
          + ("met" if not missed else "MISSED: " + "; ".join(missed)))
    result = {"budgets": BUDGETS, "pages": rows}
    print_figures(result, options.json)
    return 0 if not missed else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Page weight of every learner page, as a phone with an empty cache downloads it, then a repeat visit.

Starts Saring under gunicorn on a fresh SQLite database, signs a learner in, and opens each page in
Debian's Chromium at 360x740, scrolled to its end as a reader does. A first visit counts everything the
phone downloads until it is idle, including the page's images, the service worker and what it keeps when
it installs. Prints a table and the same figures
as JSON; exits 1 if a first visit is over the budget (30 KB: HTML, CSS, scripts, icons, images and
headers, compressed).

    .venv/bin/python -m bench.page_weight [--budget-kb 30] [--json results.json]   (from the project root)
"""

import argparse
import os
import re
import shutil
import tempfile
import urllib.request
from pathlib import Path

# Playwright reports the service worker's own downloads only with this switch
os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")
from playwright.sync_api import sync_playwright

from bench.server import LEARNER, PASSWORD, gunicorn, print_figures, production_env

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGES = [  # (name, path template); {lang} is filled in
    ("home", "/{lang}/"),
    ("module list (progress)", "/{lang}/modules"),
    ("module", "/{lang}/modules/teknik-manipulasi"),
    ("lesson", "/{lang}/modules/solidaritas-digital/bantu-keluarga"),
    ("lesson with two image exercises", "/{lang}/modules/jebakan-online/tautan-phishing"),
    ("path for parents and adults", "/{lang}/paths/orang-tua"),
    ("quiz", "/{lang}/modules/teknik-manipulasi/quiz"),
    ("discernment check", "/{lang}/check"),
    ("result", None),
]


def read_to_the_end(page) -> None:
    """Scroll down the page as a reader does, so that its lazily loaded images are downloaded too."""
    page.wait_for_load_state("networkidle")
    height = page.evaluate("document.documentElement.scrollHeight")
    for top in range(0, height + 740, 600):
        page.evaluate(f"window.scrollTo(0, {top})")
        page.wait_for_timeout(50)
    page.wait_for_load_state("networkidle")


def transferred(responses) -> tuple[int, int]:
    """Requests and bytes moved (headers and encoded bodies) for the responses seen."""
    total = count = 0
    for response in responses:
        sizes = response.request.sizes()
        body = sizes["responseBodySize"]
        if response.from_service_worker or body < 0:
            continue  # answered by the service worker or the browser's cache: nothing crossed the network
        if response.url.endswith("/sw.js") and response.status == 200:
            body = compressed_size(response.url)  # Chromium leaves the service worker script's size out
        total += sizes["responseHeadersSize"] + body
        count += 1
    return count, total


def compressed_size(url: str) -> int:
    """The body's size as Chromium would receive it (it asks for these encodings)."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    with urllib.request.urlopen(request) as response:
        return len(response.read())


def measure(browser, base: str, lang: str) -> list[dict]:
    """Each page twice in one signed-in phone: first with an empty cache, then again."""
    figures = []
    for name, path in PAGES:
        context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
        page = context.new_page()
        page.goto(f"{base}/{lang}/login")
        page.fill("#username", LEARNER)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        if path is None:  # the result: answer the quiz, then measure the result page
            page.goto(f"{base}/{lang}/modules/teknik-manipulasi/quiz")
            for field in sorted(set(re.findall(r'name="(q\d+)"', page.content()))):
                page.locator(f'input[name="{field}"]').first.check()
            page.click("form.quiz button[type=submit]")
            path = page.url.removeprefix(base)
        # a fresh cache for the measured page, keeping the session
        cookies = context.cookies()
        context.close()
        context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
        context.add_cookies(cookies)
        page = context.new_page()
        seen = []
        context.on("response", lambda response, seen=seen: seen.append(response))
        page.goto(base + path.format(lang=lang))
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")  # installed, with what it keeps
        read_to_the_end(page)
        first = transferred(seen)
        seen.clear()
        page.goto(base + path.format(lang=lang))
        read_to_the_end(page)
        repeat = transferred(seen)
        figures.append({"page": name, "lang": lang, "path": path.format(lang=lang), "requests": first[0],
                        "first_visit_bytes": first[1], "repeat_requests": repeat[0], "repeat_bytes": repeat[1]})
        context.close()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget-kb", type=float, default=30)
    parser.add_argument("--json", help="also write the figures to this file")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, \
            gunicorn("app:app", production_env(Path(folder)), workers=2) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        figures = [row for lang in ("id", "en") for row in measure(browser, base, lang)]
        browser.close()
    print(f"{'page':26} {'lang':4} {'requests':>8} {'first visit':>12} {'repeat':>9}")
    for row in figures:
        print(f"{row['page']:26} {row['lang']:4} {row['requests']:8} {row['first_visit_bytes'] / 1024:9.1f} KB "
              f"{row['repeat_bytes'] / 1024:6.1f} KB")
    heaviest = max(row["first_visit_bytes"] for row in figures) / 1024
    verdict = "within" if heaviest <= options.budget_kb else "OVER"
    print(f"heaviest first visit {heaviest:.1f} KB: {verdict} the {options.budget_kb:g} KB budget")
    result = {"budget_kb": options.budget_kb, "pages": figures}
    print_figures(result, options.json)
    return 0 if verdict == "within" else 1


if __name__ == "__main__":
    raise SystemExit(main())

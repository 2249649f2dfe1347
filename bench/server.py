"""What the benchmarks share: a fresh database with one learner, an app under gunicorn, signing in, JSON."""

import contextlib
import http.cookiejar
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "satu dua tiga empat"
LEARNER = "pelajar"
# every request of a signed-in benchmark comes from one phone, as a session's requests do
PHONE_USER_AGENT = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile"


def production_env(folder: Path, database_url: str | None = None) -> dict:
    """Production settings on `database_url` (default: a SQLite database in `folder`), migrated, with the
    learner LEARNER."""
    env = {**os.environ, "SECRET_KEY": secrets.token_hex(32), "SARING_ENV": "production",
           "DATABASE_URL": database_url or f"sqlite:///{folder / 'bench.sqlite3'}",
           "CONTENT_CACHE_FILE": str(folder / "content-cache.json")}
    subprocess.run([BIN / "pybabel", "compile", "-d", "translations"], cwd=ROOT, check=True, capture_output=True)
    subprocess.run([BIN / "flask", "--app", "app", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    subprocess.run([BIN / "flask", "--app", "app", "users", "create", LEARNER], cwd=ROOT, env=env,
                   input=f"{PASSWORD}\n{PASSWORD}\n", text=True, check=True, capture_output=True)
    return env


def free_port() -> int:
    """A port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(app: str, env: dict, workers: int, log: Path | None = None):
    """`app` under gunicorn on a free port; yields its base address once it answers, stops it after.
    The server's log (its stderr) goes to the file `log` if given."""
    port = free_port()
    with open(log or os.devnull, "ab") as errors:
        server = subprocess.Popen([BIN / "gunicorn", "-c", ROOT / "gunicorn.conf.py", "--workers", str(workers),
                                   "--bind", f"127.0.0.1:{port}", "--no-control-socket", app], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=errors)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/", timeout=1)
                break
            except urllib.error.HTTPError:
                break  # it answers, even if not with 200
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit(f"{app} did not start")
        yield base
    finally:
        server.terminate()
        server.wait()


def sign_in(base: str) -> str:
    """The learner LEARNER's session cookie, from logging in through the form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", PHONE_USER_AGENT)]
    page = opener.open(base + "/id/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    form = urllib.parse.urlencode({"csrf_token": token, "username": LEARNER, "password": PASSWORD}).encode()
    opener.open(base + "/id/login", data=form)
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def print_figures(figures, json_path: str | None) -> None:
    """Print the figures as one line of JSON, and write them to `json_path` when one was asked for."""
    print(json.dumps(figures))
    if json_path:
        Path(json_path).write_text(json.dumps(figures, indent=2))

"""The README's command lines work as written on a fresh clone after `make run`, with no variable to guess."""

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from saring.config import PROJECT_ROOT

# the README's `.venv/bin/flask --app app ...` lines, with what each asks on its standard input
PASSWORD = "kata sandi kepala sekolah"
ANSWERS = {"users create --role admin kepala": f"{PASSWORD}\n{PASSWORD}\n"}


def readme_flask_lines() -> list[str]:
    """Every `.venv/bin/flask --app app` command line of the README: indented ones (without their comment)
    and those in running text between backquotes."""
    text = (PROJECT_ROOT / "README.md").read_text()
    indented = [line.split("#")[0].strip() for line in re.findall(r"^ {4}(\.venv/bin/flask --app app .+)$", text, re.M)]
    return indented + re.findall(r"`((?:[^`]* && )?\.venv/bin/flask --app app [^`]+)`", text)


@pytest.fixture(scope="module")
def fresh_clone(tmp_path_factory):
    """The project as a fresh clone of this tree has it (every file git would commit, nothing it ignores: no
    instance/, no .venv/), with this run's virtualenv, migrated as `make run` does."""
    if not (PROJECT_ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    clone = tmp_path_factory.mktemp("clone") / "saring"
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=PROJECT_ROOT, check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (PROJECT_ROOT / name).is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT_ROOT / name, clone / name)
    (clone / ".venv").symlink_to(Path(sys.executable).parent.parent)
    environ = {key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "SARING_ENV",
                                                                              "DATABASE_URL")}
    subprocess.run([".venv/bin/flask", "db", "upgrade"], cwd=clone, check=True, capture_output=True,
                   env={**environ, "SARING_ENV": "development", "FLASK_APP": "app"})  # `make migrate`
    return clone, environ


def test_the_readme_has_its_command_lines():
    lines = readme_flask_lines()
    assert any("content check" in line for line in lines) and any("backup" in line for line in lines)


@pytest.mark.parametrize("line", readme_flask_lines())
def test_each_readme_command_line_works_as_written(fresh_clone, line):
    clone, environ = fresh_clone
    command = subprocess.run(["bash", "-c", line], cwd=clone, env={**environ, "HOME": str(clone.parent)},
                             capture_output=True, text=True,
                             input=next((answer for start, answer in ANSWERS.items() if start in line), ""),
                             timeout=120)
    assert command.returncode == 0, f"{shlex.quote(line)}:\n{command.stdout}\n{command.stderr}"
    assert "Traceback" not in command.stderr and "SECRET_KEY" not in command.stderr


def test_a_served_app_still_needs_its_secret(fresh_clone):
    clone, environ = fresh_clone
    served = subprocess.run([".venv/bin/python", "-c", "import app"], cwd=clone, env=environ, capture_output=True,
                            text=True, timeout=120)
    assert served.returncode != 0 and "SECRET_KEY is not set" in served.stderr

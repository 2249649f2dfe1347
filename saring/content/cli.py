"""`flask content check`: every content problem as path:line, exit 1 on errors."""

import click
from flask import current_app
from flask.cli import AppGroup

from .loader import load_library

content_cli = AppGroup("content", help="Check the lessons and quizzes.")


@content_cli.command("check")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
def check(strict: bool) -> None:
    """Print every problem in lessons/ and quizzes/; exit 1 if any is an error."""
    library = load_library(current_app.config["CONTENT_LESSONS_DIR"],
                           current_app.config["CONTENT_QUIZZES_DIR"])
    for problem in library.problems:
        click.echo(str(problem))
    errors = len(library.errors)
    warnings = len(library.problems) - errors
    lessons = sum(len(module.lessons) for module in library.modules)
    quizzes = sum(module.quiz is not None for module in library.modules)
    click.echo(f"{len(library.modules)} modules, {lessons} lessons, {quizzes} quizzes: "
               f"{errors} errors, {warnings} warnings")
    if errors or (strict and warnings):
        raise SystemExit(1)

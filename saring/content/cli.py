"""`flask content check`: every content problem as path:line, exit 1 on errors."""

import json

import click
from flask import current_app
from flask.cli import AppGroup

from .loader import load_library
from .report import READING_WORDS_PER_MINUTE, content_report

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


@content_cli.command("report")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def report(as_json: bool) -> None:
    """Per module and language: lessons, words, reading time, quiz make-up, and what is missing."""
    library = load_library(current_app.config["CONTENT_LESSONS_DIR"],
                           current_app.config["CONTENT_QUIZZES_DIR"])
    figures = content_report(library)
    # imported here: the item report reads the database models, which `flask content check` never needs
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from ..editing.item_report import item_report, report_lines
    try:
        items = item_report(library)
    except (OperationalError, ProgrammingError) as error:  # no database here, or one never migrated
        click.echo(f"no item report: the database cannot be read ({str(error.orig).strip().splitlines()[0]})",
                   err=True)
        items = None
    if items is not None and items.has_data:
        figures["items"] = items.as_dict()
    if as_json:
        click.echo(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    for module in figures["modules"]:
        click.echo(f"{module['id']}: {module['title']['id']} / {module['title']['en']}")
        click.echo("  lang  lessons  words  questions  scenario  genuine  without explanations")
        for lang, data in module["languages"].items():
            click.echo(f"  {lang:4}  {data['lessons']:7}  {data['words']:5}  {data['questions']:9}  "
                       f"{data['scenario_questions']:8}  {data['genuine_questions']:7}  "
                       f"{', '.join(data['questions_without_explanations']) or '-'}")
        click.echo(f"  lessons: words / reading minutes at {READING_WORDS_PER_MINUTE} words a minute "
                   "/ minutes in the file")
        details = {lang: {d["id"]: d for d in data["lesson_details"]} for lang, data in module["languages"].items()}
        for lesson_id in dict.fromkeys(i for by_id in details.values() for i in by_id):
            cells = [f"{lang} {d['words']}/{d['reading_minutes']}/{d['stated_minutes']}"
                     if (d := by_id.get(lesson_id)) else f"{lang} missing" for lang, by_id in details.items()]
            click.echo(f"    {lesson_id:28}  " + "   ".join(cells))
        click.echo("  plain language: words a sentence on average / share of long words (4+ syllables); "
                   "the longest sentences")
        for lang, by_id in details.items():
            for lesson_id, detail in by_id.items():
                plain = detail["readability"]
                click.echo(f"    {lang} {lesson_id:25}  {plain['mean_sentence_words']:4.1f} / "
                           f"{plain['long_word_share']:.0%}")
                for longest in plain["longest"]:
                    sentence = longest["sentence"]
                    shown = sentence if len(sentence) <= 100 else sentence[:97] + "..."
                    click.echo(f"        {longest['words']:3} words: {shown}")
        gaps = [f"{kind} only in the other language ({lang} missing): {', '.join(ids)}"
                for lang, missing in module["missing"].items() for kind, ids in missing.items() if ids]
        click.echo("  missing: " + ("; ".join(gaps) if gaps else "nothing"))
    click.echo(f"{figures['errors']} errors, {figures['warnings']} warnings (flask content check lists them)")
    if "items" in figures:
        for line in report_lines(items):
            click.echo(line)

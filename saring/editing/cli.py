"""`flask content export DIR`, `flask content status` and `flask content recount`: the live content as files,
what the database overrides, and the item report's tallies rebuilt."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import click
import sqlalchemy as sa

from ..content.cli import content_cli
from ..content.store import get_store
from ..extensions import db
from .models import ContentLive, ContentRevision
from .tallies import LessonStartTally, LessonTally, QuizTally, recount
from .workspace import disk_file, folders


@content_cli.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def export(folder: Path) -> None:
    """Write the live content (the files, with what editors published in place) to FOLDER/lessons and FOLDER/quizzes."""
    store = get_store()
    store.refresh()
    names = folders()
    for source, name in zip((store.lessons_dir, store.quizzes_dir), names, strict=True):
        if Path(source).is_dir():
            shutil.copytree(source, folder / name, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".*"))
    for path, text in sorted(store.overrides.items()):
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        click.echo(f"{path}: published text")
    click.echo(f"Wrote the live content to {folder / names[0]} and {folder / names[1]}: "
               f"{len(store.overrides)} published texts over the files.")


@content_cli.command("status")
def status() -> None:
    """List the files whose live text comes from the database, with who published it, when and why."""
    rows = db.session.execute(sa.select(ContentLive.path, ContentRevision).join(
        ContentRevision, ContentRevision.id == ContentLive.revision_id).where(ContentRevision.text.is_not(None))
        .order_by(ContentLive.path)).all()
    for path, revision in rows:
        author = revision.author.username if revision.author else "a deleted account"
        file = disk_file(path)
        against = "new file" if not file.exists() else "same as the file" if \
            file.read_bytes() == revision.text.encode() else "differs from the file"
        click.echo(f"{path}: revision {revision.id}, {revision.published_at:%Y-%m-%d %H:%M} UTC by {author}, "
                   f"{against}" + (f": {revision.message}" if revision.message else ""))
    click.echo(f"{len(rows)} files published in the editor override lessons/ and quizzes/"
               if rows else "Nothing published in the editor: the files in lessons/ and quizzes/ are the content.")


@content_cli.command("recount")
def recount_command() -> None:
    """Rebuild the item report's tallies from the attempts, opened and finished lessons (writers wait meanwhile)."""
    began = time.perf_counter()
    recount(db.session.connection())
    db.session.commit()
    attempts, quizzes = db.session.execute(sa.select(sa.func.coalesce(sa.func.sum(QuizTally.takers), 0),
                                                     sa.func.count())).one()
    lessons = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(LessonTally.finished), 0)))
    starts = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(LessonStartTally.started), 0)))
    click.echo(f"Recounted the item report's tallies in {time.perf_counter() - began:.1f} s from {attempts:,} "
               f"first attempts (at {quizzes:,} quizzes), {starts:,} opened lessons and {lessons:,} finished lessons.")

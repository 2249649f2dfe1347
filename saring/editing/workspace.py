"""What the editor workspace does with a text: name its file, check it with the live content, publish it."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from ..content.loader import (
    CHECK_FILE,
    CHECKS,
    LESSON_FILE,
    MODULE_FILE,
    PATH_FILE,
    PATHS,
    QUIZ_FILE,
    UnusableFileError,
    decode_text,
    load_library,
)
from ..content.model import ID_PATTERN, ContentError, Library
from ..content.rules import size_problem
from ..content.store import get_store
from ..database import utcnow
from ..extensions import db
from .models import ContentLive, ContentRevision, latest_drafts

MODULE_ID = re.compile(ID_PATTERN)


@dataclass(frozen=True)
class ContentPath:
    """A content file's path as content check names it, and what it holds."""

    path: str
    kind: str  # "lesson", "quiz", "module", "check" (a form of the discernment check) or "path" (a learning path)
    module_id: str
    lesson_id: str | None = None
    lang: str | None = None
    position: int | None = None


def folders() -> tuple[str, str]:
    """The lessons and quizzes folders as paths start: "lessons", "quizzes"."""
    config = current_app.config
    parent = Path(config["CONTENT_LESSONS_DIR"]).parent
    return (os.path.relpath(config["CONTENT_LESSONS_DIR"], parent),
            os.path.relpath(config["CONTENT_QUIZZES_DIR"], parent))


def parse_path(path: str) -> ContentPath | None:
    """What a path holds, or None when no content file may have it."""
    lessons, quizzes = folders()
    parts = path.split("/")
    if len(parts) == 3 and parts[0] == lessons and MODULE_ID.fullmatch(parts[1]) and len(parts[1]) <= 64:
        if parts[2] == MODULE_FILE:
            return ContentPath(path, "module", parts[1])
        if match := LESSON_FILE.fullmatch(parts[2]):
            return ContentPath(path, "lesson", parts[1], match["id"], match["lang"], int(match["position"]))
    if len(parts) == 2 and parts[0] == quizzes and (match := QUIZ_FILE.fullmatch(parts[1])):
        return ContentPath(path, "quiz", match["id"], lang=match["lang"])
    if len(parts) == 2 and parts[0] == checks_folder() and (match := CHECK_FILE.fullmatch(parts[1])):
        return ContentPath(path, "check", CHECKS, match["form"], match["lang"])
    if len(parts) == 2 and parts[0] == paths_folder() and (match := PATH_FILE.fullmatch(parts[1])):
        return ContentPath(path, "path", PATHS, match["id"], match["lang"])
    return None


def beside_quizzes(name: str) -> str:
    """A content folder beside quizzes/ (checks/, paths/) as content paths start."""
    config = current_app.config
    parent = Path(config["CONTENT_LESSONS_DIR"]).parent
    return os.path.relpath(Path(config["CONTENT_QUIZZES_DIR"]).parent / name, parent)


def checks_folder() -> str:
    """The discernment check's folder as paths start: "checks"."""
    return beside_quizzes(CHECKS)


def paths_folder() -> str:
    """The learning paths' folder as paths start: "paths"."""
    return beside_quizzes(PATHS)


def folder_of(kind: str) -> str:
    """The folder of a kind of file that belongs to no module ("check", "path"), as paths start."""
    return checks_folder() if kind == "check" else paths_folder()


def disk_file(path: str) -> Path:
    """Where a content path's file is (or would be) on disk."""
    return Path(current_app.config["CONTENT_LESSONS_DIR"]).parent / path


def source_text(path: str) -> str | None:
    """The text learners get now: the published one, else the file's; None when there is neither.

    Raises UnusableFileError when the file cannot be shown (not UTF-8, too large)."""
    overrides = get_store().overrides
    if path in overrides:
        return overrides[path]
    file = disk_file(path)
    if not file.is_file():
        return None
    if too_big := size_problem(file.stat().st_size, path):
        raise UnusableFileError(too_big)
    return decode_text(file.read_bytes(), path)


def too_large(size: int) -> str:
    """The message for a text over the rule book's size limit, in the language of the request."""
    return size_problem(size, "").localized()


@dataclass(frozen=True)
class Checked:
    """A draft checked with the live content: its library, its own problems and new ones it causes elsewhere."""

    library: Library
    here: tuple[ContentError, ...]
    elsewhere: tuple[ContentError, ...]

    @property
    def errors(self) -> int:
        """Errors that stop a publish."""
        return sum(not p.warning for p in (*self.here, *self.elsewhere))

    def problems_by_line(self) -> dict[int, list[ContentError]]:
        """This file's problems, by line."""
        lines: dict[int, list[ContentError]] = {}
        for problem in self.here:
            lines.setdefault(problem.line, []).append(problem)
        return lines


def unpublished_files() -> dict[str, str]:
    """Drafts of files that are neither on disk nor published: the parts of a new module or lesson."""
    overrides = get_store().overrides
    return {path: draft.text for path, draft in latest_drafts().items()
            if draft.text is not None and path not in overrides and not disk_file(path).exists()}


def check(texts: dict[str, str]) -> Checked:
    """Load the live content with `texts` (path -> draft) in place, and say what is wrong with them."""
    store = get_store()
    overrides = {**store.overrides, **unpublished_files(), **texts}
    library = load_library(store.lessons_dir, store.quizzes_dir, store.cache_file, overrides)
    before = set(store.library.problems)
    here = tuple(p for p in library.problems if p.path in texts)
    elsewhere = tuple(p for p in library.problems if p.path not in texts and p not in before)
    return Checked(library, here, elsewhere)


class ConflictError(Exception):
    """Another editor published the file after this one opened it; their text is live, this one a draft."""

    def __init__(self, live: ContentRevision, draft: ContentRevision):
        super().__init__(live.path)
        self.live, self.draft = live, draft


def live_id(path: str) -> int | None:
    """The id of the file's live revision (None: the file in git)."""
    return db.session.scalar(sa.select(ContentLive.revision_id).where(ContentLive.path == path))


def save_draft(path: str, text: str, message: str, author_id: int, base_id: int | None) -> ContentRevision:
    """Keep a text without publishing it."""
    draft = ContentRevision(path=path, text=text, message=message, author_id=author_id, base_id=base_id)
    db.session.add(draft)
    db.session.commit()
    return draft


def publish(path: str, text: str | None, message: str, author_id: int, base_id: int | None) -> ContentRevision:
    """Make `text` live (None: the file in git again) unless someone published since `base_id`; then ConflictError.

    The live pointer moves only from the revision the editor started from, in one statement, so of
    two editors publishing at once one wins and the other keeps their text as a draft."""
    revision = ContentRevision(path=path, text=text, message=message, author_id=author_id, base_id=base_id,
                               published_at=utcnow())
    db.session.add(revision)
    db.session.flush()
    if base_id is None:
        try:
            with db.session.begin_nested():
                db.session.add(ContentLive(path=path, revision_id=revision.id))
            moved = True
        except sa.exc.IntegrityError:
            moved = False
    else:
        moved = db.session.execute(sa.update(ContentLive).where(ContentLive.path == path,
                                                                ContentLive.revision_id == base_id)
                                   .values(revision_id=revision.id)).rowcount == 1
    if not moved:
        revision.published_at = None
        db.session.commit()
        live = db.session.scalar(sa.select(ContentLive).where(ContentLive.path == path))
        raise ConflictError(live.revision, revision)
    db.session.commit()
    get_store().refresh()
    return revision


def answered_changes(parsed: ContentPath, library: Library) -> list[tuple[str, int]]:
    """Questions of a quiz whose text or options a draft changes (or drops) that learners have answered,
    with how many answers; their attempts keep the score they were given."""
    from ..quizzes import QuizAnswer, QuizAttempt  # the quiz feature's tables; it does not need this module

    live_module, new_module = get_store().library.module(parsed.module_id), library.module(parsed.module_id)
    live = live_module.quiz.texts.get(parsed.lang) if live_module and live_module.quiz else None
    if live is None:
        return []
    new = new_module.quiz.texts.get(parsed.lang) if new_module and new_module.quiz else None

    def seen(question):
        return (question.body_html, [option.html for option in question.options]) if question else None

    changed = [q.id for q in live.questions if seen(q) != seen(new.question(q.id) if new else None)]
    if not changed:
        return []
    counts = dict(db.session.execute(
        sa.select(QuizAnswer.question_id, sa.func.count()).join(QuizAttempt, QuizAttempt.id == QuizAnswer.attempt_id)
        .where(QuizAttempt.module_id == parsed.module_id, QuizAttempt.lang == parsed.lang,
               QuizAnswer.question_id.in_(changed)).group_by(QuizAnswer.question_id)).all())
    return [(question_id, counts[question_id]) for question_id in changed if counts.get(question_id)]

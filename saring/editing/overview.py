"""The workspace's first page: every module's files in each language, with their state."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from ..content.model import LANGUAGES, ContentError, Library
from ..content.store import get_store
from .models import ContentRevision, latest_drafts, live_revisions
from .workspace import ContentPath, folder_of, folders, parse_path


@dataclass
class FileCell:
    """One file in one language: whether it exists, what learners see, its problems and its last change."""

    path: str
    exists: bool = False
    errors: int = 0
    warnings: int = 0
    live: ContentRevision | None = None  # None: the file in git
    draft: ContentRevision | None = None
    shown_from: str | None = None  # missing here: learners read this other language


@dataclass
class LessonRow:
    """A lesson's files by language."""

    id: str
    position: int
    cells: dict[str, FileCell] = field(default_factory=dict)


@dataclass
class Overview:
    """The workspace's first page: every module, the check's forms and the learning paths, each file by language."""

    modules: list[ModuleRow]
    checks: dict[str, dict[str, FileCell]]  # by form, then language
    paths: dict[str, dict[str, FileCell]]  # by path id, then language
    others: list[ContentError]  # problems of files nothing shows (a misnamed file, a stray folder)


@dataclass
class ModuleRow:
    """A module's files: module.yml, its lessons and its quiz."""

    id: str
    title: str
    module_file: FileCell
    lessons: dict[str, LessonRow] = field(default_factory=dict)
    quiz: dict[str, FileCell] = field(default_factory=dict)


def file_paths() -> set[str]:
    """Every content file's path: on disk, published, or drafted."""
    lessons_dir = Path(current_app.config["CONTENT_LESSONS_DIR"])
    quizzes_dir = Path(current_app.config["CONTENT_QUIZZES_DIR"])
    lessons, quizzes = folders()
    paths = {f"{lessons}/{folder.name}/{file.name}" for folder in lessons_dir.iterdir() if folder.is_dir()
             for file in folder.iterdir() if file.is_file()} if lessons_dir.is_dir() else set()
    if quizzes_dir.is_dir():
        paths.update(f"{quizzes}/{file.name}" for file in quizzes_dir.iterdir() if file.is_file())
    for folder in map(folder_of, ("check", "path")):
        found = Path(current_app.config["CONTENT_LESSONS_DIR"]).parent / folder
        if found.is_dir():
            paths.update(f"{folder}/{file.name}" for file in found.iterdir() if file.is_file())
    return paths | set(get_store().overrides) | set(latest_drafts())


def overview(library: Library, lang: str) -> Overview:
    """Every content file's state in each language, grouped as the workspace's first page shows them."""
    problems: dict[str, list[ContentError]] = {}
    for problem in library.problems:
        problems.setdefault(problem.path, []).append(problem)
    live, drafts = live_revisions(), latest_drafts()
    overrides = get_store().overrides
    lessons_dir = Path(current_app.config["CONTENT_LESSONS_DIR"]).parent
    modules: dict[str, ModuleRow] = {}

    def cell(path: str) -> FileCell:
        found = problems.get(path, [])
        revision = live.get(path)
        return FileCell(path, path in overrides or (lessons_dir / path).is_file(),
                        sum(not p.warning for p in found), sum(p.warning for p in found),
                        revision if revision is not None and revision.text is not None else None, drafts.get(path))

    def module_row(module_id: str) -> ModuleRow:
        if module_id not in modules:
            module = library.module(module_id)
            lessons, _ = folders()
            modules[module_id] = ModuleRow(module_id, module.title(lang) if module else module_id,
                                           cell(f"{lessons}/{module_id}/module.yml"))
        return modules[module_id]

    shown: set[str] = set()
    outside: dict[str, dict[str, dict[str, FileCell]]] = {"check": {}, "path": {}}  # files of no module
    for parsed in sorted(filter(None, map(parse_path, file_paths())), key=lambda p: p.path):
        shown.add(parsed.path)
        if parsed.kind in outside:
            outside[parsed.kind].setdefault(parsed.lesson_id, {})[parsed.lang] = cell(parsed.path)
            continue
        row = module_row(parsed.module_id)
        if parsed.kind == "lesson":
            lesson = row.lessons.setdefault(parsed.lesson_id, LessonRow(parsed.lesson_id, parsed.position))
            lesson.cells[parsed.lang] = cell(parsed.path)
        elif parsed.kind == "quiz":
            row.quiz[parsed.lang] = cell(parsed.path)
    for row in modules.values():
        shown.add(row.module_file.path)
        for lesson in row.lessons.values():
            lesson.cells = fill_missing(lesson.cells, lambda lang, lesson=lesson, row=row:
                                        missing_lesson_path(row.id, lesson, lang))
        if row.quiz:
            row.quiz = fill_missing(row.quiz, lambda lang, row=row: missing_quiz_path(row.id, lang))
        row.lessons = dict(sorted(row.lessons.items(), key=lambda item: (item[1].position, item[0])))
    order = {module.id: number for number, module in enumerate(library.modules)}
    rows = sorted(modules.values(), key=lambda row: (order.get(row.id, len(order)), row.id))
    others = [p for path, found in sorted(problems.items()) if path not in shown for p in found]

    def by_language(kind: str) -> dict[str, dict[str, FileCell]]:
        return {name: fill_missing(cells, lambda lang, name=name: f"{folder_of(kind)}/{name}.{lang}.md")
                for name, cells in sorted(outside[kind].items())}

    return Overview(rows, by_language("check"), by_language("path"), others)


def fill_missing(cells: dict[str, FileCell], path_for) -> dict[str, FileCell]:
    """The cells in the order of LANGUAGES, with one for each language without a file."""
    present = [lang for lang in LANGUAGES if lang in cells]
    return {lang: cells.get(lang) or FileCell(path_for(lang), shown_from=present[0] if present else None)
            for lang in LANGUAGES}


def missing_lesson_path(module_id: str, lesson: LessonRow, lang: str) -> str:
    """The path a lesson's version in `lang` would have."""
    lessons, _ = folders()
    return f"{lessons}/{module_id}/{lesson.position:02d}-{lesson.id}.{lang}.md"


def missing_quiz_path(module_id: str, lang: str) -> str:
    """The path a quiz's version in `lang` would have."""
    _, quizzes = folders()
    return f"{quizzes}/{module_id}.{lang}.md"


def other_language(parsed: ContentPath) -> str | None:
    """The path of the same lesson, quiz, check form or learning path in the other language."""
    lang = next(other for other in LANGUAGES if other != parsed.lang)
    if parsed.kind == "lesson":
        lessons, _ = folders()
        return f"{lessons}/{parsed.module_id}/{parsed.position:02d}-{parsed.lesson_id}.{lang}.md"
    if parsed.kind == "quiz":
        return missing_quiz_path(parsed.module_id, lang)
    if parsed.kind in ("check", "path"):
        return f"{folder_of(parsed.kind)}/{parsed.lesson_id}.{lang}.md"
    return None

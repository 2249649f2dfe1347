"""Reads `lessons/` and `quizzes/` into a Library once, reporting every problem with file:line."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import rules
from .checkfile import parse_check_form
from .model import (
    ID_PATTERN,
    LANGUAGES,
    MAX_ID_LENGTH,
    N_,
    PILLARS,
    CheckForm,
    CheckFormText,
    ContentError,
    Count,
    LearningPath,
    Lesson,
    LessonText,
    Library,
    Module,
    PathText,
    Quiz,
    QuizText,
    Source,
)
from .quizfile import parse_quiz
from .render import Document, RenderCache, Renderer, plain_words

LANG_PATTERN = "|".join(LANGUAGES)
MODULE_ID = re.compile(ID_PATTERN)
LESSON_FILE = re.compile(rf"(?P<position>\d\d)-(?P<id>{ID_PATTERN})\.(?P<lang>{LANG_PATTERN})\.md")
QUIZ_FILE = re.compile(rf"(?P<id>{ID_PATTERN})\.(?P<lang>{LANG_PATTERN})\.md")
CHECK_FILE = re.compile(rf"(?P<form>[a-z])\.(?P<lang>{LANG_PATTERN})\.md")
CHECKS = "checks"  # the discernment check's media are served as this module's
PATHS = "paths"  # learning paths: routes through lessons of several modules, beside quizzes/
PATH_FILE = QUIZ_FILE  # path-id.id.md, path-id.en.md
PATH_STEP = re.compile(rf"(?P<module>{ID_PATTERN})/(?P<lesson>{ID_PATTERN})")
MODULE_FILE = "module.yml"
# libyaml's safe loader (in PyYAML's wheels) reads front matter about ten times faster than Python's
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
IMAGES_DIR = "images"
NO_VERSION = {  # a whole sentence for each language, so that its name is translated with it
    "id": N_("lesson %(lesson)r has no Indonesian version (id); readers see the other language"),
    "en": N_("lesson %(lesson)r has no English version (en); readers see the other language"),
}


class UnusableFileError(Exception):
    """A file cannot be used at all; carries the problem to report."""

    def __init__(self, problem: ContentError):
        super().__init__(str(problem))
        self.problem = problem


@dataclass
class SourceFile:
    """A content file's text, split into front matter and body."""

    path: str
    text: str
    meta: dict
    body: str
    body_line: int

    def line_of(self, key: str) -> int:
        """The line of `key:` in the front matter, or 1."""
        for number, line in enumerate(self.text.splitlines()[: self.body_line], 1):
            if line.startswith(f"{key}:"):
                return number
        return 1


def decode_text(data: bytes, display: str) -> str:
    """A file's bytes as text; UnusableFileError at the line of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise UnusableFileError(ContentError.of(
            display, line, N_("not UTF-8 text (%(reason)s): save the file with the encoding UTF-8 (in most editors: "
                              "Save as, then Encoding: UTF-8)"), reason=error.reason)) from None


def read_source(file: Path, display: str, front_matter: bool = True, text: str | None = None) -> SourceFile:
    """Read a file (or take its `text`, as published in the editor) and parse its YAML front matter."""
    try:
        # the size before reading: a 12 MB file is never read; a published text was held to it when saved
        too_big = rules.oversized(file, display) if text is None else rules.too_long(text, display)
        if too_big:
            raise UnusableFileError(too_big)
        text = (decode_text(file.read_bytes(), display) if text is None else text).replace("\r\n", "\n")
    except OSError as error:
        raise UnusableFileError(ContentError.of(display, 1, N_("cannot be read: %(reason)s"),
                                                reason=error.strerror)) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if front_matter:
        if not lines or lines[0].strip() != "---":
            raise UnusableFileError(ContentError.of(display, 1, N_("must start with front matter: a line ---, "
                                                                   "key: value lines, and another line ---")))
        end = next((n for n in range(1, len(lines)) if lines[n].strip() == "---"), None)
        if end is None:
            raise UnusableFileError(ContentError.of(display, 1, N_("front matter is not closed by a line ---")))
        raw, body, body_line, first = "\n".join(lines[1:end]), "\n".join(lines[end + 1:]), end + 2, 2
    else:
        raw, body, body_line, first = text, "", len(lines) + 1, 1
    if len(raw) > rules.MAX_FRONT_MATTER:
        raise UnusableFileError(ContentError.of(display, first, N_("front matter is longer than %(limit)s characters"),
                                                limit=Count(rules.MAX_FRONT_MATTER)))
    try:
        meta = yaml.load(raw, Loader=YAML_LOADER)
    except RecursionError:
        raise UnusableFileError(ContentError.of(display, first, N_("invalid YAML: nested too deeply"))) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = first + mark.line if mark else first
        reason = getattr(error, "problem", None) or str(error)
        raise UnusableFileError(ContentError.of(display, line, N_("invalid YAML: %(reason)s"), reason=reason)) \
            from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise UnusableFileError(ContentError.of(display, first, N_("expected key: value lines")))
    return SourceFile(display, text, meta, body, body_line)


def _text(source: SourceFile, key: str, problems: list, required: bool = True) -> str | None:
    value = source.meta.get(key)
    if value is None:
        if required:
            problems.append(ContentError.of(source.path, source.line_of(key), N_("missing field %(key)r"), key=key))
        return None
    if not isinstance(value, str) or not value.strip():
        problems.append(ContentError.of(source.path, source.line_of(key), N_("%(key)r must be text"), key=key))
        return None
    return value.strip()


def _whole_number(source: SourceFile, key: str, problems: list) -> int | None:
    value = source.meta.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        template = N_("missing field %(key)r") if value is None else N_("%(key)r must be a whole number")
        problems.append(ContentError.of(source.path, source.line_of(key), template, key=key))
        return None
    return value


def _by_language(source: SourceFile, key: str, problems: list) -> dict[str, str]:
    value = source.meta.get(key)
    if not isinstance(value, dict) or not all(isinstance(value.get(lang), str) and value[lang].strip()
                                              for lang in LANGUAGES):
        problems.append(ContentError.of(source.path, source.line_of(key),
                                        N_("%(key)r needs text for each language: %(languages)s"),
                                        key=key, languages=", ".join(LANGUAGES)))
        return {lang: text for lang, text in (value or {}).items()
                if lang in LANGUAGES and isinstance(text, str)} if isinstance(value, dict) else {}
    return {lang: value[lang].strip() for lang in LANGUAGES}


def _sources(source: SourceFile, problems: list) -> tuple[Source, ...]:
    value = source.meta.get("sources")
    at = source.line_of("sources")
    if not isinstance(value, list) or not value:
        problems.append(ContentError.of(source.path, at, N_("'sources' must list at least one title and year")))
        return ()
    cited = []
    for entry in value:
        if not isinstance(entry, dict) or not isinstance(entry.get("title"), str) \
                or isinstance(entry.get("year"), bool) or not isinstance(entry.get("year"), int):
            problems.append(ContentError.of(source.path, at, N_("each source needs a title and a year")))
            continue
        url = entry.get("url")
        if url is not None and not (isinstance(url, str) and url.startswith(("https://", "http://"))):
            problems.append(ContentError.of(source.path, at, N_("a source's url must start with https://")))
            url = None
        cited.append(Source(entry["title"].strip(), entry["year"], url))
    return tuple(cited)


@dataclass
class ModuleFolder:
    """A module folder as first read: its module.yml and its lesson files by id and language."""

    id: str
    path: Path
    source: SourceFile
    lessons: dict[str, dict[str, tuple[int, SourceFile | None]]]


class Loader:
    """Builds a Library from a lessons folder and a quizzes folder."""

    def __init__(self, lessons_dir: str | Path, quizzes_dir: str | Path, cache_file: str | Path | None = None,
                 overrides: Mapping[str, str] | None = None):
        self.lessons_dir = Path(lessons_dir)
        self.quizzes_dir = Path(quizzes_dir)
        self.checks_dir = self.quizzes_dir.parent / CHECKS  # beside quizzes/, as in the repository
        self.paths_dir = self.quizzes_dir.parent / PATHS
        # texts published in the editor, by display path: each replaces its file, or adds a file
        self.overrides = dict(overrides or {})
        self.problems: list[ContentError] = []
        self.media: dict[str, str] = {}
        self.renderer = Renderer(RenderCache(cache_file) if cache_file else None)
        self._contexts: dict[str, str] = {}

    def display(self, file: Path) -> str:
        """A file's path as shown in messages: relative to the folder holding lessons/."""
        return os.path.relpath(file, self.lessons_dir.parent)

    def entries(self, folder: Path) -> list[Path]:
        """A folder's files and folders, with those that exist only as published texts."""
        found = set(folder.iterdir()) if folder.is_dir() else set()
        where = Path(self.display(folder))
        found.update(folder / path.relative_to(where).parts[0] for path in map(Path, self.overrides)
                     if path.is_relative_to(where) and path != where)
        return sorted(found)

    def is_folder(self, path: Path) -> bool:
        """Whether `path` is a folder on disk or one that only published texts hold."""
        where = self.display(path) + os.sep
        return path.is_dir() or any(key.startswith(where) for key in self.overrides)

    def read(self, file: Path, front_matter: bool = True) -> SourceFile:
        """A content file's source: its published text if it has one, else the file."""
        display = self.display(file)
        return read_source(file, display, front_matter, self.overrides.get(display))

    def load(self) -> Library:
        """Read everything; never raises for a content problem."""
        folders = [p for p in self.entries(self.lessons_dir) if self.is_folder(p) and not p.name.startswith(".")]
        found = [m for m in (self._read_module(folder) for folder in folders) if m is not None]
        known = frozenset((module.id, lesson_id) for module in found for lesson_id in module.lessons)
        quizzes = self._read_quizzes({module.id for module in found}, known)
        modules = [self._build_module(module, known, quizzes.get(module.id)) for module in found]
        for module in modules:
            self.problems.extend(rules.check_module(module, self.quizzes_dir))
        modules.sort(key=lambda module: (module.order, module.id))
        checks = self._read_checks(known)
        self.problems.extend(rules.check_forms(checks, tuple(modules)))
        paths = self._read_paths(known)
        self.problems.extend(rules.check_paths(paths))
        if self.renderer.cache:
            self.renderer.cache.save()
        return Library(tuple(modules), tuple(sorted(set(self.problems))), dict(self.media), checks, paths)

    def _read_folder(self, folder: Path, pattern: re.Pattern, misnamed: str, module_id: str, known, parse):
        """(match, parsed) for each file of a folder of Markdown files (checks/, paths/): a misnamed or unusable
        file is reported and skipped, and so is one whose parser raised."""
        for file in self.entries(folder):
            if file.name.startswith(".") or file.name == IMAGES_DIR or file.is_dir():
                continue
            display = self.display(file)
            match = pattern.fullmatch(file.name)
            if match is None:
                self.problems.append(ContentError.of(display, 1, misnamed))
                continue
            try:
                source = self.read(file)
            except UnusableFileError as invalid:
                self.problems.append(invalid.problem)
                continue
            doc = Document(display, match["lang"], module_id, folder, source.body, source.body_line, known,
                           context=self.context(folder, known))
            try:
                parsed = parse(doc, source)
            except Exception as error:  # a file no one foresaw must not take the site down
                self.problems.append(ContentError.of(display, source.body_line, N_("cannot be read: %(reason)s"),
                                                     reason=repr(error)))
                continue
            self.problems.extend(doc.problems)
            self.media.update(doc.media)
            yield match, parsed

    def _read_checks(self, known) -> tuple[CheckForm, ...]:
        """Parse the discernment check's forms (checks/a.id.md, a.en.md, b.id.md…)."""
        texts: dict[str, dict[str, CheckFormText]] = {}
        found = self._read_folder(self.checks_dir, CHECK_FILE, N_(
            "not a check file name: use a.id.md, a.en.md, b.id.md or b.en.md"), CHECKS, known,
            lambda doc, source: parse_check_form(doc, source.meta, source.line_of, self.renderer))
        for match, form in found:
            if form.items:
                texts.setdefault(match["form"], {})[match["lang"]] = form
        return tuple(CheckForm(form_id, by_lang) for form_id, by_lang in sorted(texts.items()))

    def _read_paths(self, known) -> tuple[LearningPath, ...]:
        """Parse the learning paths (paths/orang-tua.id.md, orang-tua.en.md…)."""
        texts: dict[str, dict[str, PathText]] = {}
        found = self._read_folder(self.paths_dir, PATH_FILE, N_(
            "not a path file name: use path-id.id.md or path-id.en.md"), PATHS, known,
            lambda doc, source: self._parse_path(doc, source, known))
        for match, text in found:
            if text is not None:
                texts.setdefault(match["id"], {})[match["lang"]] = text
        return tuple(LearningPath(path_id, by_lang) for path_id, by_lang in sorted(texts.items()))

    def _parse_path(self, doc: Document, source: SourceFile, known) -> PathText | None:
        """A path's title, summary, the lessons it lists (each one that exists) and its introduction."""
        problems = doc.problems
        title, summary = _text(source, "title", problems), _text(source, "summary", problems)
        for key in source.meta.keys() - {"title", "summary", "lessons"}:
            problems.append(ContentError.of(doc.path, source.line_of(key), N_("unknown field %(key)r"),
                                            warning=True, key=key))
        listed = source.meta.get("lessons")
        if not isinstance(listed, list) or not listed:
            problems.append(ContentError.of(doc.path, source.line_of("lessons"), N_(
                "'lessons' must list the path's lessons in order, one per line: - module-id/lesson-id")))
            return None
        lines = source.text.split("\n")
        steps = []
        for entry in listed:
            step = PATH_STEP.fullmatch(entry.strip()) if isinstance(entry, str) else None
            line = next((n for n, text in enumerate(lines, 1) if isinstance(entry, str) and entry.strip()
                         and text.lstrip(" -").strip() == entry.strip()), source.line_of("lessons"))
            if step is None or (step["module"], step["lesson"]) not in known:
                problems.append(ContentError.of(doc.path, line, N_(
                    "the path lists %(entry)r, which is not a lesson: write module-id/lesson-id, as in "
                    "hoaks/jenis-misinformasi"), entry=str(entry)))
                continue
            steps.append((step["module"], step["lesson"]))
        if title is None or summary is None or not steps:
            return None
        intro = self.renderer.render(doc, source.body, source.body_line) if source.body.strip() else ""
        return PathText(doc.lang, title, summary, intro, tuple(steps), doc.path)

    def context(self, module_dir: Path, known) -> str:
        """What rendered output depends on besides its text: the known lessons and the images folder."""
        if module_dir.name not in self._contexts:
            images = module_dir / IMAGES_DIR
            listing = sorted((str(f), f.stat().st_size, f.stat().st_mtime_ns, str(f.resolve()))
                             for f in images.rglob("*") if f.is_file()) if images.is_dir() else []
            state = [sorted(known), str(images.resolve()) if images.exists() else "", listing]
            self._contexts[module_dir.name] = hashlib.sha256(json.dumps(state).encode()).hexdigest()
        return self._contexts[module_dir.name]

    def _read_module(self, folder: Path) -> ModuleFolder | None:
        """Read module.yml and the lesson files' front matter of one module folder."""
        if not MODULE_ID.fullmatch(folder.name) or len(folder.name) > MAX_ID_LENGTH:
            self.problems.append(ContentError.of(self.display(folder), 1, N_(
                "a module folder's name must be lowercase letters, digits and hyphens, at most %(most)s"),
                most=MAX_ID_LENGTH))
            return None
        if not (folder / MODULE_FILE).exists() and self.display(folder / MODULE_FILE) not in self.overrides:
            self.problems.append(ContentError.of(self.display(folder / MODULE_FILE), 1, N_("missing module.yml")))
            return None
        try:
            source = self.read(folder / MODULE_FILE, False)
        except UnusableFileError as invalid:
            self.problems.append(invalid.problem)
            return None
        files: dict[str, dict[str, tuple[int, SourceFile]]] = {}
        for file in self.entries(folder):
            if file.name in (MODULE_FILE, IMAGES_DIR) or file.name.startswith("."):
                continue
            match = LESSON_FILE.fullmatch(file.name)
            if match is None:
                self.problems.append(ContentError.of(self.display(file), 1, N_(
                    "not a lesson file name: use NN-lesson-id.id.md or NN-lesson-id.en.md")))
                continue
            if len(match["id"]) > MAX_ID_LENGTH:
                self.problems.append(ContentError.of(self.display(file), 1,
                                                     N_("a lesson id has at most %(most)s characters"),
                                                     most=MAX_ID_LENGTH))
                continue
            texts = files.setdefault(match["id"], {})
            try:
                lesson = self.read(file)
            except UnusableFileError as invalid:
                self.problems.append(invalid.problem)
                texts.setdefault(match["lang"], (int(match["position"]), None))
                continue
            if match["lang"] in texts:
                self.problems.append(ContentError.of(self.display(file), 1,
                                                     N_("duplicate lesson id %(lesson)r in this module"),
                                                     lesson=match["id"]))
                continue
            texts[match["lang"]] = (int(match["position"]), lesson)
        return ModuleFolder(folder.name, folder, source, files)

    def _build_module(self, found: ModuleFolder, known, quiz: Quiz | None) -> Module:
        """Validate module.yml and render the module's lessons."""
        module_id, folder, source, files = found.id, found.path, found.source, found.lessons
        problems = self.problems
        order = _whole_number(source, "order", problems) or 999
        minutes = _whole_number(source, "minutes", problems) or 0
        pillars = source.meta.get("pillars")
        if not isinstance(pillars, list) or not pillars or not all(isinstance(p, str) and p in PILLARS
                                                                   for p in pillars):
            problems.append(ContentError.of(source.path, source.line_of("pillars"),
                                            N_("'pillars' must list one or more of %(pillars)s"),
                                            pillars=", ".join(PILLARS)))
            pillars = [p for p in pillars if isinstance(p, str) and p in PILLARS] if isinstance(pillars, list) else []
        lessons = []
        for lesson_id, texts in files.items():
            readable = [source_file for _, source_file in texts.values() if source_file]
            positions = {position for position, _ in texts.values()}
            if readable and len(positions) > 1:
                problems.append(ContentError.of(readable[0].path, 1,
                                                N_("lesson %(lesson)r has a different number in each language"),
                                                lesson=lesson_id))
            for lang in LANGUAGES:
                if readable and lang not in texts:
                    problems.append(ContentError.of(readable[0].path, 1, NO_VERSION[lang], warning=True,
                                                    lesson=lesson_id))
            rendered = {lang: text for lang, (_, source_file) in texts.items() if source_file
                        and (text := self._render_lesson(module_id, folder, lang, source_file, known))}
            if rendered:
                lessons.append(Lesson(lesson_id, module_id, min(positions), rendered))
        lessons.sort(key=lambda lesson: (lesson.position, lesson.id))
        titles = _by_language(source, "title", problems) or {LANGUAGES[0]: module_id}
        summaries = _by_language(source, "summary", problems) or {LANGUAGES[0]: ""}
        return Module(module_id, order, tuple(pillars), minutes, titles, summaries, tuple(lessons), quiz, source.path)

    def _render_lesson(self, module_id, folder, lang, source: SourceFile, known) -> LessonText | None:
        """Check a lesson's front matter and render its body; None if it cannot be shown."""
        before = len(self.problems)
        title = _text(source, "title", self.problems)
        summary = _text(source, "summary", self.problems)
        minutes = _whole_number(source, "minutes", self.problems)
        sources = _sources(source, self.problems)
        for key in source.meta.keys() - {"title", "summary", "minutes", "sources"}:
            self.problems.append(ContentError.of(source.path, source.line_of(key), N_("unknown field %(key)r"),
                                                 warning=True, key=key))
        if not source.body.strip():
            self.problems.append(ContentError.of(source.path, source.body_line, N_("the lesson has no text")))
        if any(not p.warning for p in self.problems[before:]):
            return None
        doc = Document(source.path, lang, module_id, folder, source.body, source.body_line, known,
                       context=self.context(folder, known))
        try:
            html = self.renderer.render(doc)
        except Exception as error:  # a file no one foresaw must not take the site down
            self.problems.append(ContentError.of(source.path, source.body_line, N_("cannot be rendered: %(error)s"),
                                                 error=repr(error)))
            return None
        self.problems.extend(doc.problems)
        self.media.update(doc.media)
        text = LessonText(lang, title, summary, minutes, sources, html, plain_words(html), source.path)
        self.problems.extend(rules.check_lesson(text, source))
        return text

    def _read_quizzes(self, module_ids: set[str], known) -> dict[str, Quiz]:
        """Parse every quiz file and check that its languages agree."""
        texts: dict[str, dict[str, QuizText]] = {}
        broken: dict[str, set[str]] = {}
        for file in self.entries(self.quizzes_dir):
            if file.name.startswith(".") or file.is_dir():
                continue
            display = self.display(file)
            match = QUIZ_FILE.fullmatch(file.name)
            if match is None:
                self.problems.append(ContentError.of(display, 1, N_(
                    "not a quiz file name: use module-id.id.md or module-id.en.md")))
                continue
            if match["id"] not in module_ids:
                self.problems.append(ContentError.of(display, 1, N_("no module %(module)r in lessons/ for this quiz"),
                                                     module=match["id"]))
                continue
            try:
                source = self.read(file)
            except UnusableFileError as invalid:
                self.problems.append(invalid.problem)
                continue
            doc = Document(display, match["lang"], match["id"], self.lessons_dir / match["id"],
                           source.body, source.body_line, known,
                           context=self.context(self.lessons_dir / match["id"], known))
            try:
                quiz, skipped = parse_quiz(doc, source.meta, source.line_of, self.renderer)
            except Exception as error:  # a file no one foresaw must not take the site down
                self.problems.append(ContentError.of(display, source.body_line, N_("cannot be read: %(reason)s"),
                                                     reason=repr(error)))
                continue
            self.problems.extend(doc.problems)
            self.media.update(doc.media)
            broken.setdefault(match["id"], set()).update(skipped)
            self.problems.extend(rules.check_quiz(quiz))
            if quiz.questions:  # a quiz without a usable question is not offered
                texts.setdefault(match["id"], {})[match["lang"]] = quiz
        for module_id, by_lang in texts.items():
            self._compare_languages(by_lang, broken.get(module_id, set()))
        return {module_id: Quiz(module_id, by_lang) for module_id, by_lang in texts.items()}

    def _compare_languages(self, by_lang: dict[str, QuizText], broken: set[str]) -> None:
        """Report questions or settings that differ between a quiz's two languages."""
        if len(by_lang) < len(LANGUAGES):
            only = next(iter(by_lang.values()))
            missing = next(lang for lang in LANGUAGES if lang not in by_lang)
            self.problems.append(ContentError.of(only.path, 1, N_(
                "this quiz has no %(lang)s version; readers see this language"), warning=True, lang=missing))
            return
        first, second = (by_lang[lang] for lang in LANGUAGES)
        if (first.pass_mark, first.shuffle) != (second.pass_mark, second.shuffle):
            self.problems.append(ContentError.of(second.path, 1, N_("pass_mark and shuffle differ from %(other)s"),
                                                 other=first.path))
        for quiz, other in ((first, second), (second, first)):
            for question in quiz.questions:
                twin = other.question(question.id)
                if twin is None:
                    if question.id not in broken:
                        self.problems.append(ContentError.of(quiz.path, question.line, N_(
                            "question %(question)r is missing from %(other)s"), question=question.id,
                            other=other.path))
                elif quiz is second and (question.type, question.correct_ids, len(question.options)) != \
                        (twin.type, twin.correct_ids, len(twin.options)):
                    self.problems.append(ContentError.of(quiz.path, question.line, N_(
                        "question %(question)r differs from %(other)s in type, options or answers"),
                        question=question.id, other=other.path))
                elif quiz is second and question.tags != twin.tags:
                    self.problems.append(ContentError.of(quiz.path, question.line, N_(
                        "question %(question)r has other tags than in %(other)s"), question=question.id,
                        other=other.path))
        self.problems.extend(rules.compare_quizzes(first, second))


def load_library(lessons_dir: str | Path, quizzes_dir: str | Path, cache_file: str | Path | None = None,
                 overrides: Mapping[str, str] | None = None) -> Library:
    """Load all content (with `overrides`: display path -> published text); problems are in `Library.problems`."""
    return Loader(lessons_dir, quizzes_dir, cache_file, overrides).load()

"""The content as the app uses it: frozen dataclasses built once by the loader."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from babel.support import NullTranslations
from flask import has_request_context
from flask_babel import format_decimal, get_translations, gettext

LANGUAGES = ("id", "en")
ID_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
MAX_ID_LENGTH = 64  # the columns that store content ids hold 64 characters
PILLARS = ("cakap", "etika", "aman", "budaya")
QUESTION_TYPES = ("single", "multiple", "truefalse")
GENUINE_TAG = "genuine"
CHECK_TRUTHS = ("genuine", "false")
CHECK_TECHNIQUES = ("emotion", "impersonation", "fake-expert", "polarisation", "conspiracy", "discrediting",
                    "trolling", "false-context", "manipulated-media", "fabricated", "urgency", "scam")
CHECK_TOPICS = ("health", "disaster", "election", "scam", "religion", "school", "donation", "other")
CHECK_DIFFICULTIES = ("easy", "medium", "hard")


def N_(template: str) -> str:  # noqa: N802 (gettext's name for a string marked, not translated)
    """Mark a problem's English template for `pybabel extract`; it is translated where it is shown."""
    return template


def Nn_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 (as N_, for a count's two forms)
    """Mark the singular and plural of a template (`pybabel extract -k Nn_:1,2`); the count picks one when shown."""
    return singular, plural


@dataclass(frozen=True)
class Count:
    """A number in a problem, written as its reader writes it (1,234 or 1.234), with the words it counts if
    `forms` (from Nn_, holding %(num)s) are given: "1 minute", "3 minutes"."""

    num: int
    forms: tuple[str, str] | None = None

    def text(self, translations: NullTranslations, number: Callable[[int], str]) -> str:
        """The count with its words, from `translations`, the number written by `number`."""
        if self.forms is None:
            return number(self.num)
        return translations.ngettext(*self.forms, self.num) % {"num": number(self.num)}


Param = str | int | Count
ENGLISH = NullTranslations()  # the templates are English


def _english_number(number: int) -> str:
    return f"{number:,}"


def _filled(template: str, plural: str, params: tuple[tuple[str, Param], ...], translations: NullTranslations,
            number: Callable[[int], str]) -> str:
    """A template (or, with `plural`, the form its whole number `num` picks) translated, then filled in."""
    values = {name: value.text(translations, number) if isinstance(value, Count) else value
              for name, value in params}
    text = translations.ngettext(template, plural, dict(params)["num"]) if plural else translations.gettext(template)
    return text % values


@dataclass(frozen=True, order=True)
class ContentError:
    """One problem in a content file, reported as `path:line: message`.

    `message` is English (content check prints it); `template`, `plural` and `params` keep what it was made
    of, so that the editor shows it in the editor's language (`localized`). They play no part in comparing."""

    path: str
    line: int
    message: str
    warning: bool = False
    template: str = field(default="", compare=False)
    plural: str = field(default="", compare=False)
    params: tuple[tuple[str, Param], ...] = field(default=(), compare=False)

    @classmethod
    def of(cls, path: str, line: int, template: str | tuple[str, str], /, warning: bool = False,
           **params: Param) -> ContentError:
        """A problem from a template marked with N_ (or a pair from Nn_, chosen by the param `num`) and its
        values: ContentError.of(path, 3, N_("missing field %(key)r"), key="title")."""
        singular, plural = (template, "") if isinstance(template, str) else template
        values = tuple(params.items())
        return cls(path, line, _filled(singular, plural, values, ENGLISH, _english_number), warning,
                   singular, plural, values)

    def localized(self) -> str:
        """The message in the language of the request; in English outside one or without a template."""
        if not self.template or not has_request_context():
            return self.message
        return _filled(self.template, self.plural, self.params, get_translations(), format_decimal)

    def localized_line(self) -> str:
        """`path:line: message` in the language of the request, for a flash or a note."""
        kind = f"{gettext('Warning:')} " if self.warning else ""
        return f"{self.path}:{self.line}: {kind}{self.localized()}"

    def __str__(self) -> str:
        kind = "warning: " if self.warning else ""
        return f"{self.path}:{self.line}: {kind}{self.message}"


def pick(texts: dict, lang: str):
    """Return (text in `lang`, False) or, when missing, (the other language's text, True)."""
    if lang in texts:
        return texts[lang], False
    for other in LANGUAGES:
        if other in texts:
            return texts[other], True
    raise LookupError("content has no text in any language")


@dataclass(frozen=True)
class Source:
    """A source cited at the end of a lesson."""

    title: str
    year: int
    url: str | None = None


@dataclass(frozen=True)
class LessonText:
    """One language's version of a lesson, with its body rendered to safe HTML."""

    lang: str
    title: str
    summary: str
    minutes: int
    sources: tuple[Source, ...]
    html: str
    words: int
    path: str


@dataclass(frozen=True)
class Lesson:
    """A lesson: a stable id and its texts by language."""

    id: str
    module_id: str
    position: int
    texts: dict[str, LessonText]

    def text(self, lang: str) -> tuple[LessonText, bool]:
        """The text in `lang` and whether it fell back to the other language."""
        return pick(self.texts, lang)


@dataclass(frozen=True)
class Option:
    """An answer option; `id` is its letter (a, b, c…), the same in every language."""

    id: str
    html: str
    correct: bool
    explanation_html: str
    line: int


@dataclass(frozen=True)
class Question:
    """A quiz question; its id and answer key are shared by both languages."""

    id: str
    type: str
    tags: tuple[str, ...]
    body_html: str
    options: tuple[Option, ...]
    is_scenario: bool
    line: int

    @property
    def correct_ids(self) -> frozenset[str]:
        """The ids of the options a learner must choose."""
        return frozenset(option.id for option in self.options if option.correct)

    @property
    def is_genuine(self) -> bool:
        """Whether the question shows a genuine, trustworthy message."""
        return GENUINE_TAG in self.tags


@dataclass(frozen=True)
class QuizText:
    """One language's version of a module's quiz."""

    lang: str
    title: str | None
    pass_mark: int
    shuffle: bool
    intro_html: str
    questions: tuple[Question, ...]
    path: str

    @property
    def fingerprint(self) -> str:
        """Changes whenever a question or option a learner reads changes: a form opened before an editor
        published is never graded against questions its learner did not see. It is in the page, so it
        is made of what the page shows and never of the answer key."""
        seen = json.dumps([(q.id, q.type, q.body_html, [o.html for o in q.options]) for q in self.questions])
        return hashlib.sha256(seen.encode()).hexdigest()[:16]

    def question(self, question_id: str) -> Question | None:
        """The question with this id, if any."""
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True)
class Quiz:
    """A module's quiz and its texts by language."""

    module_id: str
    texts: dict[str, QuizText]

    def text(self, lang: str) -> tuple[QuizText, bool]:
        """The quiz in `lang` and whether it fell back to the other language."""
        return pick(self.texts, lang)


@dataclass(frozen=True)
class Module:
    """A module: ordered lessons and an optional quiz."""

    id: str
    order: int
    pillars: tuple[str, ...]
    minutes: int
    titles: dict[str, str]
    summaries: dict[str, str]
    lessons: tuple[Lesson, ...]
    quiz: Quiz | None
    path: str

    def title(self, lang: str) -> str:
        """The module's title in `lang`."""
        return pick(self.titles, lang)[0]

    def summary(self, lang: str) -> str:
        """The module's summary in `lang`."""
        return pick(self.summaries, lang)[0]

    def lesson(self, lesson_id: str) -> Lesson | None:
        """The lesson with this id, if any."""
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)

    def neighbours(self, lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
        """The lessons before and after `lesson` in this module."""
        index = self.lessons.index(lesson)
        before = self.lessons[index - 1] if index > 0 else None
        after = self.lessons[index + 1] if index + 1 < len(self.lessons) else None
        return before, after


@dataclass(frozen=True)
class CheckItem:
    """A message card of the discernment check: genuine or false, never shown with its truth before the end."""

    id: str
    genuine: bool
    technique: str | None  # how a false item manipulates (CHECK_TECHNIQUES)
    source: str | None  # where a genuine item can be verified
    topic: str
    difficulty: str
    body_html: str
    explanation_html: str
    line: int


@dataclass(frozen=True)
class CheckFormText:
    """One language's version of a form of the discernment check."""

    lang: str
    title: str | None
    intro_html: str
    items: tuple[CheckItem, ...]
    path: str

    @property
    def fingerprint(self) -> str:
        """Changes whenever a card changes; made of what the page shows, never of the items' truth."""
        return hashlib.sha256(json.dumps([(i.id, i.body_html) for i in self.items]).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class CheckForm:
    """A form (a, b) of the discernment check, by language; the forms are parallel, for before and after."""

    id: str
    texts: dict[str, CheckFormText]

    def text(self, lang: str) -> tuple[CheckFormText, bool]:
        """The form in `lang` and whether it fell back to the other language."""
        return pick(self.texts, lang)


@dataclass(frozen=True)
class PathText:
    """One language's version of a learning path: a short route through lessons of several modules."""

    lang: str
    title: str
    summary: str
    intro_html: str
    steps: tuple[tuple[str, str], ...]  # (module id, lesson id), in the order to read them
    path: str


@dataclass(frozen=True)
class LearningPath:
    """A learning path (for example, for parents and adults): its id and its texts by language."""

    id: str
    texts: dict[str, PathText]

    def text(self, lang: str) -> tuple[PathText, bool]:
        """The path in `lang` and whether it fell back to the other language."""
        return pick(self.texts, lang)


@dataclass(frozen=True)
class Library:
    """Everything loaded from `lessons/`, `quizzes/`, `checks/` and `paths/`, and the problems found."""

    modules: tuple[Module, ...] = ()
    problems: tuple[ContentError, ...] = ()
    media: dict[str, str] = field(default_factory=dict)
    checks: tuple[CheckForm, ...] = ()
    paths: tuple[LearningPath, ...] = ()

    def learning_path(self, path_id: str) -> LearningPath | None:
        """The learning path with this id, if any."""
        return next((found for found in self.paths if found.id == path_id), None)

    def check_form(self, form_id: str) -> CheckForm | None:
        """The discernment check's form with this id, if any."""
        return next((form for form in self.checks if form.id == form_id), None)

    def module(self, module_id: str) -> Module | None:
        """The module with this id, if any."""
        return next((m for m in self.modules if m.id == module_id), None)

    @property
    def errors(self) -> tuple[ContentError, ...]:
        """The problems that are errors, not warnings."""
        return tuple(p for p in self.problems if not p.warning)

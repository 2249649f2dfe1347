"""The rule book: every limit content is held to, applied by the loader on every load, so the app,
`flask content check` and the tests all see the same problems.

A file over the size limits is an error: it is never read, so never served. The other rules judge
quality: a lesson's length and its closing action, a quiz's make-up, the two languages of a quiz asking
alike. They are warnings: the site still serves the content, and `flask content check --strict` fails on
them. They read what the loader has already built and never render anything again. (An id's length is
the database's: `model.MAX_ID_LENGTH`.)
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from .model import LANGUAGES, ContentError, LessonText, Module, QuizText
from .render import BLOCK_PATTERN
from .report import READING_WORDS_PER_MINUTE, reading_minutes

if TYPE_CHECKING:
    from .loader import SourceFile

# The longest shipped file is about 15 KB; a bigger one is a mistake (a pasted dump, an image pasted as
# text) that every start would read and every page showing it would carry to a phone.
MAX_FILE_BYTES = 200 * 1024
# libyaml recurses in C and can crash the process on input nested hundreds of thousands deep; real
# front matter is under 2,000 characters, and nesting within this limit parses safely.
MAX_FRONT_MATTER = 20_000
MAX_OPTIONS = 10  # options of one question
LESSON_MINUTES = (4, 8)  # the `minutes:` a lesson states: one sitting on a phone, between classes
READING_MINUTES = (3, 8)  # the minutes its words take at READING_WORDS_PER_MINUTE (saring.content.report)
QUIZ_QUESTIONS = (8, 12)  # questions per quiz, in each language
# At least this many of a quiz's questions: a whole number is a count, a Fraction a share of the questions.
SCENARIO_QUESTIONS = Fraction(1, 2)  # questions whose body shows a card: learners judge realistic messages
GENUINE_QUESTIONS = 2  # questions tagged genuine: learners practise trusting what is true, not doubting all

ACTION_CALLOUT = '<div class="callout callout-action"'
DIV_TAG = re.compile(r"<div\b|</div>")


def oversized(file: Path, display: str) -> ContentError | None:
    """The error for a file too big to read, or None; raises OSError when the file cannot be looked at."""
    return size_problem(file.stat().st_size, display)


def too_long(text: str, display: str) -> ContentError | None:
    """The error for a published text over the size limit, or None."""
    return size_problem(len(text.encode()), display)


def size_problem(size: int, display: str) -> ContentError | None:
    """The error for content of `size` bytes, or None when it is within the limit."""
    if size <= MAX_FILE_BYTES:
        return None
    return ContentError(display, 1, f"the file has {size:,} bytes, more than the {MAX_FILE_BYTES:,} "
                                    f"({MAX_FILE_BYTES // 1024} KB) a content file may have; it is left out "
                                    "until it is smaller")


def _count(number: int, one: str, many: str) -> str:
    return f"{number:,} {one if number == 1 else many}"


def _ends_with_action(html: str) -> bool:
    """Whether the last thing in the lesson is an action callout."""
    start = html.rfind(ACTION_CALLOUT)
    if start < 0:
        return False
    depth = 0
    for tag in DIV_TAG.finditer(html, start):
        depth += 1 if tag[0] != "</div>" else -1
        if depth == 0:
            return not html[tag.end():].strip()
    return False


def check_lesson(text: LessonText, source: SourceFile) -> list[ContentError]:
    """A rendered lesson's length and its closing action."""
    problems = []

    def warn(line: int, message: str) -> None:
        problems.append(ContentError(text.path, line, message, True))

    low, high = LESSON_MINUTES
    if not low <= text.minutes <= high:
        warn(source.line_of("minutes"), f"'minutes' is {text.minutes}; a lesson takes {low} to {high} minutes")
    reading, (low, high) = reading_minutes(text.words), READING_MINUTES
    takes = (f"the lesson takes {_count(reading, 'minute', 'minutes')} to read "
             f"({_count(text.words, 'word', 'words')} at {READING_WORDS_PER_MINUTE} a minute)")
    if reading > high:
        warn(source.line_of("minutes"), f"{takes}; keep it within {high}")
    elif reading < low:
        warn(source.line_of("minutes"), f"{takes}; give it at least {low}")
    lines = source.body.rstrip().split("\n")
    actions = [n for n, line in enumerate(lines) if (block := BLOCK_PATTERN.match(line)) and block[1] == "action"]
    if not _ends_with_action(text.html):
        warn(source.body_line + len(lines) - 1, "the lesson does not end with an action callout (!!! action): "
                                                "close it with one thing to do now")
    elif (count := text.html.count(ACTION_CALLOUT)) > 1:
        warn(source.body_line + (actions[0] if actions else 0),
             f"the lesson has {count} action callouts; keep one, at the end")
    return problems


def required(minimum: int | Fraction, questions: int) -> int:
    """How many questions `minimum` asks of a quiz with `questions`: a count, or a share rounded up."""
    return math.ceil(minimum * questions) if isinstance(minimum, Fraction) else minimum


def check_quiz(quiz: QuizText) -> list[ContentError]:
    """One language's quiz: its number of questions, of scenarios and of genuine messages."""
    total = len(quiz.questions)
    if not total:
        return []  # not offered: the loader has reported why
    problems = []

    def warn(message: str) -> None:
        problems.append(ContentError(quiz.path, 1, message, True))

    low, high = QUIZ_QUESTIONS
    if not low <= total <= high:
        warn(f"the quiz has {_count(total, 'question', 'questions')}; give it {low} to {high}")
    scenarios, needed = sum(q.is_scenario for q in quiz.questions), required(SCENARIO_QUESTIONS, total)
    if scenarios < needed:
        warn(f"{scenarios} of the quiz's {total} questions {'is a scenario' if scenarios == 1 else 'are scenarios'}"
             f" (a card in the body); at least {needed} should be")
    genuine, needed = sum(q.is_genuine for q in quiz.questions), required(GENUINE_QUESTIONS, total)
    if genuine < needed:
        warn(f"{genuine} of the quiz's {total} questions {'is' if genuine == 1 else 'are'} tagged genuine; at least "
             f"{needed} should be, so learners practise trusting what is true")
    return problems


def compare_quizzes(first: QuizText, second: QuizText) -> list[ContentError]:
    """What the loader's answer-key comparison leaves out: the questions' order and which show a card."""
    problems = []
    in_first = [q.id for q in first.questions if second.question(q.id)]
    in_second = [q.id for q in second.questions if first.question(q.id)]
    moved = next((second.question(b) for a, b in zip(in_first, in_second, strict=True) if a != b), None)
    if moved is not None:
        problems.append(ContentError(second.path, moved.line, f"question {moved.id!r} stands elsewhere in "
                                     f"{first.path}; keep the questions in the same order", True))
    for question in second.questions:
        twin = first.question(question.id)
        if twin is not None and twin.is_scenario != question.is_scenario:
            card, plain = (second, first) if question.is_scenario else (first, second)
            problems.append(ContentError(second.path, question.line, f"question {question.id!r} shows a card in "
                                         f"{card.path} but not in {plain.path}", True))
    return problems


def check_module(module: Module, quizzes_dir: Path) -> list[ContentError]:
    """A module has a quiz."""
    if module.quiz is None and not any((quizzes_dir / f"{module.id}.{lang}.md").exists() for lang in LANGUAGES):
        return [ContentError(module.path, 1, f"the module has no quiz: add quizzes/{module.id}.id.md and "
                                             f"quizzes/{module.id}.en.md", True)]
    return []

"""The item report: how every quiz question and lesson of the content fares with all learners.

Figures come from each learner's first attempt at a quiz (later attempts are practice on questions
the learner has already seen explained) and from the lessons learners opened and marked done. The sums are kept
as attempts and lessons are saved (saring/editing/tallies.py), so the report reads a few hundred
rows in three queries, whatever the number of modules, questions or learners.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import sqlalchemy as sa

from ..classes.reports import Item
from ..content.model import LANGUAGES, Library, Module, Question
from ..extensions import db
from .tallies import ChoiceTally, LessonStartTally, LessonTally, QuestionTally, QuizTally

MIN_ATTEMPTS = 20  # fewer first attempts than this: no discrimination and no flags, only counts
TOO_EASY_ABOVE = 90  # percent right on the first try
TOO_HARD_BELOW = 30  # percent right on the first try
NEGATIVE_BELOW = 0.0  # discrimination under this: learners who do well overall get it wrong more often
TOO_EASY, TOO_HARD, NEGATIVE = "too-easy", "too-hard", "negative-discrimination"


@dataclass(frozen=True)
class QuestionFigures:
    """How learners answered one question on their first attempt at its quiz.

    `discrimination` is the corrected item-total correlation: the point-biserial correlation, over
    the learners who answered the question, between being right on it (1 or 0) and the number of
    the attempt's other questions they got right. Near +1 the question separates learners who do
    well on the rest of the quiz from those who do not; near 0 it tells nothing about them; below 0
    the learners who do well overall get it wrong more often than the others, which usually means a
    wrong key or a misleading option. It is None with fewer than MIN_ATTEMPTS attempts, or when
    everyone (or no one) was right, or every learner had the same score on the rest.
    """

    number: int
    question_id: str
    type: str
    key: str
    attempts: int
    right: int
    share_right: int | None
    discrimination: float | None
    wrong_option: str | None
    wrong_count: int
    flags: tuple[str, ...]

    @property
    def enough(self) -> bool:
        """Whether there are enough first attempts for the discrimination and the flags."""
        return self.attempts >= MIN_ATTEMPTS


@dataclass(frozen=True)
class LessonFigures:
    """How many learners opened one lesson (signed in, once each) and how many finished it (marked it done).

    A learner who opened it and never finished it stopped there, for now.
    """

    number: int
    lesson_id: str
    titles: dict[str, str]
    started: int
    finished: int


@dataclass(frozen=True)
class ModuleFigures:
    """One module's lessons and quiz questions, in their order in the content.

    `quiz_reached` is the number of learners who finished the last lesson (None without a quiz, or
    without lessons), `quiz_takers` the number who attempted the quiz at least once.
    """

    module_id: str
    titles: dict[str, str]
    quiz_reached: int | None
    quiz_takers: int
    lessons: tuple[LessonFigures, ...]
    questions: tuple[QuestionFigures, ...]


@dataclass(frozen=True)
class ItemReport:
    """Every module of the content with its figures."""

    modules: tuple[ModuleFigures, ...]
    min_attempts: int = MIN_ATTEMPTS
    too_easy_above: int = TOO_EASY_ABOVE
    too_hard_below: int = TOO_HARD_BELOW

    def as_dict(self) -> dict:
        """The report as plain lists and dicts, for JSON."""
        return dataclasses.asdict(self)

    @property
    def has_data(self) -> bool:
        """Whether any learner opened a lesson or took a quiz of this content."""
        return any(module.quiz_takers or any(lesson.started or lesson.finished for lesson in module.lessons)
                   for module in self.modules)


@dataclass(frozen=True)
class Sums:
    """What a question's discrimination needs, as question_tallies keeps it: over n answers, x is right (1) or
    wrong (0) and y the rest of the score; x, y, xy and yy are their sums."""

    n: int = 0
    x: int = 0
    y: int = 0
    xy: int = 0
    yy: int = 0

    def correlation(self) -> float | None:
        """The point-biserial correlation of x and y, or None when either never varies."""
        spread_x = self.n * self.x - self.x * self.x  # x is 0 or 1, so Σx² = Σx
        spread_y = self.n * self.yy - self.y * self.y
        if spread_x <= 0 or spread_y <= 0:
            return None
        return (self.n * self.xy - self.x * self.y) / math.sqrt(spread_x * spread_y)


def quiz_questions(module: Module) -> list[Question]:
    """The module's quiz questions in their Indonesian order, then any found only in English."""
    found: dict[str, Question] = {}
    for lang in LANGUAGES:
        if module.quiz and lang in module.quiz.texts:
            for question in module.quiz.texts[lang].questions:
                found.setdefault(question.id, question)
    return list(found.values())


def flags_of(item: Item, discrimination: float | None) -> tuple[str, ...]:
    """What an editor should look at, once there are enough attempts to tell."""
    if item.answered < MIN_ATTEMPTS:
        return ()
    flags = []
    if item.correct * 100 > TOO_EASY_ABOVE * item.answered:
        flags.append(TOO_EASY)
    if item.correct * 100 < TOO_HARD_BELOW * item.answered:
        flags.append(TOO_HARD)
    if discrimination is not None and discrimination < NEGATIVE_BELOW:
        flags.append(NEGATIVE)
    return tuple(flags)


def question_figures(item: Item, sums: Sums, question: Question) -> QuestionFigures:
    """The frozen figures of one question from what its answers added up to."""
    discrimination = sums.correlation() if item.answered >= MIN_ATTEMPTS else None
    # the most chosen wrong option; on a tie, the first letter, so the report reads the same each time
    wrong = min(item.wrong_choices.items(), key=lambda pair: (-pair[1], pair[0]), default=(None, 0))
    return QuestionFigures(
        number=item.number, question_id=question.id, type=question.type, key=",".join(sorted(question.correct_ids)),
        attempts=item.answered, right=item.correct, share_right=item.share_correct, discrimination=discrimination,
        wrong_option=wrong[0], wrong_count=wrong[1], flags=flags_of(item, discrimination))


def item_report(library: Library) -> ItemReport:
    """Per module: each lesson's learners and each quiz question's figures from first attempts, in three queries."""
    quiz_ids = [module.id for module in library.modules if module.quiz]
    # one row per question and distinct answer ("a", "a,c"…): as many rows however many learners there are
    answers = db.session.execute(
        sa.select(QuestionTally.module_id, QuestionTally.question_id, QuestionTally.answers,
                  QuestionTally.right_answers, QuestionTally.rest_sum, QuestionTally.rest_sum_right,
                  QuestionTally.rest_squares, ChoiceTally.chosen, ChoiceTally.answers)
        .join(ChoiceTally, sa.and_(ChoiceTally.module_id == QuestionTally.module_id,
                                   ChoiceTally.question_id == QuestionTally.question_id))
        .where(QuestionTally.module_id.in_(quiz_ids))).all()
    takers = dict(db.session.execute(
        sa.select(QuizTally.module_id, QuizTally.takers).where(QuizTally.module_id.in_(quiz_ids))).all())
    module_ids = [module.id for module in library.modules]
    lesson_counts: dict[tuple[str, str], list[int]] = {}  # started, finished
    for module_id, lesson_id, started, finished in db.session.execute(sa.union_all(
            sa.select(LessonStartTally.module_id, LessonStartTally.lesson_id, LessonStartTally.started,
                      sa.literal(0, sa.Integer)).where(LessonStartTally.module_id.in_(module_ids)),
            sa.select(LessonTally.module_id, LessonTally.lesson_id, sa.literal(0, sa.Integer),
                      LessonTally.finished).where(LessonTally.module_id.in_(module_ids)))):
        counts = lesson_counts.setdefault((module_id, lesson_id), [0, 0])
        counts[0] += started
        counts[1] += finished

    items: dict[tuple[str, str], Item] = {}
    sums: dict[tuple[str, str], Sums] = {}
    questions: dict[str, list[Question]] = {}
    for module in library.modules:
        questions[module.id] = quiz_questions(module)
        for number, question in enumerate(questions[module.id], 1):
            items[module.id, question.id] = Item(question.id, number, question.body_html, question.correct_ids)
    for module_id, question_id, n, x, y, xy, yy, chosen, count in answers:
        item = items.get((module_id, question_id))
        if item is None:  # a question since removed from the quiz
            continue
        item.answered, item.correct = n, x
        sums[module_id, question_id] = Sums(n, x, y, xy, yy)
        item.add_choices(chosen, count)

    modules = []
    for module in library.modules:
        lessons = [LessonFigures(number, lesson.id, {lang: text.title for lang, text in lesson.texts.items()},
                                 *lesson_counts.get((module.id, lesson.id), (0, 0)))
                   for number, lesson in enumerate(module.lessons, 1)]
        modules.append(ModuleFigures(
            module_id=module.id, titles=dict(module.titles),
            quiz_reached=lessons[-1].finished if module.quiz and lessons else None,
            quiz_takers=takers.get(module.id, 0), lessons=tuple(lessons),
            questions=tuple(question_figures(items[module.id, question.id],
                                             sums.get((module.id, question.id), Sums()), question)
                            for question in questions[module.id])))
    return ItemReport(tuple(modules))


def report_lines(report: ItemReport) -> list[str]:
    """The report as `flask content report` prints it: a section per module, lessons then questions."""
    lines = [f"item report: first attempts only; discrimination and flags from {report.min_attempts} attempts "
             f"(too easy: over {report.too_easy_above}% right, too hard: under {report.too_hard_below}%)"]
    for module in report.modules:
        lines.append(f"{module.module_id}:")
        lines.append(f"  {'lesson':31}  started  finished")
        for lesson in module.lessons:
            lines.append(f"  {lesson.number:2} {lesson.lesson_id:28}  {lesson.started:7}  {lesson.finished:8}")
        if module.quiz_reached is not None or module.quiz_takers:
            reached = "-" if module.quiz_reached is None else module.quiz_reached
            lines.append(f"  quiz: {reached} finished the last lesson, {module.quiz_takers} took it")
        if module.questions:
            lines.append(f"  {'question':31}  attempts  right  discrimination  most chosen wrong  flags")
        for q in module.questions:
            right = "-" if q.share_right is None else f"{q.share_right}%"
            discrimination = "-" if q.discrimination is None else f"{q.discrimination:.2f}"
            wrong = f"{q.wrong_option} ({q.wrong_count})" if q.wrong_option else "-"
            lines.append(f"  {q.number:2} {q.question_id:28}  {q.attempts:8}  {right:>5}  {discrimination:>14}  "
                         f"{wrong:17}  {', '.join(q.flags) or '-'}")
    return lines

"""Quizzes: the form, server-side grading, attempts kept once per submission, results."""

from __future__ import annotations

import random
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .content import Option, Question, QuizText, get_library
from .database import utcnow
from .extensions import db
from .i18n import LANG_PREFIX, current_language
from .pagecache import shown_to

if TYPE_CHECKING:
    from .accounts import User

bp = Blueprint("quiz", __name__, url_prefix=f"{LANG_PREFIX}/modules/<module_id>/quiz")
SUBMISSION_KEY = re.compile(r"[0-9a-f]{32}")


@shown_to(lambda attempt: [attempt.user_id])
class QuizAttempt(db.Model):
    """One submitted quiz; `submission_key` makes a resent form land on the same attempt."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (sa.UniqueConstraint("user_id", "submission_key"),
                      # a learner's earliest attempt at a module, found here when the tallies are recounted
                      sa.Index("ix_quiz_attempts_module_id_user_id", "module_id", "user_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[str] = mapped_column(sa.String(64))
    lang: Mapped[str] = mapped_column(sa.String(5))
    submission_key: Mapped[str] = mapped_column(sa.String(32))
    # the fingerprint of the questions as answered: when an editor changes them, the result says so
    quiz_version: Mapped[str | None] = mapped_column(sa.String(16))
    score: Mapped[int]
    total: Mapped[int]
    percent: Mapped[int]
    passed: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the teacher who recorded this attempt from a quiz answered on paper (saring/classes/paper.py); None online
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    answers: Mapped[list[QuizAnswer]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", order_by="QuizAnswer.id")


class QuizAnswer(db.Model):
    """The options chosen for one question of an attempt, keyed by question id."""

    __tablename__ = "quiz_answers"
    __table_args__ = (sa.UniqueConstraint("attempt_id", "question_id"),)  # also the index to find an attempt's

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz_attempts.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(sa.String(64))
    chosen: Mapped[str] = mapped_column(sa.String(64))
    correct: Mapped[bool]
    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")


@dataclass(frozen=True)
class QuestionResult:
    """How one question was answered; right when exactly the correct options were chosen."""

    question: Question
    chosen: frozenset[str]
    correct: bool

    @property
    def explained(self) -> list[Option]:
        """The options a result explains: the ones chosen first, then the correct ones not chosen."""
        options = self.question.options
        return ([option for option in options if option.id in self.chosen]
                + [option for option in options if option.correct and option.id not in self.chosen])


@dataclass(frozen=True)
class Grade:
    """A graded quiz."""

    results: tuple[QuestionResult, ...]
    pass_mark: int

    @property
    def score(self) -> int:
        """Questions answered correctly."""
        return sum(result.correct for result in self.results)

    @property
    def total(self) -> int:
        """Questions graded."""
        return len(self.results)

    @property
    def percent(self) -> int:
        """The score as a whole percentage, rounded down so 69.9% never shows as 70%."""
        return self.score * 100 // self.total if self.total else 0

    @property
    def passed(self) -> bool:
        """Whether the score reaches the pass mark."""
        return self.total > 0 and self.score * 100 >= self.pass_mark * self.total

    def numbered(self, correct: bool) -> list[tuple[int, QuestionResult]]:
        """The questions answered right (or not), each with its number in the quiz."""
        return [(number, result) for number, result in enumerate(self.results, 1) if result.correct == correct]


@dataclass(frozen=True)
class QuizSummary:
    """A learner's attempts at one quiz."""

    best: int
    passed: bool
    latest: int
    latest_at: datetime
    attempts: int


def grade_attempt(quiz: QuizText, answers: dict[str, frozenset[str]]) -> Grade:
    """Grade `answers` (question id -> chosen option ids) against the quiz's key."""
    results = []
    for question in quiz.questions:
        chosen = answers.get(question.id, frozenset())
        results.append(QuestionResult(question, chosen, chosen == question.correct_ids))
    return Grade(tuple(results), quiz.pass_mark)


def field_name(position: int) -> str:
    """The form field of the question at `position` (1, 2, …): never its id, which may hint at the answer."""
    return f"q{position}"


def forged_message() -> str:
    """What a learner sees when a quiz form was tampered with."""
    return _("This form contained answers that are not part of this quiz. Please answer again.")


def read_answers(quiz: QuizText, form) -> tuple[dict[str, frozenset[str]], dict[str, str], str | None]:
    """The answers in a submitted form, per-question messages, and a message for a forged form."""
    forged = forged_message()
    known = {field_name(position) for position in range(1, len(quiz.questions) + 1)}
    if any(key not in known for key in form if key not in ("csrf_token", "submission_key", "quiz_version")):
        return {}, {}, forged
    answers, missing = {}, {}
    for position, question in enumerate(quiz.questions, 1):
        values = form.getlist(field_name(position))
        chosen = frozenset(values)
        if len(chosen) != len(values) or not chosen <= {option.id for option in question.options}:
            return {}, {}, forged
        if question.type != "multiple" and len(chosen) > 1:
            return {}, {}, forged
        if not chosen:
            missing[question.id] = (_("Choose one or more answers.") if question.type == "multiple"
                                    else _("Choose an answer."))
        answers[question.id] = chosen
    return answers, missing, None


def quiz_summaries(user_id: int) -> dict[str, QuizSummary]:
    """Best and latest attempt per module for one learner, in one query."""
    per_module = (
        sa.select(QuizAttempt.module_id,
                  sa.func.max(QuizAttempt.percent).label("best"),
                  sa.func.max(sa.cast(QuizAttempt.passed, sa.Integer)).label("passed"),
                  sa.func.count().label("attempts"),
                  sa.func.max(QuizAttempt.id).label("latest_id"))
        .where(QuizAttempt.user_id == user_id).group_by(QuizAttempt.module_id).subquery())
    rows = db.session.execute(
        sa.select(per_module, QuizAttempt.percent, QuizAttempt.created_at)
        .join(QuizAttempt, QuizAttempt.id == per_module.c.latest_id))
    return {row.module_id: QuizSummary(best=row.best, passed=bool(row.passed), latest=row.percent,
                                       latest_at=row.created_at, attempts=row.attempts) for row in rows}


def quiz_or_404(module_id: str):
    """The module and its quiz in the reader's language (and whether it fell back), or 404."""
    module = get_library().module(module_id)
    if module is None or module.quiz is None:
        abort(404)
    quiz, fallback = module.quiz.text(current_language())
    return module, quiz, fallback


def option_order(quiz: QuizText, question: Question):
    """The options in the order to show them: shuffled on each visit if the quiz says so.

    True/false options keep their order: "False, True" only confuses.
    """
    if quiz.shuffle and question.type != "truefalse":
        return random.sample(question.options, len(question.options))
    return question.options


def save_attempt(module_id: str, quiz: QuizText, key: str, grade: Grade, learner_id: int | None = None) -> QuizAttempt:
    """Store a graded attempt once per submission key; a resent form returns the first one.

    The attempt is the signed-in learner's, or, with `learner_id`, that learner's as recorded from paper by the
    signed-in teacher."""
    user_id = current_user.id if learner_id is None else learner_id
    existing = db.session.scalar(sa.select(QuizAttempt).filter_by(user_id=user_id, submission_key=key))
    if existing:
        return existing
    attempt = QuizAttempt(user_id=user_id, module_id=module_id, lang=quiz.lang, submission_key=key,
                          quiz_version=quiz.fingerprint, score=grade.score, total=grade.total,
                          percent=grade.percent, passed=grade.passed,
                          recorded_by_id=None if learner_id is None else current_user.id)
    attempt.answers = [QuizAnswer(question_id=r.question.id, chosen=",".join(sorted(r.chosen)),
                                  correct=r.correct) for r in grade.results]
    db.session.add(attempt)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()  # the same form arrived twice at once: keep the first
        attempt = db.session.scalar(sa.select(QuizAttempt).filter_by(user_id=user_id, submission_key=key))
        if attempt is None:
            raise
    return attempt


@bp.route("", methods=["GET", "POST"])
def take(module_id: str):
    """The quiz form; on submit, grade it and show (or, for a signed-in learner, save) the result."""
    module, quiz, fallback = quiz_or_404(module_id)
    chosen, missing, error = {}, {}, None
    if request.method == "POST":
        key = request.form.get("submission_key", "")
        chosen, missing, error = read_answers(quiz, request.form)
        if not SUBMISSION_KEY.fullmatch(key):
            error = forged_message()
        if request.form.get("quiz_version") != quiz.fingerprint:
            error = _("This quiz was changed after you opened it, so your answers could not be checked. "
                      "Please answer again.")
        if error:
            chosen = {}
        elif not missing:
            grade = grade_attempt(quiz, chosen)
            if current_user.is_authenticated:
                attempt = save_attempt(module.id, quiz, key, grade)
                return redirect(url_for("quiz.result", module_id=attempt.module_id, attempt_id=attempt.id))
            return render_template("quiz/result.html", module=module, quiz=quiz, grade=grade,
                                   fallback=fallback, attempt=None, summary=None)
    return render_template("quiz/take.html", module=module, quiz=quiz, fallback=fallback,
                           chosen=chosen, missing=missing, error=error, option_order=option_order,
                           field_name=field_name, submission_key=uuid.uuid4().hex), 400 if error else 200


@bp.get("/attempts/<int(max=2147483647):attempt_id>")  # the largest id PostgreSQL's integer holds
def result(module_id: str, attempt_id: int):
    """A saved attempt, with every question's explanations; only its learner may see it."""
    module, quiz, fallback = quiz_or_404(module_id)
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or not current_user.is_authenticated or attempt.user_id != current_user.id \
            or attempt.module_id != module.id:
        abort(404)
    answers = {answer.question_id: answer for answer in attempt.answers}
    grade = Grade(tuple(QuestionResult(q, frozenset(filter(None, answers[q.id].chosen.split(","))),
                                       answers[q.id].correct)
                        for q in quiz.questions if q.id in answers), quiz.pass_mark)
    return render_template("quiz/result.html", module=module, quiz=quiz, grade=grade, fallback=fallback,
                           attempt=attempt, summary=quiz_summaries(current_user.id).get(module.id))

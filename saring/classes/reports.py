"""What a teacher sees: the class grid, one learner's detail, item analysis, and CSV of both.

Every page loads what it shows in a fixed number of queries, whatever the size of the class.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from html import unescape

import sqlalchemy as sa
from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_babel import to_user_timezone

from ..accounts import User, role_required
from ..content import Module, get_library
from ..content.rules import TAG_NAMES
from ..extensions import db
from ..i18n import current_language, local_today
from ..learning import LessonProgress
from ..quizzes import QuizAnswer, QuizAttempt
from .csvfile import class_file_name, csv_response
from .models import Classroom, Membership
from .views import bp, member_or_404, own_class_or_404


@dataclass
class Cell:
    """One learner in one assigned module."""

    lessons_done: int = 0
    lessons_total: int = 0
    best: int | None = None
    passed: bool = False
    last_active: datetime | None = None
    has_quiz: bool = True
    due_date: date | None = None

    @property
    def finished(self) -> bool:
        """Every lesson done and the quiz, if there is one, passed."""
        return self.lessons_done == self.lessons_total and (self.passed or not self.has_quiz)

    def late(self, today: date) -> bool:
        """Not finished and past its due date."""
        return bool(self.due_date and self.due_date < today and not self.finished)


@dataclass
class Row:
    """One learner's line in the class report."""

    user: User
    cells: dict[str, Cell] = field(default_factory=dict)

    @property
    def last_active(self) -> datetime | None:
        """The learner's latest activity in any assigned module."""
        return max((cell.last_active for cell in self.cells.values() if cell.last_active), default=None)


def class_report(classroom: Classroom) -> tuple[list[Module], list[Row]]:
    """The assigned modules and one row per learner, in three queries (four with the users' roles)."""
    library = get_library()
    modules = [module for a in classroom.assignments if (module := library.module(a.module_id))]
    module_ids = [module.id for module in modules]
    users = db.session.scalars(sa.select(User).join(Membership, Membership.user_id == User.id)
                               .where(Membership.classroom_id == classroom.id)).all()
    members = [user.id for user in users]  # fixed now: a learner joining meanwhile waits for the next load
    due = {a.module_id: a.due_date for a in classroom.assignments}
    rows = {user.id: Row(user, {module.id: Cell(lessons_total=len(module.lessons), has_quiz=module.quiz is not None,
                                                due_date=due[module.id]) for module in modules})
            for user in users}
    lessons = {module.id: {lesson.id for lesson in module.lessons} for module in modules}
    done = db.session.execute(
        sa.select(LessonProgress.user_id, LessonProgress.module_id, LessonProgress.lesson_id,
                  LessonProgress.completed_at)
        .where(LessonProgress.user_id.in_(members), LessonProgress.module_id.in_(module_ids)))
    for user_id, module_id, lesson_id, completed_at in done:
        cell = rows[user_id].cells[module_id]
        if lesson_id in lessons[module_id]:  # a lesson since removed from the module no longer counts
            cell.lessons_done += 1
            cell.last_active = max(filter(None, (cell.last_active, completed_at)))
    quizzes = db.session.execute(
        sa.select(QuizAttempt.user_id, QuizAttempt.module_id, sa.func.max(QuizAttempt.percent),
                  sa.func.max(sa.cast(QuizAttempt.passed, sa.Integer)), sa.func.max(QuizAttempt.created_at))
        .where(QuizAttempt.user_id.in_(members), QuizAttempt.module_id.in_(module_ids))
        .group_by(QuizAttempt.user_id, QuizAttempt.module_id))
    for user_id, module_id, best, passed, latest in quizzes:
        cell = rows[user_id].cells[module_id]
        cell.best, cell.passed = best, bool(passed)
        cell.last_active = max(filter(None, (cell.last_active, latest)))
    return modules, list(rows.values())


def sort_rows(rows: list[Row], key: str, descending: bool) -> list[Row]:
    """Rows sorted by name, by last activity, or by progress in one module; ties by name, empty ones last."""
    def value(row: Row):
        if key == "last":
            return row.last_active
        if key in row.cells:
            cell = row.cells[key]
            started = cell.lessons_done or cell.best is not None
            return (cell.passed, cell.lessons_done, -1 if cell.best is None else cell.best) if started else None
        return row.user.name.casefold()
    by_name = sorted(rows, key=lambda row: row.user.name.casefold())
    filled = [row for row in by_name if value(row) is not None]
    return sorted(filled, key=value, reverse=descending) + [row for row in by_name if value(row) is None]


@dataclass
class Item:
    """How a class answered one question (first attempts)."""

    question_id: str
    number: int
    html: str
    correct_ids: frozenset[str] = frozenset()
    answered: int = 0
    correct: int = 0
    wrong_choices: Counter = field(default_factory=Counter)
    options: dict[str, str] = field(default_factory=dict)

    def add(self, chosen: str, correct: bool, learners: int = 1) -> None:
        """Count `learners` first answers that chose the options `chosen` ("a,c")."""
        self.answered += learners
        self.correct += learners * correct
        self.add_choices(chosen, learners)

    def add_choices(self, chosen: str, learners: int = 1) -> None:
        """Count the wrong options among `chosen` ("a,c") for `learners` first answers."""
        # each wrong option on its own: in "a,b" for a key of "a,c", only b was a wrong choice
        self.wrong_choices.update(dict.fromkeys(set(filter(None, chosen.split(","))) - self.correct_ids, learners))

    @property
    def share_correct(self) -> int | None:
        """Percentage of learners who answered it right, rounded down as quiz scores are."""
        return 100 * self.correct // self.answered if self.answered else None

    @property
    def most_chosen_wrong(self) -> tuple[str, int] | None:
        """The wrong option chosen most often, as its text, and by how many learners."""
        if not self.wrong_choices:
            return None
        option_id, count = self.wrong_choices.most_common(1)[0]
        return self.options.get(option_id, option_id), count


@dataclass(frozen=True)
class Skill:
    """How a class did on the questions of one skill tag (first attempts)."""

    tag: str
    right: int
    total: int

    @property
    def name(self) -> str:
        """The skill's name in the page's language (the tag itself only if the content check warned about it)."""
        return _(TAG_NAMES[self.tag]) if self.tag in TAG_NAMES else self.tag

    @property
    def share(self) -> float:
        """The share of answers right, from 0 to 1."""
        return self.right / self.total


def item_analysis(classroom: Classroom, module: Module) -> tuple[list[Item], list[Skill], int]:
    """Per question and per skill tag, from each learner's first attempt, in one query."""
    quiz = module.quiz.text(current_language())[0]
    first_attempts = (sa.select(sa.func.min(QuizAttempt.id))
                      .join(Membership, Membership.user_id == QuizAttempt.user_id)
                      .where(Membership.classroom_id == classroom.id, QuizAttempt.module_id == module.id)
                      .group_by(QuizAttempt.user_id).scalar_subquery())
    answers = db.session.execute(sa.select(QuizAnswer.attempt_id, QuizAnswer.question_id, QuizAnswer.chosen,
                                           QuizAnswer.correct).where(QuizAnswer.attempt_id.in_(first_attempts))
                                 .order_by(QuizAnswer.attempt_id, QuizAnswer.id))
    items = {q.id: Item(q.id, number, q.body_html, q.correct_ids, options={o.id: o.html for o in q.options})
             for number, q in enumerate(quiz.questions, 1)}
    learners = set()
    for attempt_id, question_id, chosen, correct in answers:
        learners.add(attempt_id)
        item = items.get(question_id)
        if item is None:  # a question since removed from the quiz
            continue
        item.add(chosen, correct)
    tags: dict[str, list[int]] = {}
    for question in quiz.questions:
        for tag in question.tags:
            totals = tags.setdefault(tag, [0, 0])
            totals[0] += items[question.id].correct
            totals[1] += items[question.id].answered
    mastery = sorted((Skill(tag, right, total) for tag, (right, total) in tags.items() if total),
                     key=lambda skill: skill.share)
    return list(items.values()), mastery, len(learners)


def class_module_or_404(classroom: Classroom, module_id: str) -> Module:
    """An assigned module of this class that has a quiz."""
    module = get_library().module(module_id)
    if module is None or module.quiz is None or module_id not in {a.module_id for a in classroom.assignments}:
        abort(404)
    return module


@bp.get("/classes/<int(max=2147483647):class_id>/report")
@role_required("teacher")
def report(class_id: int):
    """Learners × assigned modules: lessons done, best quiz score, passed, last active; sortable."""
    classroom = own_class_or_404(class_id)
    modules, rows = class_report(classroom)
    key = request.args.get("sort", "name")
    key = key if key in {"name", "last", *(m.id for m in modules)} else "name"
    descending = request.args.get("order") == "desc"
    return render_template("classes/report.html", classroom=classroom, modules=modules, today=local_today(),
                           rows=sort_rows(rows, key, descending), sort=key, descending=descending,
                           due={a.module_id: a.due_date for a in classroom.assignments})


@bp.get("/classes/<int(max=2147483647):class_id>/report.csv")
@role_required("teacher")
def report_csv(class_id: int):
    """The class report as CSV: one row per learner, the same figures as on screen."""
    classroom = own_class_or_404(class_id)
    modules, rows = class_report(classroom)
    header = [_("Name"), _("Username"), _("Last active")]
    for module in modules:
        title = module.title(current_language())
        header += [_("%(module)s: lessons done", module=title), _("%(module)s: lessons", module=title),
                   _("%(module)s: best quiz score (%%)", module=title), _("%(module)s: passed", module=title),
                   _("%(module)s: late", module=title)]
    lines, day = [], local_today()
    for row in sort_rows(rows, "name", False):
        last = to_user_timezone(row.last_active).strftime("%Y-%m-%d %H:%M") if row.last_active else ""
        line = [row.user.name, row.user.username, last]  # the time as the page shows it (Asia/Jakarta)
        for module in modules:
            cell = row.cells[module.id]
            line += [cell.lessons_done, cell.lessons_total, cell.best, cell.passed, cell.late(day)]
        lines.append(line)
    return csv_response(_("report-%(name)s.csv", name=class_file_name(classroom)), header, lines)


@bp.get("/classes/<int(max=2147483647):class_id>/learners/<int(max=2147483647):user_id>")
@role_required("teacher")
def learner(class_id: int, user_id: int):
    """One learner of the class: each assigned module's lessons and quiz attempts."""
    classroom = own_class_or_404(class_id)
    member = member_or_404(classroom, user_id)
    library = get_library()
    modules = [module for a in classroom.assignments if (module := library.module(a.module_id))]
    done = {(row.module_id, row.lesson_id): row.completed_at for row in db.session.scalars(
        sa.select(LessonProgress).filter_by(user_id=user_id))}
    attempts = db.session.scalars(sa.select(QuizAttempt).filter_by(user_id=user_id)
                                  .order_by(QuizAttempt.created_at.desc(), QuizAttempt.id.desc())).all()
    return render_template("classes/learner.html", classroom=classroom, learner=member.user, modules=modules,
                           done=done, attempts=attempts)


@bp.get("/classes/<int(max=2147483647):class_id>/modules/<module_id>/items")
@role_required("teacher")
def items(class_id: int, module_id: str):
    """Item analysis of an assigned module's quiz, with mastery per skill tag."""
    classroom = own_class_or_404(class_id)
    module = class_module_or_404(classroom, module_id)
    found, mastery, learners = item_analysis(classroom, module)
    return render_template("classes/items.html", classroom=classroom, module=module, items=found,
                           mastery=mastery, learners=learners)


@bp.get("/classes/<int(max=2147483647):class_id>/modules/<module_id>/items.csv")
@role_required("teacher")
def items_csv(class_id: int, module_id: str):
    """The item analysis as CSV."""
    classroom = own_class_or_404(class_id)
    module = class_module_or_404(classroom, module_id)
    found, _mastery, _learners = item_analysis(classroom, module)
    header = [_("Question"), _("Question id"), _("Question text"), _("Answered"), _("Right"),
              _("Share right (percent)"), _("Most chosen wrong answer"), _("Chosen by")]
    lines = []
    for item in found:
        wrong = item.most_chosen_wrong
        lines.append([item.number, item.question_id, plain_text(item.html), item.answered, item.correct,
                      item.share_correct, plain_text(wrong[0]) if wrong else "", wrong[1] if wrong else ""])
    return csv_response(_("items-%(name)s-%(module)s.csv", name=class_file_name(classroom), module=module.id),
                        header, lines)


def plain_text(html: str) -> str:
    """Question or option HTML as the text a spreadsheet shows, on one line."""
    return " ".join(unescape(HTML_TAG.sub("", BLOCK_END.sub(" ", html))).split())


BLOCK_END = re.compile(r"</(?:p|div|li|h\d|blockquote)>|<br\s*/?>", re.IGNORECASE)  # where a line ends
HTML_TAG = re.compile(r"<[^>]+>")

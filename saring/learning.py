"""Reading: home, module list, module and lesson pages, marking lessons done."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Mapped, mapped_column

from .classes.models import Assignment, Classroom, Membership
from .content import Lesson, Module, get_library
from .database import UNAVAILABLE, forget_failed_work, unavailable_reason, utcnow
from .discernment.views import next_sitting
from .extensions import db
from .i18n import LANG_PREFIX, current_language, local_today
from .pagecache import keep_not, kept_page, shown_to
from .quizzes import QuizSummary, quiz_summaries
from .reviews import due_count
from .security import SVG_POLICY

bp = Blueprint("learn", __name__)
MEDIA_MAX_AGE = 7 * 24 * 3600


@shown_to(lambda progress: [progress.user_id])
class LessonProgress(db.Model):
    """A lesson a learner has finished, keyed by content ids (not language or file position)."""

    __tablename__ = "lesson_progress"
    __table_args__ = (sa.UniqueConstraint("user_id", "module_id", "lesson_id"),
                      # the class report reads a class's rows from this index alone, never the scattered table rows
                      sa.Index("ix_lesson_progress_user_id_module_id", "user_id", "module_id", "lesson_id",
                               "completed_at"),
                      # the tallies' recount counts each lesson's learners from this index, not the whole table
                      sa.Index("ix_lesson_progress_module_id_lesson_id", "module_id", "lesson_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[str] = mapped_column(sa.String(64))
    lesson_id: Mapped[str] = mapped_column(sa.String(64))
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)


class LessonStart(db.Model):
    """A lesson a learner has opened, once: with their finished lessons, it tells editors where learners stop.

    Nothing a learner sees depends on it, so its rows renew no kept page."""

    __tablename__ = "lesson_starts"
    __table_args__ = (sa.UniqueConstraint("user_id", "module_id", "lesson_id"),
                      # the tallies' recount counts each lesson's learners from this index, not the whole table
                      sa.Index("ix_lesson_starts_module_id_lesson_id", "module_id", "lesson_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    module_id: Mapped[str] = mapped_column(sa.String(64))
    lesson_id: Mapped[str] = mapped_column(sa.String(64))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class ModuleProgress:
    """How far a learner is in one module."""

    module: Module
    done: frozenset[str]
    quiz: QuizSummary | None
    last_active: datetime | None

    @property
    def steps(self) -> int:
        """Lessons plus the quiz, if there is one."""
        return len(self.module.lessons) + (self.module.quiz is not None)

    @property
    def steps_done(self) -> int:
        """Lessons done plus the quiz, once passed."""
        lessons = sum(lesson.id in self.done for lesson in self.module.lessons)
        return lessons + bool(self.quiz and self.quiz.passed)

    @property
    def next_lesson(self) -> Lesson | None:
        """The first lesson not yet done."""
        return next((lesson for lesson in self.module.lessons if lesson.id not in self.done), None)


def learner_progress(modules: tuple[Module, ...]) -> list[ModuleProgress]:
    """Progress in every module for the current user, in two queries (none for visitors)."""
    done: dict[str, dict[str, datetime]] = {}
    quizzes: dict[str, QuizSummary] = {}
    if current_user.is_authenticated:
        rows = db.session.execute(
            sa.select(LessonProgress.module_id, LessonProgress.lesson_id, LessonProgress.completed_at)
            .where(LessonProgress.user_id == current_user.id))
        for module_id, lesson_id, completed_at in rows:
            done.setdefault(module_id, {})[lesson_id] = completed_at
        quizzes = quiz_summaries(current_user.id)
    progress = []
    for module in modules:
        lessons = done.get(module.id, {})
        quiz = quizzes.get(module.id)
        stamps = [*lessons.values(), *([quiz.latest_at] if quiz else [])]
        progress.append(ModuleProgress(module, frozenset(lessons), quiz, max(stamps, default=None)))
    return progress


STATUS_ORDER = ("late", "in progress", "not started", "done")


@dataclass(frozen=True)
class AssignedModule:
    """A module a learner's class assigned, with its due date and the learner's status."""

    progress: ModuleProgress
    due_date: date | None
    classes: tuple[str, ...]
    today: date

    @property
    def status(self) -> str:
        """late, in progress, not started or done."""
        if self.progress.steps and self.progress.steps_done == self.progress.steps:
            return "done"
        if self.due_date and self.due_date < self.today:
            return "late"
        return "in progress" if self.progress.last_active else "not started"


def assigned_modules(progress: list[ModuleProgress]) -> list[AssignedModule]:
    """The signed-in learner's assigned modules, most urgent first, in one query."""
    if not current_user.is_authenticated:
        return []
    rows = db.session.execute(
        sa.select(Assignment.module_id, Assignment.due_date, Classroom.name)
        .join(Classroom, Classroom.id == Assignment.classroom_id)
        .join(Membership, Membership.classroom_id == Classroom.id)
        .where(Membership.user_id == current_user.id).order_by(Classroom.name))
    due: dict[str, date | None] = {}
    classes: dict[str, list[str]] = {}
    for module_id, due_date, class_name in rows:
        earlier = due.get(module_id)
        due[module_id] = min(filter(None, (earlier, due_date)), default=None)
        classes.setdefault(module_id, []).append(class_name)
    today = local_today()
    assigned = [AssignedModule(item, due[item.module.id], tuple(classes[item.module.id]), today)
                for item in progress if item.module.id in due]
    return sorted(assigned, key=lambda a: (STATUS_ORDER.index(a.status), a.due_date or date.max))


def where_to_continue(progress: list[ModuleProgress]) -> tuple[str, Module, Lesson | None] | None:
    """The next step: ("start"|"continue"|"quiz", module, lesson), or None when all is done."""
    active = [p for p in progress if p.last_active]
    start = progress.index(max(active, key=lambda p: p.last_active)) if active else 0
    for item in progress[start:] + progress[:start]:
        if item.next_lesson:
            return ("continue" if active else "start"), item.module, item.next_lesson
        if active and item.module.quiz and not (item.quiz and item.quiz.passed):
            return "quiz", item.module, None
    return None


def get_module_or_404(module_id: str) -> Module:
    """The module with this id, or a 404 page."""
    module = get_library().module(module_id)
    if module is None:
        abort(404)
    return module


def get_lesson_or_404(module_id: str, lesson_id: str) -> tuple[Module, Lesson]:
    """The module and its lesson with these ids, or a 404 page."""
    module = get_module_or_404(module_id)
    return module, module.lesson(lesson_id) or abort(404)


def lesson_marks(module: Module, lesson: Lesson) -> tuple[bool, bool]:
    """Whether the signed-in learner finished this lesson, and whether they opened it, in one query."""
    def has(model):
        return sa.exists().where(model.user_id == current_user.id, model.module_id == module.id,
                                 model.lesson_id == lesson.id)
    done, opened = db.session.execute(sa.select(has(LessonProgress), has(LessonStart))).one()
    return bool(done), bool(opened)


def note_start(module: Module, lesson: Lesson) -> None:
    """Record that the signed-in learner opened this lesson (they had not), in a transaction of its own."""
    db.session.add(LessonStart(user_id=current_user.id, module_id=module.id, lesson_id=lesson.id))
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()  # opened on two devices at once: one row is enough


def count_opening(module: Module, lesson: Lesson) -> None:
    """The lesson page, shown to a signed-in learner: record that they opened it, if the browser navigated here.

    A module saved for offline fetches its lessons unopened (browsers say so in Sec-Fetch-Mode; a request
    without it, from an older browser, counts as opened); that page is not kept, so opening the lesson later
    runs the view and counts. A failed write is logged and the lesson served: only the editors' count misses it.
    """
    if request.headers.get("Sec-Fetch-Mode", "navigate") != "navigate":
        keep_not()
        return
    try:
        note_start(module, lesson)
    except UNAVAILABLE as error:
        forget_failed_work()
        current_app.logger.warning("lesson opened, not recorded", extra={"fields": {
            "exception": type(error).__name__, "reason": unavailable_reason(error)}})


@bp.get(f"{LANG_PREFIX}/")
@kept_page
def home():
    """Where to continue, then the modules."""
    progress = learner_progress(get_library().modules)
    assigned = assigned_modules(progress)
    reviews = due_count(current_user.id) if current_user.is_authenticated else 0
    return render_template("learn/home.html", progress=progress, next_step=where_to_continue(progress),
                           assigned=assigned, check=check_invitation(assigned), reviews=reviews,
                           paths=get_library().paths)


def check_invitation(assigned: list[AssignedModule]) -> str | None:
    """Which discernment check to offer on the home page: "before" until it is taken, "after" once every
    assigned module is done; None when there is no check or nothing to offer yet."""
    if not get_library().checks:
        return None
    upcoming = next_sitting(current_user.id if current_user.is_authenticated else None)
    if upcoming is None:
        return None
    if upcoming[0] == "before":
        return "before"
    return "after" if assigned and all(item.status == "done" for item in assigned) else None


@bp.get(f"{LANG_PREFIX}/paths/<path_id>")
@kept_page
def learning_path(path_id: str):
    """A learning path: its lessons from several modules, in order, each marked when done."""
    library = get_library()
    found = library.learning_path(path_id) or abort(404)
    text, fallback = found.text(current_language())
    progress = {item.module.id: item for item in learner_progress(library.modules)}
    steps = [(library.module(module_id), lesson_id) for module_id, lesson_id in text.steps]
    steps = [(module, module.lesson(lesson_id)) for module, lesson_id in steps if module and module.lesson(lesson_id)]
    done = [lesson.id in progress[module.id].done for module, lesson in steps]
    upcoming = next((step for step, finished in zip(steps, done, strict=True) if not finished), None)
    return render_template("learn/path.html", found=found, text=text, fallback=fallback,
                           steps=list(zip(steps, done, strict=True)), upcoming=upcoming)


@bp.get(f"{LANG_PREFIX}/modules")
@kept_page
def modules():
    """Every module with its progress bar."""
    return render_template("learn/modules.html", progress=learner_progress(get_library().modules))


@bp.get(f"{LANG_PREFIX}/modules/<module_id>")
@kept_page
def module(module_id: str):
    """A module's lessons and quiz."""
    found = get_module_or_404(module_id)
    progress = learner_progress((found,))[0]
    return render_template("learn/module.html", module=found, progress=progress)


@bp.get(f"{LANG_PREFIX}/modules/<module_id>/<lesson_id>")
@kept_page
def lesson(module_id: str, lesson_id: str):
    """A lesson, with previous/next and "done"."""
    found, current = get_lesson_or_404(module_id, lesson_id)
    text, fallback = current.text(current_language())
    before, after = found.neighbours(current)
    is_done, opened = lesson_marks(found, current) if current_user.is_authenticated else (False, False)
    if current_user.is_authenticated and not opened:
        count_opening(found, current)
    return render_template("learn/lesson.html", module=found, lesson=current, text=text,
                           fallback=fallback, before=before, after=after, is_done=is_done)


@bp.post(f"{LANG_PREFIX}/modules/<module_id>/<lesson_id>/done")
def mark_done(module_id: str, lesson_id: str):
    """Record the lesson as done (once), then go to the next step, which says so."""
    found, current = get_lesson_or_404(module_id, lesson_id)
    if not current_user.is_authenticated:  # after logging in, come back to the lesson (a page, not this POST)
        return redirect(url_for("accounts.login", next=url_for("learn.lesson", module_id=found.id,
                                                                lesson_id=current.id)))
    done, opened = lesson_marks(found, current)
    if not done:
        if not opened:  # read from a copy saved for offline, perhaps, and never opened online
            note_start(found, current)
        db.session.add(LessonProgress(user_id=current_user.id, module_id=found.id, lesson_id=current.id))
        try:
            db.session.commit()
        except sa.exc.IntegrityError:
            db.session.rollback()  # the same lesson marked done twice at once: one row is enough
    flash(_("Lesson marked as done: %(lesson)s", lesson=current.text(current_language())[0].title), "success")
    after = found.neighbours(current)[1]
    if after:
        return redirect(url_for("learn.lesson", module_id=found.id, lesson_id=after.id))
    if found.quiz:
        return redirect(url_for("quiz.take", module_id=found.id))
    return redirect(url_for("learn.module", module_id=found.id))


@bp.get("/media/<module_id>/<path:filename>")
def media(module_id: str, filename: str):
    """An image used by a lesson; only files the content refers to are served."""
    path = get_library().media.get(f"{module_id}/{filename}")
    if path is None:
        abort(404)
    response = Response(Path(path).read_bytes(), mimetype=mimetypes.guess_type(path)[0])
    response.cache_control.public = True
    response.cache_control.max_age = MEDIA_MAX_AGE
    response.add_etag()
    response.make_conditional(request)
    # an SVG opened on its own must not run anything, whatever an editor put in it
    response.headers["Content-Security-Policy"] = SVG_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response

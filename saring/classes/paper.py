"""Classes without enough phones: a printable worksheet and a teacher's answer key per module, and quizzes
answered on paper that the class's teacher records for a learner, graded and saved like an online attempt."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, SelectField
from wtforms.validators import ValidationError

from ..accounts import User, role_required
from ..content import get_library
from ..content.rules import last_action
from ..extensions import db
from ..i18n import current_language
from ..quizzes import SUBMISSION_KEY, forged_message, grade_attempt, read_answers, save_attempt
from .models import Classroom, Membership
from .views import bp, own_class_or_404

WRITING_LINES = 3  # ruled lines under each lesson's closing action, for the learner's answer


@dataclass(frozen=True)
class KeyPoint:
    """What a worksheet keeps of a lesson: its title, its summary and the action it closes with."""

    title: str
    summary: str
    action_html: Markup | None


def key_points(module) -> list[KeyPoint]:
    """Each lesson of `module` in the reader's language, as a worksheet shows it."""
    points = []
    for lesson in module.lessons:
        text, _fallback = lesson.text(current_language())
        found = last_action(text.html)
        points.append(KeyPoint(text.title, text.summary, Markup(text.html[slice(*found)]) if found else None))
    return points


def module_and_quiz_or_404(class_id: int, module_id: str):
    """The teacher's own class, a module and its quiz in the reader's language (and whether it fell back)."""
    classroom = own_class_or_404(class_id)
    module = get_library().module(module_id)
    if module is None or module.quiz is None:
        abort(404)
    quiz, fallback = module.quiz.text(current_language())
    return classroom, module, quiz, fallback


@bp.get("/classes/<int(max=2147483647):class_id>/modules/<module_id>/worksheet")
@role_required("teacher")
def worksheet(class_id: int, module_id: str):
    """A module to print for learners without a phone: its key points and its quiz, without any answer."""
    classroom, module, quiz, fallback = module_and_quiz_or_404(class_id, module_id)
    return render_template("classes/worksheet.html", classroom=classroom, module=module, quiz=quiz,
                           fallback=fallback, points=key_points(module), writing_lines=WRITING_LINES)


@bp.get("/classes/<int(max=2147483647):class_id>/modules/<module_id>/answer-key")
@role_required("teacher")
def answer_key(class_id: int, module_id: str):
    """The worksheet's quiz with its right answers marked and every option's explanation, for the teacher."""
    classroom, module, quiz, fallback = module_and_quiz_or_404(class_id, module_id)
    return render_template("classes/answer_key.html", classroom=classroom, module=module, quiz=quiz,
                           fallback=fallback)


class PaperForm(FlaskForm):
    """Whose paper is being recorded; the ticks themselves are the quiz's own fields (`q1`, `q2`…)."""

    learner = SelectField(_l("Learner"), validate_choice=False)  # checked below, with a message of our own
    blanks = BooleanField(_l("The learner left some questions blank: record them as wrong"))

    def __init__(self, members: list[User], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.learner.choices = [("", _("Choose a learner"))] + [(str(user.id), user.name) for user in members]

    def validate_learner(self, field) -> None:
        """A learner of this class, and no one else."""
        if not field.data or field.data not in dict(field.choices[1:]):
            raise ValidationError(_("Choose a learner of this class."))


def class_learners(classroom: Classroom) -> list[User]:
    """The class's learners by name, in one query."""
    users = db.session.scalars(sa.select(User).join(Membership, Membership.user_id == User.id)
                               .where(Membership.classroom_id == classroom.id)).all()
    return sorted(users, key=lambda user: user.name.casefold())


def paper_page(classroom, module, quiz, fallback, form, chosen=None, missing=None, error=None, status=200):
    """The form that records a learner's paper answers, with a new submission key."""
    return render_template("classes/paper.html", classroom=classroom, module=module, quiz=quiz, fallback=fallback,
                           form=form, chosen=chosen or {}, missing=missing or {}, error=error,
                           submission_key=uuid.uuid4().hex), status


@bp.get("/classes/<int(max=2147483647):class_id>/modules/<module_id>/paper")
@role_required("teacher")
def paper_quiz(class_id: int, module_id: str):
    """Choose a learner and tick what they ticked on paper."""
    classroom, module, quiz, fallback = module_and_quiz_or_404(class_id, module_id)
    form = PaperForm(class_learners(classroom), formdata=None)
    return paper_page(classroom, module, quiz, fallback, form)


@bp.post("/classes/<int(max=2147483647):class_id>/modules/<module_id>/paper")
@role_required("teacher")
def record_paper(class_id: int, module_id: str):
    """Grade a learner's paper answers as the online quiz does and save them as their attempt, once per form."""
    classroom, module, quiz, fallback = module_and_quiz_or_404(class_id, module_id)
    form = PaperForm(class_learners(classroom))
    key = request.form.get("submission_key", "")
    ticks = MultiDict([(name, value) for name, value in request.form.items(multi=True)
                       if name not in form._fields])  # the quiz's own fields, read by the quiz's reader
    chosen, missing, error = read_answers(quiz, ticks)
    if not SUBMISSION_KEY.fullmatch(key):
        error = forged_message()
    elif request.form.get("quiz_version") != quiz.fingerprint:
        error = _("This quiz was changed after you opened this page, so these answers could not be recorded. "
                  "Please tick them again.")
    valid = form.validate()
    if error:
        return paper_page(classroom, module, quiz, fallback, form, error=error, status=400)
    if not valid or (missing and not form.blanks.data):
        return paper_page(classroom, module, quiz, fallback, form, chosen, missing, status=400)
    attempt = save_attempt(module.id, quiz, key, grade_attempt(quiz, chosen), learner_id=int(form.learner.data))
    name = dict(form.learner.choices)[str(attempt.user_id)]
    figures = {"name": name, "score": format_decimal(attempt.score), "total": format_decimal(attempt.total),
               "percent": format_percent(attempt.percent / 100)}
    flash(_("Recorded for %(name)s: %(score)s of %(total)s right (%(percent)s), passed.", **figures)
          if attempt.passed else
          _("Recorded for %(name)s: %(score)s of %(total)s right (%(percent)s), not passed yet.", **figures),
          "success")
    return redirect(url_for("classes.paper_quiz", class_id=classroom.id, module_id=module.id))

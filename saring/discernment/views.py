"""Taking the discernment check and reading its result: every card rated genuine or false, then explained."""

from __future__ import annotations

import re
import uuid
from collections import Counter

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..content import get_library
from ..content.model import CheckFormText
from ..content.rules import CHECK_FORMS
from ..extensions import db
from ..i18n import LANG_PREFIX, current_language
from .models import PHASES, CheckAnswer, CheckSitting
from .scoring import Discernment, score

bp = Blueprint("discernment", __name__, url_prefix=f"{LANG_PREFIX}/check")
SUBMISSION_KEY = re.compile(r"[0-9a-f]{32}")
ANSWERS = ("genuine", "false")


def field_name(position: int) -> str:
    """The form field of the card at `position` (1, 2, …), never its id, which may hint at the truth."""
    return f"m{position}"


def sittings_of(user_id: int) -> dict[str, CheckSitting]:
    """A learner's latest sitting in each phase."""
    rows = db.session.scalars(sa.select(CheckSitting).where(CheckSitting.user_id == user_id)
                              .order_by(CheckSitting.id))
    return {sitting.phase: sitting for sitting in rows}


def next_sitting(user_id: int | None) -> tuple[str, str] | None:
    """The phase and form a learner takes next (None: both taken); visitors take the first form, unsaved.

    Which form comes first alternates between learners, so that across a class each form is taken
    before as often as after, and a difference between the forms does not pass for learning."""
    if user_id is None:
        return PHASES[0], CHECK_FORMS[0]
    taken = sittings_of(user_id)
    first = CHECK_FORMS[user_id % len(CHECK_FORMS)]
    second = next(form for form in CHECK_FORMS if form != first)
    if PHASES[0] not in taken:
        return PHASES[0], first
    if PHASES[1] not in taken:
        return PHASES[1], second
    return None


def form_text(form_id: str) -> tuple[CheckFormText, bool]:
    """A form of the check in the reader's language (and whether it fell back), or 404."""
    form = get_library().check_form(form_id)
    if form is None:
        abort(404)
    return form.text(current_language())


def read_answers(text: CheckFormText, form) -> tuple[dict[str, bool], list[int], bool]:
    """The answers in a submitted form (item id -> said false), the positions left unanswered, and whether it
    was forged (a field or a value that is not in the form)."""
    known = {field_name(n) for n in range(1, len(text.items) + 1)} | {"csrf_token", "submission_key",
                                                                       "form_version", "form_id"}
    if any(key not in known for key in form):
        return {}, [], True
    answers, missing = {}, []
    for position, item in enumerate(text.items, 1):
        values = form.getlist(field_name(position))
        if len(values) > 1 or (values and values[0] not in ANSWERS):
            return {}, [], True
        if values:
            answers[item.id] = values[0] == "false"
        else:
            missing.append(position)
    return answers, missing, False


def result_of(text: CheckFormText, answers: dict[str, bool]) -> Discernment:
    """The score of a complete set of answers."""
    return score([item.genuine for item in text.items], [answers[item.id] for item in text.items])


@bp.route("", methods=["GET", "POST"])
def take():
    """The check: every card, each to be rated genuine or false; on submit, the score and the explanations."""
    user_id = current_user.id if current_user.is_authenticated else None
    key = request.form.get("submission_key", "")
    if request.method == "POST" and user_id is not None and SUBMISSION_KEY.fullmatch(key):
        sent = db.session.scalar(sa.select(CheckSitting.id).filter_by(user_id=user_id, submission_key=key))
        if sent is not None:  # a form sent again (a slow connection, the back button): its first result
            return redirect(url_for("discernment.result", sitting_id=sent))
    upcoming = next_sitting(user_id)
    if upcoming is None:
        return render_template("discernment/done.html", sittings=sittings_of(user_id))
    phase, form_id = upcoming
    text, fallback = form_text(form_id)
    answers, missing, error = {}, [], None
    if request.method == "POST":
        answers, missing, forged = read_answers(text, request.form)
        if forged or not SUBMISSION_KEY.fullmatch(key) or request.form.get("form_id") != form_id:
            error, answers = _("This form contained answers that are not part of this check. Please answer again."), {}
        elif request.form.get("form_version") != text.fingerprint:
            error, answers = _("This check was changed after you opened it, so your answers could not be read. "
                               "Please answer again."), {}
        elif not missing:
            if user_id is None:
                return render_template("discernment/result.html", text=text, answers=answers,
                                       result=result_of(text, answers), sitting=None, phase=phase,
                                       fooled=fooled_by(text, answers))
            sitting = save_sitting(user_id, phase, form_id, text, answers, key)
            return redirect(url_for("discernment.result", sitting_id=sitting.id))
    return render_template("discernment/take.html", text=text, fallback=fallback, phase=phase, form_id=form_id,
                           answers=answers, missing=missing, error=error, field_name=field_name,
                           submission_key=uuid.uuid4().hex), 400 if error or missing else 200


def save_sitting(user_id: int, phase: str, form_id: str, text: CheckFormText, answers: dict[str, bool],
                 key: str) -> CheckSitting:
    """Keep a sitting once per submission key; a resent form returns the first."""
    existing = db.session.scalar(sa.select(CheckSitting).filter_by(user_id=user_id, submission_key=key))
    if existing:
        return existing
    result = result_of(text, answers)
    sitting = CheckSitting(user_id=user_id, form_id=form_id, phase=phase, lang=text.lang, submission_key=key,
                           caught=result.caught, false_items=result.false_items, trusted=result.trusted,
                           genuine_items=result.genuine_items)
    sitting.answers = [CheckAnswer(item_id=item.id, said_false=answers[item.id],
                                   correct=answers[item.id] != item.genuine) for item in text.items]
    db.session.add(sitting)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()  # the same form twice at once: keep the first
        sitting = db.session.scalar(sa.select(CheckSitting).filter_by(user_id=user_id, submission_key=key))
        if sitting is None:
            raise
    return sitting


def fooled_by(text: CheckFormText, answers: dict[str, bool]) -> list[tuple[str, int]]:
    """The techniques of the false items called genuine, most often first."""
    counts = Counter(item.technique for item in text.items if not item.genuine and not answers.get(item.id, True))
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))


@bp.get("/sittings/<int(max=2147483647):sitting_id>")
def result(sitting_id: int):
    """A saved sitting: the score in plain words, the techniques that fooled the learner, every explanation."""
    sitting = db.session.get(CheckSitting, sitting_id)
    if sitting is None or not current_user.is_authenticated or sitting.user_id != current_user.id:
        abort(404)
    text, _fallback = form_text(sitting.form_id)
    answers = {answer.item_id: answer.said_false for answer in sitting.answers}
    return render_template("discernment/result.html", text=text, answers=answers, result=sitting.score,
                           sitting=sitting, phase=sitting.phase, fooled=fooled_by(text, answers))

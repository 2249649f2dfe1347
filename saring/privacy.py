"""A learner's own data (UU PDP 27/2022): download all of it as JSON, or delete the account and all of it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload, selectinload
from wtforms import PasswordField
from wtforms.validators import DataRequired

from .accounts import User, UserRole
from .classes.models import Classroom, Membership
from .content import get_library
from .discernment.models import CheckSitting
from .editing.models import ContentRevision
from .extensions import db
from .i18n import LANG_PREFIX, current_language, local_today
from .learning import LessonProgress, LessonStart
from .limits import give_back_password_tries, take_password_try
from .quizzes import QuizAttempt
from .reviews import ReviewCard
from .sessions import devices_of, end_session

bp = Blueprint("privacy", __name__, url_prefix=LANG_PREFIX)


class DeleteAccountForm(FlaskForm):
    """The account's password, typed again to show it is really its owner who deletes it."""

    password = PasswordField(_l("Your password"), validators=[DataRequired(_l("Type your password to confirm."))])


def stamp(moment: datetime | None) -> str | None:
    """A stored (UTC) time as ISO 8601 with its zone."""
    return moment.replace(tzinfo=UTC).isoformat() if moment else None


def module_title(module_id: str) -> str | None:
    """A module's title in the reader's language, if the module still exists."""
    module = get_library().module(module_id)
    return module.title(current_language()) if module else None


def data_of(user: User) -> dict:
    """Everything Saring keeps about `user`, never the password hash, a sign-in's key or page counters, in a
    fixed number of queries however much there is."""
    progress = db.session.scalars(sa.select(LessonProgress).filter_by(user_id=user.id)
                                  .order_by(LessonProgress.completed_at, LessonProgress.id)).all()
    opened = db.session.scalars(sa.select(LessonStart).filter_by(user_id=user.id)
                                .order_by(LessonStart.started_at, LessonStart.id)).all()
    attempts = db.session.scalars(sa.select(QuizAttempt).filter_by(user_id=user.id)
                                  .options(selectinload(QuizAttempt.answers), selectinload(QuizAttempt.recorded_by))
                                  .order_by(QuizAttempt.created_at, QuizAttempt.id)).all()
    classes = db.session.execute(sa.select(Classroom, Membership.joined_at)
                                 .join(Membership, Membership.classroom_id == Classroom.id)
                                 .options(joinedload(Classroom.teacher))
                                 .where(Membership.user_id == user.id).order_by(Membership.joined_at)).all()
    taught = db.session.execute(sa.select(Classroom, sa.func.count(Membership.id))
                                .outerjoin(Membership, Membership.classroom_id == Classroom.id)
                                .where(Classroom.teacher_id == user.id).group_by(Classroom.id)
                                .order_by(Classroom.created_at, Classroom.id)).all()
    checks = db.session.scalars(sa.select(CheckSitting).filter_by(user_id=user.id)
                                .options(selectinload(CheckSitting.answers)).order_by(CheckSitting.id)).all()
    cards = db.session.scalars(sa.select(ReviewCard).filter_by(user_id=user.id).order_by(ReviewCard.id)).all()
    edits = db.session.execute(sa.select(ContentRevision.path, ContentRevision.message, ContentRevision.created_at,
                                         ContentRevision.published_at).where(ContentRevision.author_id == user.id)
                               .order_by(ContentRevision.id)).all()
    return {
        "about": _("Everything Saring keeps about your account, downloaded on %(date)s.",
                   date=local_today().isoformat()),
        "account": {"username": user.username, "display_name": user.display_name, "email": user.email,
                    "language": user.locale, "created_at": stamp(user.created_at)},
        "roles": ["learner", *sorted(granted.role for granted in user.roles)],
        "lessons_done": [{"module_id": row.module_id, "module": module_title(row.module_id),
                          "lesson_id": row.lesson_id, "completed_at": stamp(row.completed_at)} for row in progress],
        # lessons opened while signed in (once each): the item report counts them, never who opened them
        "lessons_opened": [{"module_id": row.module_id, "module": module_title(row.module_id),
                            "lesson_id": row.lesson_id, "opened_at": stamp(row.started_at)} for row in opened],
        "quiz_attempts": [{
            "id": attempt.id, "module_id": attempt.module_id, "module": module_title(attempt.module_id),
            "language": attempt.lang, "score": attempt.score, "total": attempt.total, "percent": attempt.percent,
            "passed": attempt.passed, "created_at": stamp(attempt.created_at),
            # answered on paper and recorded by a teacher (whose name is gone with their account)
            "on_paper": attempt.recorded_by_id is not None,
            "recorded_by": attempt.recorded_by.name if attempt.recorded_by else None,
            "answers": [{"question_id": answer.question_id, "chosen": answer.chosen, "correct": answer.correct}
                        for answer in attempt.answers],
        } for attempt in attempts],
        "devices": [{"device": sign_in.device, "signed_in_at": stamp(sign_in.created_at),
                     "last_used_at": stamp(sign_in.last_seen_at)} for sign_in in devices_of(user.id)],
        "classes": [{"name": classroom.name, "school": classroom.school, "grade": classroom.grade,
                     "teacher": classroom.teacher.name, "joined_at": stamp(joined_at)}
                    for classroom, joined_at in classes],
        # a teacher's own classes: their names, never the learners in them (that is the learners' data)
        "classes_taught": [{"name": classroom.name, "school": classroom.school, "grade": classroom.grade,
                            "created_at": stamp(classroom.created_at), "learners": learners}
                           for classroom, learners in taught],
        "discernment_checks": [{
            "form": sitting.form_id, "phase": sitting.phase, "language": sitting.lang,
            "hoaxes_caught": sitting.caught, "false_messages": sitting.false_items,
            "genuine_trusted": sitting.trusted, "genuine_messages": sitting.genuine_items,
            "discernment": round(sitting.score.d_prime, 2), "bias": round(sitting.score.bias, 2),
            "taken_at": stamp(sitting.created_at),
            "answers": [{"item_id": answer.item_id, "said": "false" if answer.said_false else "genuine",
                         "right": answer.correct} for answer in sitting.answers],
        } for sitting in checks],
        "reviews": [{"kind": card.kind, "module_id": card.module_id, "id": card.ref, "due": stamp(card.due),
                     "last_review": stamp(card.last_review), "reviews": card.reviews} for card in cards],
        # an editor's revisions in the workspace: which file, when, and the message (the texts are content)
        "content_revisions": [{"path": path, "message": message, "saved_at": stamp(saved_at),
                               "published_at": stamp(published_at)}
                              for path, message, saved_at, published_at in edits],
    }


@bp.get("/account/data.json")
@login_required
def export_data():
    """Download everything Saring keeps about the signed-in account, as a JSON file."""
    user = current_user._get_current_object()
    body = json.dumps(data_of(user), ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers.set("Content-Disposition", "attachment",
                         filename=f"saring-{user.username}-{local_today().isoformat()}.json")
    response.cache_control.no_store = True  # a shared phone or a proxy keeps no copy
    response.cache_control.private = True
    return response


def is_last_admin(user: User) -> bool:
    """Whether `user` is the only admin, so deleting them would leave no one to manage Saring."""
    if not user.has_role("admin"):
        return False
    others = db.session.scalar(sa.select(sa.func.count(UserRole.id))
                               .where(UserRole.role == "admin", UserRole.user_id != user.id))
    return others == 0


def delete_everything_of(user: User) -> None:
    """Delete `user` and every row of theirs through the ORM, so the pages of everyone who saw them renew.

    A teacher's classes go too; their learners keep their accounts and progress.
    """
    taught = db.session.scalars(sa.select(Classroom).filter_by(teacher_id=user.id)).all()
    memberships = db.session.scalars(sa.select(Membership).where(sa.or_(
        Membership.user_id == user.id, Membership.classroom_id.in_([classroom.id for classroom in taught])))).all()
    progress = db.session.scalars(sa.select(LessonProgress).filter_by(user_id=user.id)).all()
    attempts = db.session.scalars(sa.select(QuizAttempt).filter_by(user_id=user.id)
                                  .options(selectinload(QuizAttempt.answers))).all()
    for row in (*memberships, *progress, *attempts):  # answers go with their attempts
        db.session.delete(row)
    db.session.flush()  # rows that point at the classes and the account go first
    for classroom in taught:  # assignments go with their class
        db.session.delete(classroom)
    db.session.flush()
    db.session.delete(user)  # roles go with the account
    db.session.flush()


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    """What deleting the account removes, and the form to do it, confirmed by the password."""
    user = current_user._get_current_object()
    form = DeleteAccountForm()
    last_admin = is_last_admin(user)
    if form.validate_on_submit() and not last_admin:
        take_password_try(user.username)  # an open session is no way round the login limit
        if not user.check_password(form.password.data):
            form.password.errors.append(_("This is not your password. Nothing has been deleted."))
        else:
            give_back_password_tries(user.username)
            if delete_unless_last_admin(user):
                end_session()
                flash(_("Your account has been deleted, with your progress, quiz results and classes. "
                        "Thank you for learning with Saring."), "success")
                return redirect(url_for("learn.home"))
            last_admin = True
    classes_taught = db.session.scalar(sa.select(sa.func.count(Classroom.id)).filter_by(teacher_id=user.id))
    edited = db.session.scalar(sa.select(sa.func.count(ContentRevision.id)).filter_by(author_id=user.id))
    return render_template("privacy/delete.html", form=form, last_admin=last_admin, classes_taught=classes_taught,
                           edited=edited)


def delete_unless_last_admin(user: User) -> bool:
    """Delete the account and commit, unless that would leave no admin (then nothing changes)."""
    admin = user.has_role("admin")
    if admin:  # two admins deleting themselves at once: PostgreSQL makes the second wait here
        db.session.execute(sa.select(UserRole.id).where(UserRole.role == "admin").with_for_update()).all()
    delete_everything_of(user)
    # counted once the rows are gone, in the same transaction (on SQLite it holds the write lock by now)
    if admin and not db.session.scalar(sa.select(sa.func.count(UserRole.id)).where(UserRole.role == "admin")):
        db.session.rollback()
        return False
    db.session.commit()
    return True

"""Teachers' class pages (create, join code, assignments, removing a learner) and learners joining and
leaving a class."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError

from ..accounts import no_control_characters, role_required
from ..content import get_library
from ..extensions import db
from ..i18n import LANG_PREFIX, current_language
from .models import JOIN_CODE_LENGTH, Assignment, Classroom, Membership, new_join_code, normalise_join_code
from .qr import join_link, join_qr

bp = Blueprint("classes", __name__, url_prefix=LANG_PREFIX)


def stripped(value: str | None) -> str | None:
    """Form text without surrounding spaces."""
    return value.strip() if value else value


class ClassForm(FlaskForm):
    """A new class."""

    name = StringField(_l("Class name"), filters=[stripped], validators=[
        DataRequired(_l("Give the class a name.")),
        Length(max=80, message=_l("Use at most %(max)d characters.")), no_control_characters])
    school = StringField(_l("School (optional)"), filters=[stripped], validators=[
        Optional(), Length(max=120, message=_l("Use at most %(max)d characters.")), no_control_characters])
    grade = StringField(_l("Grade (optional)"), filters=[stripped], validators=[
        Optional(), Length(max=20, message=_l("Use at most %(max)d characters.")), no_control_characters])


class JoinForm(FlaskForm):
    """The code a teacher gave out."""

    # No maxlength on the input: "ABC-DEF" or "abc def" is fine and is counted once normalised.
    code = StringField(_l("Join code"), filters=[lambda v: normalise_join_code(v) if v else v],
                       render_kw={"autocapitalize": "characters", "spellcheck": "false"},
                       validators=[DataRequired(_l("Type the code your teacher gave you."))])

    def validate_code(self, field) -> None:
        """Six letters and numbers, once spaces and dashes are gone."""
        if len(field.data) != JOIN_CODE_LENGTH:
            raise ValidationError(_l("A join code has 6 letters and numbers."))


class DueDateField(DateField):
    """A date field whose parse error is in the reader's language (WTForms has no Indonesian)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Use a date such as 31/12/2026.")) from None
        if self.data and not 2000 <= self.data.year <= 2100:  # 0226 for 2026 is a slip, not a plan
            self.data = None
            raise ValueError(_("Use a date such as 31/12/2026."))


class AssignmentForm(FlaskForm):
    """A module for the class, and when it is due."""

    module = SelectField(_l("Module"), validate_choice=False)
    # a phone's date picker sends 2026-12-31; someone typing writes 31/12/2026
    due_date = DueDateField(_l("Due date (optional)"), format=["%Y-%m-%d", "%d/%m/%Y"], validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        modules = get_library().modules
        self.module.choices = [(module.id, module.title(current_language())) for module in modules]
        self.module.validators = [AnyOf([module.id for module in modules], message=_l("Choose a module."))]


def own_class_or_404(class_id: int) -> Classroom:
    """A class of the signed-in teacher; any other class does not exist for them."""
    classroom = db.session.get(Classroom, class_id)
    if classroom is None or classroom.teacher_id != current_user.id:
        abort(404)
    return classroom


def member_or_404(classroom: Classroom, user_id: int) -> Membership:
    """A learner's membership of this class; anyone else does not exist here."""
    member = db.session.scalar(sa.select(Membership).filter_by(classroom_id=classroom.id, user_id=user_id))
    if member is None:
        abort(404)
    return member


def unique_join_code() -> str:
    """A join code no class uses yet."""
    while True:
        code = new_join_code()
        if db.session.scalar(sa.select(Classroom.id).filter_by(join_code=code)) is None:
            return code


@bp.route("/classes", methods=["GET", "POST"])
@role_required("teacher")
def classes():
    """The teacher's classes, and a form for a new one."""
    form = ClassForm()
    if form.validate_on_submit():
        classroom = Classroom(teacher_id=current_user.id, name=form.name.data, school=form.school.data or "",
                              grade=form.grade.data or "", join_code=unique_join_code())
        db.session.add(classroom)
        db.session.commit()
        flash(_("Class %(name)s is ready. Give your learners the join code.", name=classroom.name), "success")
        return redirect(url_for("classes.classroom", class_id=classroom.id))
    counts = dict(db.session.execute(
        sa.select(Membership.classroom_id, sa.func.count()).join(Classroom)
        .where(Classroom.teacher_id == current_user.id).group_by(Membership.classroom_id)).all())
    own = db.session.scalars(sa.select(Classroom).filter_by(teacher_id=current_user.id)
                             .order_by(Classroom.created_at.desc(), Classroom.id.desc())).all()
    return render_template("classes/list.html", form=form, classrooms=own, counts=counts)


@bp.get("/classes/<int(max=2147483647):class_id>")
@role_required("teacher")
def classroom(class_id: int):
    """A class: its join code, link and QR code, its learners, its assignments."""
    return class_page(own_class_or_404(class_id), AssignmentForm(formdata=None))


def class_page(found: Classroom, form: AssignmentForm):
    """The class page, its learners loaded with their accounts in one query."""
    members = db.session.scalars(sa.select(Membership).filter_by(classroom_id=found.id)
                                 .options(sa.orm.joinedload(Membership.user))
                                 .order_by(Membership.joined_at, Membership.id)).all()
    return render_template("classes/classroom.html", classroom=found, members=members, form=form,
                           modules=get_library(), link=join_link(found), qr=join_qr(found))


@bp.post("/classes/<int(max=2147483647):class_id>/code")
@role_required("teacher")
def new_code(class_id: int):
    """Give the class a new join code (the old one stops working)."""
    found = own_class_or_404(class_id)
    found.join_code = unique_join_code()
    db.session.commit()
    flash(_("The new join code is %(code)s. The old one no longer works.", code=found.join_code), "success")
    return redirect(url_for("classes.classroom", class_id=found.id))


@bp.post("/classes/<int(max=2147483647):class_id>/joining")
@role_required("teacher")
def joining(class_id: int):
    """Open or close joining."""
    found = own_class_or_404(class_id)
    found.joining_open = request.form.get("open") == "yes"
    db.session.commit()
    flash(_("Learners can join this class again.") if found.joining_open
          else _("Joining is closed: the code no longer lets anyone in."), "success")
    return redirect(url_for("classes.classroom", class_id=found.id))


@bp.post("/classes/<int(max=2147483647):class_id>/assignments")
@role_required("teacher")
def assign(class_id: int):
    """Assign a module, or change its due date if it is already assigned."""
    found = own_class_or_404(class_id)
    form = AssignmentForm()
    if not form.validate_on_submit():
        return class_page(found, form)
    assignment = next((a for a in found.assignments if a.module_id == form.module.data), None)
    if assignment is None:
        found.assignments.append(Assignment(module_id=form.module.data, due_date=form.due_date.data))
    else:
        assignment.due_date = form.due_date.data
    db.session.commit()
    flash(_("Saved: %(module)s.", module=dict(form.module.choices)[form.module.data]), "success")
    return redirect(url_for("classes.classroom", class_id=found.id))


@bp.post("/classes/<int(max=2147483647):class_id>/assignments/<module_id>/remove")
@role_required("teacher")
def unassign(class_id: int, module_id: str):
    """Take a module off the class's list (learners keep their progress)."""
    found = own_class_or_404(class_id)
    found.assignments = [a for a in found.assignments if a.module_id != module_id]
    db.session.commit()
    return redirect(url_for("classes.classroom", class_id=found.id))


@bp.post("/classes/<int(max=2147483647):class_id>/learners/<int(max=2147483647):user_id>/remove")
@role_required("teacher")
def remove_learner(class_id: int, user_id: int):
    """Take a learner out of the class; their account, progress and quiz results stay theirs."""
    found = own_class_or_404(class_id)
    member = member_or_404(found, user_id)
    name = member.user.name
    db.session.delete(member)  # through the ORM, so the learner's kept pages drop this class
    db.session.commit()
    flash(_("%(name)s is no longer in this class. Their progress and quiz results stay in their own account.",
            name=name), "success")
    return redirect(url_for("classes.classroom", class_id=found.id))


@bp.post("/classes/<int(max=2147483647):class_id>/leave")
@login_required
def leave(class_id: int):
    """Leave a class; the learner's progress and quiz results stay theirs."""
    member = db.session.scalar(sa.select(Membership).filter_by(classroom_id=class_id, user_id=current_user.id))
    if member is None:
        abort(404)
    name = db.session.get(Classroom, class_id).name
    db.session.delete(member)  # through the ORM, so the learner's kept pages drop this class
    db.session.commit()
    flash(_("You have left %(name)s. Your progress and quiz results stay in your account.", name=name), "success")
    return redirect(url_for("classes.join"))


def own_memberships() -> list[tuple[Classroom, Membership]]:
    """The signed-in learner's classes with their teachers, in one query."""
    return db.session.execute(sa.select(Classroom, Membership).join(Membership, Membership.classroom_id == Classroom.id)
                              .options(sa.orm.joinedload(Classroom.teacher))
                              .where(Membership.user_id == current_user.id)
                              .order_by(Membership.joined_at, Membership.id)).all()


@bp.route("/join", methods=["GET", "POST"])
@bp.route("/join/<code>", methods=["GET", "POST"])
@login_required
def join(code: str | None = None):
    """Join a class by its code, typed or from a shared link."""
    form = JoinForm(data={"code": normalise_join_code(code)} if code and request.method == "GET" else None)
    classroom = None
    if form.code.data and len(form.code.data) == JOIN_CODE_LENGTH:
        classroom = db.session.scalar(sa.select(Classroom).filter_by(join_code=form.code.data))
    if request.method == "POST" and form.validate_on_submit():
        if classroom is None or not classroom.joining_open:
            form.code.errors.append(_("No class is open for this code. Check it with your teacher."))
        else:
            exists = db.session.scalar(sa.select(Membership.id).filter_by(classroom_id=classroom.id,
                                                                          user_id=current_user.id))
            if exists is None:
                db.session.add(Membership(classroom_id=classroom.id, user_id=current_user.id))
                try:
                    db.session.commit()
                except sa.exc.IntegrityError:
                    db.session.rollback()  # joined twice at once: one membership is enough
            flash(_("You have joined %(name)s.", name=classroom.name), "success")
            return redirect(url_for("learn.home"))
    return render_template("classes/join.html", form=form, memberships=own_memberships(),
                           classroom=classroom if classroom and classroom.joining_open else None)

"""Administration: `flask users create`, and a page where an admin grants and removes roles."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from .accounts import GRANTED_ROLES, ROLES, SignupForm, User, UserRole, role_required
from .content import get_library
from .discernment.reports import MIN_LEARNERS, check_report
from .extensions import db
from .i18n import LANG_PREFIX
from .passwords import generate_password

bp = Blueprint("admin", __name__, url_prefix=f"{LANG_PREFIX}/admin")
users_cli = AppGroup("users", help="Create accounts and grant roles.")
PAGE_SIZE = 50


def create_account(username: str, password: str, roles: tuple[str, ...] = (), must_change: bool = False) -> User:
    """Store a new account with its roles, by the sign-up form's rules; ValueError says what is wrong."""
    form = SignupForm(formdata=MultiDict({"username": username, "password": password, "confirm": password}),
                      meta={"csrf": False})
    if not form.validate():
        raise ValueError(" ".join(str(error) for errors in form.errors.values() for error in errors))
    user = User(username=form.username.data, must_change_password=must_change)
    user.set_password(password)
    user.roles = [UserRole(role=role) for role in roles if role != "learner"]
    db.session.add(user)
    db.session.commit()
    return user


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default="learner", show_default=True,
              help="The account's role; every account can also learn.")
@click.option("--generate-password", "generate", is_flag=True,
              help="Make up a first password, print it, and ask for a new one at the first login.")
def create_command(username: str, role: str, generate: bool) -> None:
    """Create an account, for example the first admin: flask users create --role admin NAME."""
    password = generate_password() if generate else click.prompt("Password", hide_input=True,
                                                                 confirmation_prompt=True)
    with force_locale("en"):
        try:
            user = create_account(username, password, (role,), must_change=generate)
        except ValueError as problem:
            raise click.ClickException(str(problem)) from None
    click.echo(f"Created {user.username} ({role}).")
    if generate:
        click.echo(f"First password: {password} (to be changed at the first login)")


@bp.get("/users")
@role_required("admin")
def users():
    """Every account with its roles, newest first, searchable by username."""
    search = request.args.get("q", "").strip().lower()[:60]
    page = min(max(request.args.get("page", 1, type=int), 1), 100_000)
    query = sa.select(User).order_by(User.created_at.desc(), User.id.desc())
    if search:
        query = query.where(User.username.contains(search, autoescape=True))
    found = db.paginate(query, page=page, per_page=PAGE_SIZE, error_out=False)
    return render_template("admin/users.html", found=found, search=search, roles=GRANTED_ROLES)


@bp.post("/users/<int(max=2147483647):user_id>/roles")
@role_required("admin")
def change_role(user_id: int):
    """Grant or remove one role; an admin cannot remove their own admin role."""
    user = db.session.get(User, user_id) or abort(404)
    role, action = request.form.get("role"), request.form.get("action")
    if role not in GRANTED_ROLES or action not in ("grant", "remove"):
        abort(400)
    if action == "remove" and role == "admin" and user.id == current_user.id:
        flash(_("You cannot remove your own admin role; ask another admin."), "error")
    elif action == "grant" and not user.has_role(role):
        user.roles.append(UserRole(role=role))
        db.session.commit()
        flash(_("%(name)s is now also %(role)s.", name=user.username, role=role_name(role)), "success")
    elif action == "remove" and user.has_role(role):
        if remove_role_unless_last_admin(user, role):
            flash(_("%(name)s is no longer %(role)s.", name=user.username, role=role_name(role)), "success")
        else:
            flash(_("Nothing was changed: Saring would be left without an admin."), "error")
    return redirect(url_for("admin.users", q=request.args.get("q") or None, page=request.args.get("page") or None))


def remove_role_unless_last_admin(user: User, role: str) -> bool:
    """Remove `role` from `user` and commit, unless that would leave no admin (two admins removing each
    other at once: then nothing changes)."""
    admin = role == "admin"
    if admin:  # PostgreSQL makes the second of two such changes wait here
        db.session.execute(sa.select(UserRole.id).where(UserRole.role == "admin").with_for_update()).all()
    user.roles = [granted for granted in user.roles if granted.role != role]
    db.session.flush()
    # counted once the row is gone, in the same transaction (on SQLite it holds the write lock by now)
    if admin and not db.session.scalar(sa.select(sa.func.count(UserRole.id)).where(UserRole.role == "admin")):
        db.session.rollback()
        return False
    db.session.commit()
    return True


def role_name(role: str) -> str:
    """A role's name in the reader's language."""
    return {"learner": _("learner"), "teacher": _("teacher"), "editor": _("editor"), "admin": _("admin")}[role]


@bp.app_context_processor
def role_names():
    """Templates show roles by their translated names."""
    return {"role_name": role_name}


@bp.get("/check")
@role_required("admin")
def check():
    """The discernment check over every learner who took it before and after, without names."""
    return render_template("admin/check.html", report=check_report(get_library(), None), min_learners=MIN_LEARNERS)

"""Learner accounts: sign up, log in, log out, the first password changed, change password, language preference."""

from __future__ import annotations

import functools
import secrets
import unicodedata
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin, current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm import Mapped, lazyload, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import EmailField, PasswordField, RadioField, SelectChoice, StringField
from wtforms.validators import AnyOf, DataRequired, Email, EqualTo, Length, Optional, Regexp, ValidationError

from .database import utcnow
from .extensions import db, login_manager
from .i18n import LANG_PREFIX, LANGUAGE_NAMES
from .limits import give_back_password_tries, take_password_try
from .pagecache import owner_loader, shown_to
from .passwords import password_problem
from .sessions import SignIn, devices_of, end_all, end_session, find, note_use, start_session, still_signed_in

bp = Blueprint("accounts", __name__, url_prefix=LANG_PREFIX)

ROLES = ("learner", "teacher", "editor", "admin")
GRANTED_ROLES = ROLES[1:]  # every account learns; these are granted
USERNAME_MIN, USERNAME_MAX = 3, 30
# how long after signing in with a first password (off a login card) its learner may choose their own without
# typing the card's again: long enough for a slow reader in class, short for a phone left on a desk
FIRST_PASSWORD_WAIT = timedelta(minutes=15)
# all an account with a first password may open besides the page that replaces it
FIRST_PASSWORD_OPENS = {"accounts.logout", "assets.file", "site.favicon", "site.healthz", "offline.service_worker",
                        "offline.manifest"}


@shown_to(lambda user: [user.id])
class User(UserMixin, db.Model):
    """A person with an account; email is optional because many learners have none."""

    __tablename__ = "users"
    # a session names its account by id: SQLite would give a deleted account's id to the next one made
    # (and its other devices' sessions with it) unless the table says AUTOINCREMENT
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(USERNAME_MAX), unique=True)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    display_name: Mapped[str | None] = mapped_column(sa.String(80))  # a learner's name as their teacher wrote it
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    locale: Mapped[str] = mapped_column(sa.String(5), default="id")
    # goes up with every change shown on this person's pages, which keeps them in saring.pagecache
    pages_version: Mapped[int] = mapped_column(default=0, server_default="0")
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # this request's sign-in (saring.sessions), the session's id and when it signed in, set when the account is
    # loaded for a session or signs in
    sign_in_id = session_id = signed_in_at = None

    def get_id(self) -> str:
        """The id kept in the session: the account and its sign-in's key (saring.sessions)."""
        return self.session_id

    roles: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def name(self) -> str:
        """The name to show a teacher: the one they typed, else the username."""
        return self.display_name or self.username

    def has_role(self, role: str) -> bool:
        """Whether this account holds `role` (every account is a learner)."""
        return role == "learner" or any(granted.role == role for granted in self.roles)

    def set_password(self, password: str) -> None:
        """Store a salted hash of `password`, never the password."""
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        """Whether `password` matches the stored hash."""
        return check_password_hash(self.password_hash, password)


def hash_password(password: str) -> str:
    """A salted hash of `password`, by the configured method."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def password_matches(user: User | None, password: str) -> bool:
    """Whether `password` is `user`'s; without an account, a stand-in hash is checked all the same, so the
    time an answer takes never tells which usernames exist."""
    if user is None:
        check_password_hash(stand_in_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return False
    return user.check_password(password)


@functools.cache
def stand_in_hash(method: str) -> str:
    """A hash of a random password by `method`, made once per process."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


@shown_to(lambda granted: [granted.user_id])
class UserRole(db.Model):
    """A role granted to an account beyond learning: teacher, editor or admin."""

    __tablename__ = "user_roles"
    __table_args__ = (sa.UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.String(16))


def role_required(role: str):
    """A view decorator: sign in first, then 403 for an account without `role`."""
    def decorate(view):
        @functools.wraps(view)
        @login_required
        def guarded(*args, **kwargs):
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)
        return guarded
    return decorate


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Flask-Login's hook: the account of the session and its sign-in, in one query, while the sign-in holds."""
    found = find(session_id)
    if found is None:
        return None
    # roles load when a page asks (a kept page does not), not with every request
    row = db.session.execute(sa.select(User, SignIn).join(SignIn, SignIn.user_id == User.id)
                             .where(User.id == found[0], SignIn.key_digest == found[1])
                             .options(lazyload(User.roles))).first()
    if row is None or not still_signed_in(row.SignIn):
        return None
    note_use(row.SignIn)
    user, user.session_id = row.User, session_id
    user.sign_in_id, user.signed_in_at = row.SignIn.id, row.SignIn.created_at
    return user


PAGES_OWNER = (sa.select(SignIn.id, SignIn.last_seen_at, User.pages_version, User.must_change_password)
               .join(User, User.id == SignIn.user_id)
               .where(SignIn.user_id == sa.bindparam("account"), SignIn.key_digest == sa.bindparam("digest")))


@owner_loader
def pages_owner() -> tuple[int, int, int] | bool | None:
    """For kept pages: (account id, sign-in id, pages version) of the session's sign-in, in one small query,
    without loading the account; None for a visitor; False when the sign-in has ended or the account has a
    first password to change (the usual way decides what to show)."""
    if "_user_id" not in session:
        return None
    found = find(session["_user_id"])
    if found is None:
        return False
    with db.engine.connect() as connection:  # a kept page needs no ORM session: this is a third of the cost
        row = connection.execute(PAGES_OWNER, {"account": found[0], "digest": found[1]}).first()
    if not row or row.must_change_password or not still_signed_in(row):
        return False
    return found[0], row.id, row.pages_version


login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Log in to see this page.")
login_manager.login_message_category = "info"


def normalise_username(value: str | None) -> str | None:
    """Compare usernames the way people read them: NFKC, trimmed, lowercase."""
    return unicodedata.normalize("NFKC", value).strip().lower() if value else value


def find_user(username: str) -> User | None:
    """The account with this (normalised) username."""
    return db.session.scalar(sa.select(User).where(User.username == normalise_username(username)))


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (no open redirects)."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def no_control_characters(_form, field) -> None:
    """Reject text with invisible control or format characters (such as a right-to-left override)."""
    if field.data and any(unicodedata.category(c) in ("Cc", "Cf") for c in field.data):
        raise ValidationError(_l("This contains characters that cannot be used."))


def password_fields(label):
    """A new password and its confirmation (each form checks the rules against its username)."""
    return (
        PasswordField(label, validators=[DataRequired(_l("Enter a password.")), no_control_characters]),
        PasswordField(_l("Type the password again"), validators=[
            DataRequired(_l("Type the password again.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ]),
    )


class SignupForm(FlaskForm):
    """Username and password; email only if the learner has one."""

    username = StringField(_l("Username"), filters=[normalise_username], validators=[
        DataRequired(_l("Choose a username.")),
        Length(USERNAME_MIN, USERNAME_MAX, _l("Use between %(min)d and %(max)d characters.")),
        Regexp(r"^[a-z0-9._-]+\Z", message=_l("Use only letters a–z, numbers, dots, dashes and underscores.")),
    ])
    password, confirm = password_fields(_l("Password"))
    email = EmailField(_l("Email (optional)"), filters=[lambda v: v.strip() if v else v], validators=[
        Optional(), Length(max=254, message=_l("This email address is too long.")),
        Email(_l("This does not look like an email address.")),
    ])

    def validate_username(self, field) -> None:
        """Usernames are unique (looked up only once the name itself is valid)."""
        if not field.errors and find_user(field.data):
            raise ValidationError(_l("This username is taken. Try another one."))

    def validate_password(self, field) -> None:
        """Long enough, not too common, not the username (saring.passwords)."""
        if not field.errors and (problem := password_problem(field.data, self.username.data)):
            raise ValidationError(problem)


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField(_l("Username"), filters=[normalise_username], validators=[
        DataRequired(_l("Enter your username.")), no_control_characters])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])


class LanguageForm(FlaskForm):
    """The language Saring opens in."""

    locale = RadioField(_l("Open Saring in"), validate_choice=False,
                        choices=[SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()],
                        validators=[AnyOf(list(LANGUAGE_NAMES), message=_l("Choose a language."))])


class NewPasswordForm(FlaskForm):
    """The new password twice: all that a first sign-in asks."""

    password, confirm = password_fields(_l("New password"))

    def validate_password(self, field) -> None:
        """Long enough, not too common, not the username (saring.passwords)."""
        if not field.errors and (problem := password_problem(field.data, current_user.username)):
            raise ValidationError(problem)


class ChangePasswordForm(NewPasswordForm):
    """The current password, then the new one twice."""

    current = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your current password."))])


@bp.before_app_request
def first_password_must_be_changed():
    """An account with a first password (from a teacher or an admin) sees only the page to choose its own, and
    only right after signing in with it: later, whoever holds the phone signs in with the card again."""
    if (request.endpoint in FIRST_PASSWORD_OPENS or not current_user.is_authenticated
            or not current_user.must_change_password):
        return None
    lang = g.get("lang") or current_user.locale
    if utcnow() - current_user.signed_in_at > FIRST_PASSWORD_WAIT:
        end_session()
        flash(_("It has been a while since you logged in. Log in again with the password on your card, then "
                "choose your own."), "info")
        return redirect(url_for("accounts.login", lang=lang))
    if request.endpoint != "accounts.first_password":
        return redirect(url_for("accounts.first_password", lang=lang))
    return None


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    """Create an account and sign in."""
    if current_user.is_authenticated:
        return redirect(url_for("learn.home"))
    form = SignupForm()
    if form.validate_on_submit():
        user = User(username=form.username.data, email=form.email.data or None, locale=g.lang)
        user.set_password(form.password.data)
        db.session.add(user)
        try:
            db.session.commit()
        except sa.exc.IntegrityError:
            db.session.rollback()
            form.username.errors.append(_("This username is taken. Try another one."))
        else:
            start_session(user)
            flash(_("Welcome, %(name)s! Your progress is now saved.", name=user.username), "success")
            return redirect(safe_next(request.args.get("next")) or url_for("learn.home"))
    return render_template("accounts/signup.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with username and password."""
    if current_user.is_authenticated:
        return redirect(url_for("learn.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = find_user(form.username.data) if len(form.username.data) <= USERNAME_MAX else None
        # counted per username, known or not; after the look-up, so a database that cannot answer uses up no try
        take_password_try(form.username.data)
        if not password_matches(user, form.password.data):
            form.password.errors.append(_("Wrong username or password."))
        else:
            give_back_password_tries(form.username.data)
            start_session(user)
            if user.must_change_password:  # the first sign-in from a card: the learner's own password, then on
                return redirect(url_for("accounts.first_password", next=safe_next(request.args.get("next"))))
            return redirect(safe_next(request.args.get("next")) or url_for("learn.home"))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout():
    """Sign out (POST with a CSRF token, so no link or image can sign a learner out)."""
    end_session()
    flash(_("You have logged out."), "info")
    return redirect(url_for("learn.home"))


def account_page(password_form=None, language_form=None, status=200):
    """The account page with its two forms."""
    return render_template("accounts/account.html", password_form=password_form or ChangePasswordForm(formdata=None),
                           language_form=language_form or LanguageForm(locale=current_user.locale),
                           devices=devices_of(current_user.id)), status


@bp.get("/account/language")  # old bookmarks and the language switcher after a failed form
@bp.get("/account/password")
@bp.get("/account")  # registered first, so url_for builds this address
@login_required
def account():
    """Language preference and password."""
    return account_page()


@bp.post("/account/language")
@login_required
def set_language():
    """Save the language Saring opens in for this learner."""
    form = LanguageForm()
    if not form.validate_on_submit():
        return account_page(language_form=form)
    current_user.locale = form.locale.data
    db.session.commit()
    flash(_("Saved: Saring opens in %(language)s.", language=LANGUAGE_NAMES[form.locale.data]), "success")
    return redirect(url_for("accounts.account"))


@bp.post("/account/password")
@login_required
def change_password():
    """Change the password after typing the current one; every other device is signed out."""
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return account_page(password_form=form)
    take_password_try(current_user.username)  # a session left open is no way round the login limit
    if not current_user.check_password(form.current.data):
        form.current.errors.append(_("This is not your current password."))
        return account_page(password_form=form)
    give_back_password_tries(current_user.username)
    replace_password(form.password.data)
    flash(_("Your password has been changed. Other devices have been logged out."), "success")
    return redirect(url_for("accounts.account"))


@bp.route("/account/first-password", methods=["GET", "POST"])
@login_required
def first_password():
    """Right after signing in with a first password, the learner's own, typed twice; then on to their work.

    The card's password is not asked again (the sign-in was minutes ago, see `first_password_must_be_changed`),
    nor is anything else on the account page.
    """
    if not current_user.must_change_password:
        return redirect(url_for("accounts.account"))
    form = NewPasswordForm()
    if form.validate_on_submit():
        replace_password(form.password.data)  # a card's password may have been tried on another phone too
        flash(_("Your password is saved. Log in with it from now on."), "success")
        return redirect(safe_next(request.args.get("next")) or url_for("learn.home"))
    return render_template("accounts/first_password.html", form=form)


def replace_password(password: str) -> None:
    """Give the signed-in account `password` for good and end its sign-ins on every other device."""
    user = current_user._get_current_object()
    user.set_password(password)
    user.must_change_password = False
    end_all(user.id, keep=user.sign_in_id)
    db.session.commit()

"""Signed-in devices: every sign-in is a row, so logging out ends it on the server, not only in the browser.

The session cookie names the account and a random key (`"<account id>:<key>"`); the database keeps only
the key's digest, with the device's description and when it signed in and was last used. A cookie
copied off a shared phone is refused once its row is gone: after logging out, "sign out" on the account
page from another device, a password change (every other device), a teacher's new first password or a
deleted account (every device), or SIGN_IN_IDLE_DAYS without use.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, g, has_request_context, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .database import utcnow
from .extensions import db
from .i18n import LANG_PREFIX

bp = Blueprint("sessions", __name__, url_prefix=LANG_PREFIX)

SESSION_ID = re.compile(r"(\d{1,10}):([A-Za-z0-9_-]{32})", re.ASCII)
LAST_SEEN_EVERY = timedelta(minutes=10)  # a device's "last used" moves on at most this often
# (system, browser) names, first match wins: Samsung's and Opera's browsers also say "Chrome", Edge too
SYSTEMS = (("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iOS"), ("CrOS", "ChromeOS"),
           ("Windows", "Windows"), ("Macintosh", "macOS"), ("Linux", "Linux"))
BROWSERS = (("SamsungBrowser/", "Samsung Internet"), ("OPR/", "Opera"), ("Edg", "Edge"), ("Firefox/", "Firefox"),
            ("Chrome/", "Chrome"), ("Safari/", "Safari"))


class SignIn(db.Model):
    """One device's sign-in to an account, until it logs out or is signed out."""

    __tablename__ = "sign_ins"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    device: Mapped[str] = mapped_column(sa.String(40), default="/")  # "browser/system", either may be empty
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User", viewonly=True)


def digest(key: str) -> str:
    """What the database keeps of a sign-in's key: a copy of the database opens no session."""
    return hashlib.sha256(key.encode()).hexdigest()


def device_of(user_agent: str | None) -> str:
    """"browser/system" in a few known words from a User-Agent header (never the header itself)."""
    user_agent = user_agent or ""
    system = next((name for marker, name in SYSTEMS if marker in user_agent), "")
    browser = next((name for marker, name in BROWSERS if marker in user_agent), "")
    return f"{browser}/{system}"


@bp.app_template_filter("device_name")
def device_name(device: str) -> str:
    """A device's description for a person to read, in their language."""
    browser, _slash, system = device.partition("/")
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or _("Unknown device")


def idle_cutoff() -> datetime:
    """Sign-ins last used before this have ended."""
    return utcnow() - timedelta(days=current_app.config["SIGN_IN_IDLE_DAYS"])


def begin(user_id: int) -> tuple[int, str]:
    """Record a new sign-in from this request's device and commit it; returns its id and the session's id
    for the cookie.

    The account's ended sign-ins are cleared on the way.
    """
    key = secrets.token_urlsafe(24)
    db.session.execute(sa.delete(SignIn).where(SignIn.user_id == user_id, SignIn.last_seen_at < idle_cutoff()))
    sign_in = SignIn(user_id=user_id, key_digest=digest(key), device=device_of(request.user_agent.string))
    db.session.add(sign_in)
    db.session.flush()
    sign_in_id = sign_in.id
    db.session.commit()
    return sign_in_id, f"{user_id}:{key}"


def start_session(user) -> None:
    """Sign `user` in on a new session and a new sign-in row: nothing of the session before carries over,
    above all not its CSRF token, which someone may have planted or read off a shared phone."""
    user.sign_in_id, user.session_id = begin(user.id)  # first: if the database fails, the form can be sent again
    session.clear()
    login_user(user)


def end_session() -> None:
    """Log out: end this device's sign-in on the server, and drop the whole session, so a form left on the
    phone (answers waiting offline) is no good to whoever signs in next."""
    if current_user.is_authenticated:
        end(current_user.sign_in_id)
        db.session.commit()
    logout_user()
    session.clear()


def find(session_id: str) -> tuple[int, str] | None:
    """(account id, key digest) of a session id as the cookie holds it, or None when it is malformed."""
    match = SESSION_ID.fullmatch(session_id or "")
    return (int(match[1]), digest(match[2])) if match else None


def still_signed_in(sign_in) -> bool:
    """Whether a sign-in found for a session (a SignIn or a row with its `last_seen_at`) holds: it was used lately."""
    return sign_in is not None and sign_in.last_seen_at >= idle_cutoff()


def note_use(sign_in: SignIn) -> None:
    """On a form post, the sign-in's "last used" moves on with whatever the post commits: reading a page never
    writes (it must keep answering while the database takes no writes), and nothing is written before the
    view's own work (the limits on guessing take their places in transactions of their own first)."""
    if request.method == "POST" and utcnow() - sign_in.last_seen_at > LAST_SEEN_EVERY:
        g.used_sign_in = sign_in.id


def record_use(db_session) -> None:
    """Before a commit during a request: move the request's sign-in's "last used" on, if `note_use` asked."""
    if has_request_context() and (sign_in_id := g.pop("used_sign_in", None)) is not None:
        db_session.execute(sa.update(SignIn).where(SignIn.id == sign_in_id).values(last_seen_at=utcnow()))


def init_app(_app) -> None:
    """Record each sign-in's use with the commits of its form posts."""
    if not sa.event.contains(Session, "before_commit", record_use):
        sa.event.listen(Session, "before_commit", record_use)


def end(sign_in_id: int) -> None:
    """End one sign-in (the caller commits)."""
    db.session.execute(sa.delete(SignIn).where(SignIn.id == sign_in_id))


def end_all(user_id: int, keep: int | None = None) -> None:
    """End every sign-in of an account but `keep` (the caller commits)."""
    db.session.execute(sa.delete(SignIn).where(SignIn.user_id == user_id, SignIn.id != (keep or 0)))


def devices_of(user_id: int) -> list[SignIn]:
    """An account's sign-ins that hold, most recently used first."""
    return db.session.scalars(sa.select(SignIn).where(SignIn.user_id == user_id, SignIn.last_seen_at >= idle_cutoff())
                              .order_by(SignIn.last_seen_at.desc(), SignIn.id.desc())).all()


@bp.post("/account/devices/<int(max=2147483647):sign_in_id>/end")
@login_required
def end_device(sign_in_id: int):
    """Sign another device of this account out (this one logs out with the usual button)."""
    sign_in = db.session.get(SignIn, sign_in_id)
    if sign_in is None or sign_in.user_id != current_user.id:
        abort(404)
    if sign_in.id == current_user.sign_in_id:
        end_session()
        flash(_("You have logged out."), "info")
        return redirect(url_for("learn.home"))
    name = device_name(sign_in.device)
    end(sign_in.id)
    db.session.commit()
    flash(_("%(device)s has been signed out.", device=name), "success")
    return redirect(url_for("accounts.account"))


@bp.post("/account/devices/end")
@login_required
def end_every_device():
    """Sign this account out on every device, this one too (a phone left at school, a lost one)."""
    end_all(current_user.id)
    db.session.commit()
    end_session()
    flash(_("You have logged out on every device."), "info")
    return redirect(url_for("learn.home"))

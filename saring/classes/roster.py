"""A class's learners: accounts made in bulk from names or a CSV file, login cards, password resets."""

from __future__ import annotations

import csv
import io
import re
import unicodedata

import sqlalchemy as sa
from flask import abort, make_response, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField
from wtforms.validators import ValidationError

from ..accounts import USERNAME_MAX, User, hash_password, role_required
from ..extensions import db
from ..passwords import generate_password
from ..sessions import end_all
from .models import Membership
from .qr import join_qr
from .views import bp, member_or_404, own_class_or_404

MAX_LEARNERS_AT_ONCE = 60
NAME_MAX = 80
HEADER_NAMES = {"name", "nama", "nama lengkap", "full name"}
# Latin letters that Unicode does not decompose into a plain letter and a mark.
UNDECOMPOSED = str.maketrans({"đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ß": "ss",
                              "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ı": "i", "þ": "th", "ð": "d"})


class AddLearnersForm(FlaskForm):
    """Names typed or pasted one per line, or a CSV file whose first column holds them."""

    names = TextAreaField(_l("Names, one per line"))
    file = FileField(_l("Or a CSV file (the first column holds the names)"))


def names_from_csv(data: bytes) -> list[str]:
    """The names in a CSV file (UTF-8, with or without BOM; comma, semicolon or tab; any line ends).

    The names are the column headed Nama/Name when there is such a header, else the first column.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("This file is not UTF-8 text. In Excel, save it as “CSV UTF-8”.")) from None
    first_line = next(iter(text.splitlines()), "")
    delimiter = max(",;\t", key=first_line.count) if any(d in first_line for d in ",;\t") else ","
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if any(row)]
    except csv.Error:
        raise ValidationError(_("This file could not be read as CSV. Save it again as “CSV UTF-8”.")) from None
    headers = [cell.strip().lower() for cell in rows[0]] if rows else []
    column = next((n for n, cell in enumerate(headers) if cell in HEADER_NAMES), None)
    if column is not None:
        rows = rows[1:]
    return [row[column or 0] for row in rows if len(row) > (column or 0)]


def clean_names(raw: list[str]) -> list[str]:
    """Trimmed names, each checked; raise ValidationError with a message naming the first bad line."""
    names = [" ".join(unicodedata.normalize("NFC", name).split()) for name in raw]
    names = [name for name in names if name]
    if not names:
        raise ValidationError(_("Type at least one name, or choose a CSV file."))
    if len(names) > MAX_LEARNERS_AT_ONCE:
        raise ValidationError(_("Add at most %(max)d learners at once.", max=MAX_LEARNERS_AT_ONCE))
    for number, name in enumerate(names, 1):
        if len(name) > NAME_MAX or any(unicodedata.category(c) in ("Cc", "Cf") for c in name):
            raise ValidationError(_("Name %(n)d is too long or has characters that cannot be used.", n=number))
        if not any(unicodedata.category(c).startswith("L") for c in name):
            raise ValidationError(_("Name %(n)d (%(name)s) has no letters: is it a number column?", n=number,
                                    name=name))
    return names


def username_base(name: str) -> str:
    """A username to build on from a name: `Siti Nur'aini` becomes `siti.nuraini`."""
    ascii_words = [re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", word.translate(UNDECOMPOSED))
                          .encode("ascii", "ignore").decode().lower()) for word in name.split()]
    words = [word for word in ascii_words if word]
    base = ".".join(words[:1] + words[1:][-1:])[: USERNAME_MAX - 3]
    return base if len(base) >= 3 else "pelajar"


def unique_usernames(names: list[str]) -> list[str]:
    """One free username per name, numbered where names or accounts clash (two queries at most)."""
    bases = [username_base(name) for name in names]
    taken = set(db.session.scalars(sa.select(User.username).where(
        sa.or_(*(User.username.startswith(base, autoescape=True) for base in set(bases))))))
    chosen = []
    for base in bases:
        candidate, number = base, 1
        while candidate in taken:
            number += 1
            candidate = f"{base}{number}"
        taken.add(candidate)
        chosen.append(candidate)
    return chosen


def create_learners(classroom, names: list[str]) -> list[tuple[str, str, str]]:
    """Accounts in the class for `names`; (name, username, first password) for each card.

    Passwords are hashed before anything is written, so the database is not held while they are
    (SQLite lets one writer at a time). A username taken meanwhile by someone else: try again.
    """
    passwords = [generate_password() for _ in names]
    hashes = [hash_password(password) for password in passwords]
    clashes = 0
    while True:
        usernames = unique_usernames(names)
        users = [User(username=username, display_name=name, must_change_password=True, password_hash=hashed,
                      locale=current_user.locale)
                 for name, username, hashed in zip(names, usernames, hashes, strict=True)]
        db.session.add_all(users)
        try:
            db.session.flush()
            db.session.add_all(Membership(classroom_id=classroom.id, user_id=user.id, created_here=True)
                               for user in users)
            db.session.commit()
        except sa.exc.IntegrityError:
            db.session.rollback()
            clashes += 1
            if clashes == 3:
                raise
            continue
        return list(zip(names, usernames, passwords, strict=True))


def login_cards(classroom, cards: list[tuple[str, str, str]]):
    """The printable cards (name, username, first password, the class's QR code), shown once: no browser or
    proxy keeps a copy."""
    response = make_response(render_template("classes/cards.html", classroom=classroom, cards=cards,
                                             qr=join_qr(classroom)))
    response.cache_control.no_store = True
    response.cache_control.private = True
    return response


@bp.route("/classes/<int(max=2147483647):class_id>/learners/new", methods=["GET", "POST"])
@role_required("teacher")
def add_learners(class_id: int):
    """Make accounts for a list of names, put them in the class, and show their login cards once."""
    classroom = own_class_or_404(class_id)
    form = AddLearnersForm()
    if form.validate_on_submit():
        try:
            upload = form.file.data
            raw = names_from_csv(upload.read()) if upload and upload.filename else (form.names.data or "").splitlines()
            names = clean_names(raw)
        except ValidationError as problem:
            form.names.errors = [str(problem)]
        else:
            return login_cards(classroom, create_learners(classroom, names))
    return render_template("classes/add_learners.html", classroom=classroom, form=form, most=MAX_LEARNERS_AT_ONCE)


@bp.post("/classes/<int(max=2147483647):class_id>/learners/<int(max=2147483647):user_id>/password")
@role_required("teacher")
def reset_password(class_id: int, user_id: int):
    """Give a learner of this class a new first password (only plain learner accounts)."""
    classroom = own_class_or_404(class_id)
    member = member_or_404(classroom, user_id)
    learner = member.user
    # A teacher may reset only accounts this class made, never one a learner made for themself
    # (and joined with a code) or one that holds a role.
    if learner.roles or not member.created_here:
        abort(403)
    password = generate_password()
    learner.set_password(password)
    learner.must_change_password = True
    end_all(learner.id)  # whoever kept the old card's session is signed out
    db.session.commit()
    return login_cards(classroom, [(learner.name, learner.username, password)])

"""The editor workspace's pages: the overview, a file's editor, its history, a revision and its preview."""

from __future__ import annotations

import difflib
import functools
import re

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length

from ..content import get_library
from ..content.loader import UnusableFileError
from ..content.model import LANGUAGES
from ..content.rules import MAX_FILE_BYTES
from ..extensions import db
from ..i18n import LANG_PREFIX
from .models import MAX_MESSAGE, ContentRevision, latest_drafts
from .overview import other_language, overview
from .workspace import (
    ConflictError,
    ContentPath,
    answered_changes,
    check,
    live_id,
    parse_path,
    publish,
    save_draft,
    source_text,
    too_large,
)

bp = Blueprint("editor", __name__, url_prefix=f"{LANG_PREFIX}/editor")
# control characters and the bidirectional overrides that can make text read other than it is stored
HIDDEN_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
EDITING_ROLES = ("editor", "admin")
# a preview is shown in a frame of the workspace: it alone may be framed, and only by this site
PREVIEW_HEADERS = {"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
                   "img-src 'self'; form-action 'none'; base-uri 'none'; object-src 'none'; "
                   "frame-ancestors 'self'", "X-Frame-Options": "SAMEORIGIN", "Cache-Control": "no-store"}
WORKSPACE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; frame-src 'self'; "
                 "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'")


def editor_required(view):
    """Sign in first, then 403 unless the account edits content (an editor or an admin)."""
    @functools.wraps(view)
    @login_required
    def guarded(*args, **kwargs):
        if not any(current_user.has_role(role) for role in EDITING_ROLES):
            abort(403)
        return view(*args, **kwargs)
    return guarded


@bp.after_request
def never_kept(response):
    """Drafts and sources stay out of every cache: the browser's, a proxy's, the offline copy."""
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("Content-Security-Policy", WORKSPACE_CSP)
    return response


class EditForm(FlaskForm):
    """A content file's text, what changed, and what to do with it."""

    class Meta:
        locales = False

    text = TextAreaField(_l("Markdown source"))
    message = StringField(_l("What changed (shown in the history)"), validators=[
        Length(max=MAX_MESSAGE, message=_l("Say it in at most %(max)d characters."))])
    base = HiddenField()
    check = SubmitField(_l("Check"))
    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save draft"))
    publish = SubmitField(_l("Publish"))


def path_or_404(path: str) -> ContentPath:
    """What a content path holds, or a 404 page for a path no content file may have."""
    return parse_path(path) or abort(404)


def base_of(form: EditForm) -> int | None:
    """The live revision the editor started from, as the form carries it."""
    return int(form.base.data) if (form.base.data or "").isdigit() else None


@bp.get("/")
@editor_required
def index():
    """Every module's files in each language, with their state; an upload form."""
    from .uploads import UploadForm  # the upload views add to this blueprint
    return render_template("editor/index.html", overview=overview(get_library(), g.lang), languages=LANGUAGES,
                           upload=UploadForm.for_modules(get_library()))


def render_file(parsed: ContentPath, form: EditForm, checked=None, status: int = 200, note: str | None = None,
                conflict: ConflictError | None = None):
    """The file's editor page."""
    text = form.text.data or ""
    lines = text.split("\n")
    problems = checked.here if checked is not None else tuple(p for p in get_library().problems
                                                              if p.path == parsed.path)
    draft = latest_drafts().get(parsed.path)
    answered = answered_changes(parsed, checked.library) if checked is not None and parsed.kind == "quiz" else []
    return render_template("editor/file.html", parsed=parsed, form=form, lines=lines, problems=problems,
                           elsewhere=checked.elsewhere if checked is not None else (), checked=checked,
                           answered=answered,
                           draft=draft, note=note, conflict=conflict,
                           diff=diff_lines(conflict.live.text or "", text) if conflict else None,
                           other=other_language(parsed)), status


def diff_lines(old: str, new: str) -> list[tuple[str, str]]:
    """A line diff as (kind, line): kind is "add", "del", "at" or "same"."""
    kinds = {"+": "add", "-": "del", "@": "at", " ": "same"}
    lines = difflib.unified_diff(old.split("\n"), new.split("\n"), lineterm="", n=2)
    return [(kinds[line[0]], line) for line in list(lines)[2:]]


@bp.get("/files/<path:path>")
@editor_required
def file(path: str):
    """A file's Markdown source in an editor: the live text, a revision's (?revision=), or a start for a new one."""
    parsed = path_or_404(path)
    form = EditForm(base=live_id(path) or "")
    note = None
    revision_id = request.args.get("revision", "")
    if revision_id.isdigit():
        revision = db.session.get(ContentRevision, int(revision_id))
        if revision is None or revision.path != path:
            abort(404)
        form.text.data = revision.text or ""
        if revision.text is not None:
            return render_file(parsed, form, check({path: revision.text}))
    else:
        try:
            form.text.data = source_text(path)
        except UnusableFileError as unusable:
            form.text.data, note = "", unusable.problem.localized_line()
        if form.text.data is None:
            other = other_language(parsed)
            start = source_text(other) if other and parse_path(other) else None
            form.text.data = start or ""
            note = _("This file does not exist yet. It starts as a copy of the other language: translate it, "
                     "then publish.") if start else _("This file does not exist yet.")
    return render_file(parsed, form, note=note)


@bp.post("/files/<path:path>")
@editor_required
def save(path: str):
    """Check, preview, save as a draft or publish the text in the form."""
    parsed = path_or_404(path)
    form = EditForm()
    text = (form.text.data or "").replace("\r\n", "\n")
    form.text.data = text
    if not form.validate():
        return render_file(parsed, form, status=400)
    size = len(text.encode())
    if size > MAX_FILE_BYTES:
        return render_file(parsed, form, status=413, note=too_large(size))
    hidden = next((number for number, line in enumerate(text.split("\n"), 1) if HIDDEN_CHARACTERS.search(line)), None)
    if hidden is not None or HIDDEN_CHARACTERS.search(form.message.data or ""):
        return render_file(parsed, form, status=400, note=_(
            "Line %(n)s holds an invisible control character (often pasted from a document or a chat). Delete "
            "it, then try again.", n=hidden) if hidden else _("The message holds an invisible control character."))
    message, base = (form.message.data or "").strip(), base_of(form)
    if form.save.data or form.preview.data:
        draft = save_draft(path, text, message, current_user.id, base)
        if form.preview.data:
            return redirect(url_for("editor.revision", revision_id=draft.id))
        flash(_("Draft saved. Learners still see the published text."), "success")
        return redirect(url_for("editor.file", path=path, revision=draft.id))
    checked = check({path: text})
    if not form.publish.data:
        return render_file(parsed, form, checked)
    if checked.errors:
        save_draft(path, text, message, current_user.id, base)
        return render_file(parsed, form, checked, 400, _("Saved as a draft, not published: fix the errors first."))
    try:
        publish(path, text, message, current_user.id, base)
    except ConflictError as conflict:
        form.base.data = conflict.live.id
        return render_file(parsed, form, checked, 409, conflict=conflict)
    flash(_("Published. Learners see it now."), "success")
    return redirect(url_for("editor.file", path=path))


@bp.get("/items")
@editor_required
def items():
    """The item report: every question's first-try figures and flags, every lesson's finishers."""
    from .item_report import item_report
    library = get_library()
    questions = {(module.id, question.id): question for module in library.modules if module.quiz
                 for question in module.quiz.text(g.lang)[0].questions}
    return render_template("editor/items.html", report=item_report(library), questions=questions)

"""A file's history in the workspace: its revisions, what each changed, its preview, and reverting to one."""

from __future__ import annotations

import uuid

from flask import abort, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import learning, quizzes
from ..content.loader import UnusableFileError
from ..content.model import LANGUAGES
from ..content.store import get_store
from ..discernment import views as discernment_views
from ..extensions import db
from .models import ContentRevision, history
from .views import PREVIEW_HEADERS, bp, diff_lines, editor_required, path_or_404
from .workspace import ConflictError, check, live_id, parse_path, publish, source_text


@bp.get("/history/<path:path>")
@editor_required
def file_history(path: str):
    """A file's revisions, newest first, with what each changed."""
    parsed = path_or_404(path)
    revisions = history(path)
    return render_template("editor/history.html", parsed=parsed, revisions=revisions, live=live_id(path))


@bp.post("/history/<path:path>/file")
@editor_required
def back_to_file(path: str):
    """Learners get the file in git again; the history keeps every published text."""
    path_or_404(path)
    if path not in get_store().overrides:
        flash(_("Learners already see the file in git."), "success")
        return redirect(url_for("editor.file_history", path=path))
    try:
        publish(path, None, _("Back to the file in git"), current_user.id, live_id(path))
    except ConflictError:
        flash(_("Another editor published this file a moment ago. Look at the history, then try again."), "error")
    else:
        flash(_("Learners now see the file in git."), "success")
    return redirect(url_for("editor.file_history", path=path))


def revision_or_404(revision_id: int) -> ContentRevision:
    """A revision of a content file, or a 404 page."""
    revision = db.session.get(ContentRevision, revision_id)
    if revision is None or parse_path(revision.path) is None:
        abort(404)
    return revision


@bp.get("/revisions/<int(max=2147483647):revision_id>")
@editor_required
def revision(revision_id: int):
    """A revision: its preview at phone width in either language, a quiz's answers, and its diff."""
    found = revision_or_404(revision_id)
    parsed = parse_path(found.path)
    earlier = db.session.get(ContentRevision, found.base_id) if found.base_id else None
    if earlier is not None:
        before = earlier.text
    else:
        try:
            before = source_text(found.path) if found.is_draft else None
        except UnusableFileError:
            before = None
    checked = check({found.path: found.text}) if found.text is not None else None
    quiz = form_text = None
    if parsed.kind == "quiz" and checked is not None:
        module = checked.library.module(parsed.module_id)
        quiz = module.quiz.texts.get(parsed.lang) if module and module.quiz else None
    if parsed.kind == "check" and checked is not None:
        form = checked.library.check_form(parsed.lesson_id)
        form_text = form.texts.get(parsed.lang) if form else None
    return render_template("editor/revision.html", revision=found, parsed=parsed, checked=checked, quiz=quiz,
                           check=form_text,
                           diff=diff_lines(before or "", found.text or ""), languages=LANGUAGES)


@bp.get("/revisions/<int(max=2147483647):revision_id>/preview")
@editor_required
def preview(revision_id: int):
    """The page learners would get with this revision, from the learners' own view and templates."""
    found = revision_or_404(revision_id)
    parsed = parse_path(found.path)
    if found.text is None:
        abort(404)
    g.content_preview = check({found.path: found.text}).library
    if parsed.kind == "lesson":
        module = g.content_preview.module(parsed.module_id)
        if module is None or module.lesson(parsed.lesson_id) is None or parsed.lang not in \
                module.lesson(parsed.lesson_id).texts:
            return render_template("editor/unrenderable.html", revision=found), 422, PREVIEW_HEADERS
        page = learning.lesson.__wrapped__(module_id=parsed.module_id, lesson_id=parsed.lesson_id)
    elif parsed.kind == "quiz":
        module = g.content_preview.module(parsed.module_id)
        if module is None or module.quiz is None or parsed.lang not in module.quiz.texts:
            return render_template("editor/unrenderable.html", revision=found), 422, PREVIEW_HEADERS
        page = quizzes.take(module_id=parsed.module_id)
    elif parsed.kind == "check":
        form = g.content_preview.check_form(parsed.lesson_id)
        if form is None or parsed.lang not in form.texts:
            return render_template("editor/unrenderable.html", revision=found), 422, PREVIEW_HEADERS
        text, fallback = form.text(g.lang)
        page = render_template("discernment/take.html", text=text, fallback=fallback, phase="before",
                               form_id=form.id, answers={}, missing=[], error=None,
                               field_name=discernment_views.field_name, submission_key=uuid.uuid4().hex)
    elif parsed.kind == "path":
        found_path = g.content_preview.learning_path(parsed.lesson_id)
        if found_path is None or parsed.lang not in found_path.texts:
            return render_template("editor/unrenderable.html", revision=found), 422, PREVIEW_HEADERS
        page = learning.learning_path.__wrapped__(path_id=parsed.lesson_id)
    else:
        if g.content_preview.module(parsed.module_id) is None:
            return render_template("editor/unrenderable.html", revision=found), 422, PREVIEW_HEADERS
        page = learning.module.__wrapped__(module_id=parsed.module_id)
    response = current_app.make_response(page)
    response.headers.update(PREVIEW_HEADERS)
    return response


@bp.post("/revisions/<int(max=2147483647):revision_id>/revert")
@editor_required
def revert(revision_id: int):
    """Publish an earlier revision's text again, as a new revision."""
    found = revision_or_404(revision_id)
    if found.text is not None:
        errors = check({found.path: found.text}).errors
        if errors:
            flash(_("That text has errors with today's content, so it was not published. Open it in the "
                    "editor to fix them."), "error")
            return redirect(url_for("editor.revision", revision_id=found.id))
    try:
        publish(found.path, found.text, _("Reverted to revision %(n)s", n=found.id), current_user.id,
                live_id(found.path))
    except ConflictError:
        flash(_("Another editor published this file a moment ago. Look at the history, then try again."), "error")
    else:
        flash(_("Published again. Learners see it now."), "success")
    return redirect(url_for("editor.file_history", path=found.path))

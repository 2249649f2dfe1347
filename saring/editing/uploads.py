"""Uploading content: one `.md` file, or a module folder as a `.zip`, kept as drafts and published together."""

from __future__ import annotations

import io
import posixpath
import zipfile

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, SubmitField

from ..content import get_library
from ..content.loader import CHECK_FILE, LESSON_FILE, MODULE_FILE, PATH_FILE, UnusableFileError, decode_text
from ..content.model import Library
from ..content.rules import MAX_FILE_BYTES
from ..extensions import db
from .models import ContentRevision
from .views import bp, editor_required
from .workspace import (
    ConflictError,
    check,
    checks_folder,
    folders,
    live_id,
    parse_path,
    paths_folder,
    publish,
    too_large,
)

MAX_ZIP_FILES = 60  # a module has a module.yml, a dozen lessons in two languages and its quiz in two
MAX_UPLOAD_BYTES = 2_000_000  # the form with a zip; each file in it stays within MAX_FILE_BYTES
A_PATH = "/paths"  # the upload form's choice for a learning path's file (no module id holds a slash)


class UploadForm(FlaskForm):
    """A file to upload, and the module a lesson file belongs to."""

    class Meta:
        locales = False

    module = SelectField(_l("Module of a lesson file, or a learning path"), validate_choice=False)
    file = FileField(_l("A .md file, or a module folder as a .zip file"),
                     validators=[FileRequired(_l("Choose a file to upload."))])
    upload = SubmitField(_l("Upload and check"))

    @classmethod
    def for_modules(cls, library: Library, **kwargs) -> UploadForm:
        """The form, offering the library's modules."""
        form = cls(**kwargs)
        form.module.choices = [("", _("(from the file's name, or a new module in the .zip)"))] + \
            [(module.id, module.title(g.lang)) for module in library.modules] + \
            [(A_PATH, _("A learning path (path-id.id.md, path-id.en.md)"))]
        return form


class UploadError(Exception):
    """An upload that cannot be used as it is; the message says why, in the editor's language."""


def upload_path(name: str, module_id: str) -> str:
    """Where an uploaded file goes, from its name and the chosen module."""
    name = posixpath.basename(name.replace("\\", "/"))
    path = path_file_path(name, module_id) or (module_file_path(name, module_id) if module_id != A_PATH else None)
    if path is None:
        raise UploadError(_("%(name)s is not a content file name: a lesson is named like 01-lesson-id.id.md "
                            "(choose its module), a quiz like module-id.en.md, a learning path like path-id.id.md.",
                            name=name))
    return path


def path_file_path(name: str, choice: str) -> str | None:
    """A learning path's file: chosen as one in the form, or named like a path that exists (orang-tua.id.md)."""
    match = PATH_FILE.fullmatch(name)
    if match is None:
        return None
    known = not choice and get_library().learning_path(match["id"]) is not None
    return f"{paths_folder()}/{name}" if choice == A_PATH or known else None


def module_file_path(name: str, module_id: str) -> str | None:
    """The path of a file of a module folder: a lesson or module.yml beside it, a quiz in quizzes/."""
    lessons, quizzes = folders()
    if CHECK_FILE.fullmatch(name):  # a form of the discernment check: a.id.md, b.en.md
        return f"{checks_folder()}/{name}"
    if LESSON_FILE.fullmatch(name) or name == MODULE_FILE:
        path = f"{lessons}/{module_id}/{name}" if module_id else None
    else:
        path = f"{quizzes}/{name}"
    parsed = parse_path(path) if path else None
    return path if parsed is not None and (parsed.kind != "quiz" or not module_id or parsed.module_id == module_id) \
        else None


def zip_paths(data: bytes) -> dict[str, bytes]:
    """A module folder's files from a .zip, by content path; nothing outside the one module folder."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UploadError(_("This is not a .zip file that can be opened.")) from None
    entries = [info for info in archive.infolist() if not info.is_dir()]
    if len(entries) > MAX_ZIP_FILES:
        raise UploadError(_("The .zip holds %(n)s files; a module folder holds at most %(max)s.",
                            n=len(entries), max=MAX_ZIP_FILES))
    lessons = folders()[0]
    tops = {info.filename.replace("\\", "/").split("/")[0] for info in entries}
    if len(tops) != 1:
        raise UploadError(_("The .zip must hold one module folder (with module.yml and its lessons) and "
                            "nothing beside it."))
    module_id = tops.pop()
    if parse_path(f"{lessons}/{module_id}/{MODULE_FILE}") is None:
        raise UploadError(_("The folder's name %(module)s cannot be a module id: use lowercase letters, digits "
                            "and hyphens.", module=module_id))
    files, outside = {}, []
    for info in entries:
        name = info.filename.replace("\\", "/")
        inside = name.split("/", 1)[1] if "/" in name else ""
        if posixpath.normpath(name) != name or name.startswith("/") or "/" in inside:
            outside.append(name)
            continue
        path = module_file_path(inside, module_id)
        if path is None:
            outside.append(name)
            continue
        if info.file_size > MAX_FILE_BYTES:
            raise UploadError(_("%(name)s: %(problem)s", name=name, problem=too_large(info.file_size)))
        with archive.open(info) as member:
            content = member.read(MAX_FILE_BYTES + 1)  # the size in the header may lie
        if len(content) > MAX_FILE_BYTES:
            raise UploadError(_("%(name)s: %(problem)s", name=name, problem=too_large(len(content))))
        files[path] = content
    if outside:
        raise UploadError(_("Nothing was saved: these files are outside the module folder %(module)s or are not "
                            "content files: %(names)s", module=module_id, names=", ".join(sorted(outside))))
    return files


@bp.post("/upload")
@editor_required
def upload():
    """Keep the uploaded file(s) as drafts and show them checked; nothing is published yet."""
    form = UploadForm.for_modules(get_library())
    if not form.validate():
        for error in form.file.errors:
            flash(error, "error")
        return redirect(url_for("editor.index"))
    upload_file = form.file.data
    data = upload_file.read(MAX_UPLOAD_BYTES + 1)
    try:
        if upload_file.filename.lower().endswith(".zip"):
            files = zip_paths(data)
        elif upload_file.filename.lower().endswith(".md") or upload_file.filename == MODULE_FILE:
            if len(data) > MAX_FILE_BYTES:
                raise UploadError(too_large(len(data)))
            files = {upload_path(upload_file.filename, form.module.data or ""): data}
        else:
            raise UploadError(_("Upload a .md file or a .zip file."))
        texts = {path: decode_text(content, path).replace("\r\n", "\n") for path, content in files.items()}
    except UploadError as error:
        flash(str(error), "error")
        return redirect(url_for("editor.index"))
    except UnusableFileError as unusable:
        flash(unusable.problem.localized_line(), "error")
        return redirect(url_for("editor.index"))
    drafts = [ContentRevision(path=path, text=text, message=_("Uploaded %(name)s", name=upload_file.filename),
                              author_id=current_user.id, base_id=live_id(path)) for path, text in texts.items()]
    db.session.add_all(drafts)
    db.session.commit()
    if len(drafts) == 1:
        return redirect(url_for("editor.file", path=drafts[0].path, revision=drafts[0].id))
    return redirect(url_for("editor.drafts", ids=",".join(str(draft.id) for draft in drafts)))


def drafts_or_404(ids: str) -> list[ContentRevision]:
    """The drafts named by a comma-separated list of ids."""
    wanted = [int(part) for part in ids.split(",") if part.isdigit() and len(part) < 10][:MAX_ZIP_FILES]
    found = list(db.session.scalars(sa.select(ContentRevision).where(ContentRevision.id.in_(wanted),
                                                                     ContentRevision.published_at.is_(None))
                                    .order_by(ContentRevision.path)))
    if not found or len({draft.path for draft in found}) != len(found):
        abort(404)
    return found


@bp.get("/drafts")
@editor_required
def drafts():
    """Several drafts (an uploaded module), checked together, to publish together."""
    found = drafts_or_404(request.args.get("ids", ""))
    checked = check({draft.path: draft.text for draft in found})
    return render_template("editor/drafts.html", drafts=found, checked=checked,
                           ids=",".join(str(draft.id) for draft in found))


@bp.post("/drafts")
@editor_required
def publish_drafts():
    """Publish drafts together when, together, they have no errors."""
    found = drafts_or_404(request.form.get("ids", ""))
    checked = check({draft.path: draft.text for draft in found})
    if checked.errors:
        flash(_("Not published: fix the errors first."), "error")
        return render_template("editor/drafts.html", drafts=found, checked=checked,
                               ids=",".join(str(draft.id) for draft in found)), 400
    conflicts = []
    for draft in found:
        try:
            publish(draft.path, draft.text, draft.message, current_user.id, draft.base_id)
        except ConflictError:
            conflicts.append(draft.path)
    if conflicts:
        flash(_("Another editor published %(paths)s after the upload; those stay drafts. Open each to compare.",
                paths=", ".join(conflicts)), "error")
    else:
        flash(_("Published %(n)s files. Learners see them now.", n=len(found)), "success")
    return redirect(url_for("editor.index"))

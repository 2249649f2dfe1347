"""The editor workspace: drafts, checks, previews, publishing and history of content, and the item report
with the running totals it reads."""

from flask import Flask, request

from . import cli, history, tallies, uploads, views
from .models import PublishedContent
from .uploads import MAX_UPLOAD_BYTES

bp = views.bp
__all__ = ["PublishedContent", "bp", "cli", "history", "init_app", "tallies", "uploads"]


def allow_larger_forms() -> None:
    """The workspace's forms carry whole files: a larger limit there than the app's (a quiz's few hundred bytes).

    Before the CSRF check, which reads the form under whatever limit holds then."""
    if request.blueprint == bp.name:
        request.max_content_length = MAX_UPLOAD_BYTES


def init_app(app: Flask) -> None:
    """Raise the form limit for the workspace, before CSRFProtect reads any form; keep the item report's tallies."""
    app.before_request(allow_larger_forms)
    tallies.init_app(app)

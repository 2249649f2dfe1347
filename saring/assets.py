"""Static files under names that change with their content, so browsers keep them for a year."""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, request, url_for

bp = Blueprint("assets", __name__)
ONE_YEAR = 365 * 24 * 3600
EXTENSION_KEY = "saring.assets"


def hashed_names(folder: Path) -> dict[str, str]:
    """Each file's name with the start of its content's digest: saring.css -> saring.1a2b3c4d5e.css."""
    names = {}
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = file.relative_to(folder).as_posix()
        digest = hashlib.sha256(file.read_bytes()).hexdigest()[:10]
        stem, dot, suffix = name.rpartition(".")
        names[name] = f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"
    return names


@dataclass(frozen=True)
class AssetIndex:
    """The static folder's files by name and by hashed name."""

    hashed: dict[str, str]
    names: dict[str, str]
    contents: dict[str, bytes]


def asset_url(name: str, external: bool = False) -> str:
    """The address of a static file, under its hashed name (with the host, for another app to fetch)."""
    return url_for("assets.file", hashed=current_app.extensions[EXTENSION_KEY].hashed[name], _external=external)


@bp.get("/assets/<path:hashed>")
def file(hashed: str):
    """A static file by its hashed name, cached for a year and never revalidated."""
    index = current_app.extensions[EXTENSION_KEY]
    name = index.names.get(hashed) or abort(404)
    response = Response(index.contents[name], mimetype=mimetypes.guess_type(name)[0] or "application/octet-stream")
    response.cache_control.public = True
    response.cache_control.max_age = ONE_YEAR
    response.cache_control.immutable = True
    response.add_etag()
    return response.make_conditional(request)


def add_validators(response):
    """Pages carry an ETag and are revalidated, so an unchanged page answers 304 with no body."""
    if request.method in ("GET", "HEAD") and response.status_code == 200 and response.mimetype == "text/html":
        response.add_etag()  # a kept page brings its own
        response.cache_control.no_cache = True
        if "HTTP_IF_NONE_MATCH" in request.environ or "HTTP_IF_MODIFIED_SINCE" in request.environ:
            response.make_conditional(request)
    return response


def init_app(app: Flask) -> None:
    """Index the static folder, serve it, and add validators to pages (before compression runs)."""
    folder = Path(app.config["STATIC_DIR"])
    names = hashed_names(folder)
    # a few small files, read once: served from memory (and compressed like pages)
    contents = {name: (folder / name).read_bytes() for name in names}
    app.extensions[EXTENSION_KEY] = AssetIndex(names, {hashed: name for name, hashed in names.items()}, contents)
    app.jinja_env.globals["asset_url"] = asset_url
    app.register_blueprint(bp)
    app.after_request(add_validators)  # registered after Flask-Compress, so it runs before it

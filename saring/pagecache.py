"""Rendered pages kept in each process's memory, keyed by everything they show.

A visitor's lesson is the same HTML for every visitor, and a learner's home only changes when
something on it changes. Both are kept once rendered. A learner's pages are keyed by their account's
`pages_version`, which goes up in the same transaction as any change shown on those pages (progress,
attempts, classes, assignments, roles, names): models declare who sees them with `@shown_to`, and a
flush hook does the counting, so every process notices through the database.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, request, session
from flask_wtf.csrf import generate_csrf, validate_csrf
from sqlalchemy.orm import Session
from werkzeug.http import generate_etag
from wtforms import ValidationError

from .content import get_library
from .i18n import current_language, local_today

EXTENSION_KEY = "saring.pages"
USERS = sa.table("users", sa.column("id"), sa.column("pages_version"))

# model class -> who sees it: user ids, or a SELECT of user ids
Viewers = Callable[[object], "Iterable[int] | sa.Select"]
_VIEWERS: dict[type, Viewers] = {}


def shown_to(viewers: Viewers):
    """Class decorator: changing a row of this model changes the pages of `viewers(row)`."""
    def register(model: type) -> type:
        _VIEWERS[model] = viewers
        return model
    return register


def renew_viewers_pages(db_session, _flush_context) -> None:
    """After a flush, count one more version for everyone who sees a row that changed."""
    ids: set[int] = set()
    selects = []
    for row in (*db_session.new, *db_session.dirty, *db_session.deleted):
        viewers = _VIEWERS.get(type(row))
        if viewers is None or (row in db_session.dirty and not db_session.is_modified(row)):
            continue
        found = viewers(row)
        if isinstance(found, sa.Select):
            selects.append(found)
        else:
            ids.update(i for i in found if i is not None)
    if not ids and not selects:
        return
    who = [USERS.c.id.in_(sorted(ids))] if ids else []
    who += [USERS.c.id.in_(select) for select in selects]
    db_session.connection().execute(
        sa.update(USERS).where(sa.or_(*who)).values(pages_version=USERS.c.pages_version + 1))


@dataclass(frozen=True)
class KeptPage:
    """A rendered page's bytes and their ETag, computed once, and the page compressed, once per encoding."""

    body: bytes
    etag: str
    compressed: dict[str, bytes] = field(default_factory=dict, compare=False)

    @property
    def size(self) -> int:
        """What it takes of the store's bound."""
        return len(self.body) + sum(len(data) for data in self.compressed.values())

    def response(self) -> Response:
        """The page as a response, validators included."""
        response = Response(self.body, mimetype="text/html")
        response.set_etag(self.etag)
        return response


class PageCache:
    """Rendered pages with their ETags, least recently used dropped first beyond `max_bytes` in all."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self.items: OrderedDict[Hashable, KeptPage] = OrderedDict()
        self.lock = threading.Lock()  # gunicorn's threads share a worker's pages

    def __len__(self) -> int:
        return len(self.items)

    def get(self, key: Hashable) -> KeptPage | None:
        """The page kept under `key`, marked as recently used."""
        with self.lock:
            found = self.items.get(key)
            if found is not None:
                self.items.move_to_end(key)
            return found

    def put(self, key: Hashable, text: str) -> KeptPage | None:
        """Keep a rendered page, dropping the least recently used ones beyond the size bound; the page kept."""
        body = text.encode()
        if len(body) > self.max_bytes:
            return None
        page = KeptPage(body, generate_etag(body))
        with self.lock:
            old = self.items.pop(key, None)
            self.size += page.size - (old.size if old is not None else 0)
            self.items[key] = page
            self.make_room()
        return page

    def add_compressed(self, key: Hashable, page: KeptPage, encoding: str, data: bytes) -> None:
        """Keep `page`, kept under `key`, compressed by `encoding` too, counted in the bound (unless it has gone
        from the store meanwhile)."""
        with self.lock:
            if encoding not in page.compressed and self.items.get(key) is page:
                page.compressed[encoding] = data
                self.size += len(data)
                self.make_room()

    def make_room(self) -> None:
        """Drop the least recently used pages beyond the bound (the caller holds the lock)."""
        while self.size > self.max_bytes:
            _, dropped = self.items.popitem(last=False)
            self.size -= dropped.size


class CompressedKeptPages:
    """Flask-Compress's cache (COMPRESS_CACHE_BACKEND): a kept page is compressed once per encoding, and the
    bytes kept with it. Only the page this request is answered with (`g.kept_page`) is ever looked up, so no
    other response can be given its bytes; every other response is compressed as usual."""

    def __init__(self, pages: PageCache):
        self.pages = pages

    def get(self, key: str) -> bytes | None:
        """The kept page compressed by the encoding `key` starts with, if it was."""
        page = g.get("kept_page")
        return page.compressed.get(key.split(";", 1)[0]) if page is not None else None

    def set(self, key: str, data: bytes) -> None:
        """Keep the kept page's bytes compressed by that encoding."""
        page = g.get("kept_page")
        if page is not None:
            self.pages.add_compressed(g.kept_page_key, page, key.split(";", 1)[0], data)


def owner_loader(loader: Callable[[], tuple | bool | None]):
    """Decorator for the accounts feature's hook: the signed-in account's (id, sign-in, pages) versions,
    None for a visitor, False when the session's pages must not be kept (say, an expired session)."""
    global _owner_of_session
    _owner_of_session = loader
    return loader


def _no_owner() -> None:
    return None


_owner_of_session: Callable[[], tuple | bool | None] = _no_owner


def page_key() -> tuple | None:
    """Everything the current page can depend on, or None when it must not be kept."""
    if "_flashes" in session:
        return None
    owner = _owner_of_session()
    if owner is False:
        return None
    # no kept page reads its query (a poster's ?from=, a share's fbclid): with one it is the same page
    key = (request.scheme, request.host, request.path, current_language(), local_today(), id(get_library()))
    if owner is not None:
        token = session.get("csrf_token")
        if token is None:
            return None  # the page will make one; keep the next rendering instead
        key += (*owner, token)
    return key


def serve_kept_page():
    """Before anything else runs (even loading the account): the kept text of a page that keeps."""
    pages: PageCache | None = current_app.extensions.get(EXTENSION_KEY)
    view = current_app.view_functions.get(request.endpoint)
    if pages is None or request.method != "GET" or not getattr(view, "kept", False):
        return None
    g.page_key = key = page_key()
    kept = pages.get(key) if key is not None else None
    if kept is None:
        return None
    g.kept_page, g.kept_page_key = kept, key
    return kept.response()


def kept_page(view):
    """View decorator: this page is kept once rendered, and served again while nothing it shows changes."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        page = view(*args, **kwargs)
        key = g.pop("page_key", None)
        # only a plain 200 page that set nothing in the session (a new CSRF token, a message), asked without a
        # query: its language links carry the query, and junk queries must never push real pages out
        if key is not None and isinstance(page, str) and not session.modified and not request.args:
            g.kept_page, g.kept_page_key = current_app.extensions[EXTENSION_KEY].put(key, page), key
        return page
    wrapper.kept = True
    return wrapper


def keep_not() -> None:
    """This rendering of a kept page is not to be kept: the next request for it runs the view again."""
    g.pop("page_key", None)


def page_csrf_token() -> str:
    """The session's CSRF token, signed once and kept: a page renders the same bytes each time,
    in every process, so it can be kept and its ETag holds (Flask-WTF signs a new one per request)."""
    kept = session.get("csrf_page_token")
    if kept is not None:
        try:
            validate_csrf(kept)
            return kept
        except ValidationError:
            pass  # the session's token changed: sign the new one
    token = session["csrf_page_token"] = generate_csrf()
    return token


def init_app(app: Flask) -> None:
    """Keep pages when PAGE_CACHE_BYTES allows, and count page versions on every flush."""
    # instead of Flask-WTF's, which it offers through a context processor: a later one wins
    app.context_processor(lambda: {"csrf_token": page_csrf_token})
    if app.config["PAGE_CACHE_BYTES"]:
        pages = app.extensions[EXTENSION_KEY] = PageCache(app.config["PAGE_CACHE_BYTES"])
        # read by Flask-Compress when the factory binds it, after this
        app.config.update(COMPRESS_CACHE_BACKEND=lambda: CompressedKeptPages(pages),
                          COMPRESS_CACHE_KEY=lambda _request: "the kept page")
        app.before_request(serve_kept_page)  # first, as the factory calls this before any feature
    if not sa.event.contains(Session, "after_flush", renew_viewers_pages):
        sa.event.listen(Session, "after_flush", renew_viewers_pages)

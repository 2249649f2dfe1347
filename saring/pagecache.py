"""Rendered pages kept in each process's memory, keyed by everything they show.

A visitor's lesson is the same HTML for every visitor, and a learner's home only changes when
something on it changes. Both are kept once rendered. A learner's pages are keyed by their account's
`pages_version`, which goes up in the same transaction as any change shown on those pages (progress,
attempts, classes, assignments, roles, names): models declare who sees them with `@shown_to`, and a
flush hook does the counting, so every process notices through the database. In front of Flask,
SharedPages replays a kept answer as sent to requests that would get the same answer.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, request, session
from flask_wtf.csrf import generate_csrf, validate_csrf
from sqlalchemy.orm import Session
from werkzeug.http import generate_etag, parse_cookie
from wtforms import ValidationError

from .content import get_library
from .i18n import LANG_COOKIE, current_language, local_today
from .logs import ENVIRON_USER_ID

EXTENSION_KEY = "saring.pages"
SHARED_KEY = "saring.shared_pages"
SHAREABLE = "saring.shareable"  # in the WSGI environ when Flask answered with a kept page: for whom (or ())
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
    """A rendered page's bytes and their ETag, computed once."""

    body: bytes
    etag: str

    def response(self) -> Response:
        """The page as a response, validators included."""
        response = Response(self.body, mimetype="text/html")
        response.set_etag(self.etag)
        return response


class SizedStore:
    """A least-recently-used store of things with a `body`, bounded by the bodies' total size."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self.items: OrderedDict[Hashable, KeptPage | SharedAnswer] = OrderedDict()
        self.lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.items)

    def get(self, key: Hashable):
        """The thing stored under `key`, marked as recently used."""
        with self.lock:
            found = self.items.get(key)
            if found is not None:
                self.items.move_to_end(key)
            return found

    def put(self, key: Hashable, item) -> None:
        """Store `item`, dropping the least recently used ones beyond the size bound."""
        if len(item.body) > self.max_bytes:
            return
        with self.lock:
            old = self.items.pop(key, None)
            self.size += len(item.body) - (len(old.body) if old is not None else 0)
            self.items[key] = item
            while self.size > self.max_bytes:
                _, dropped = self.items.popitem(last=False)
                self.size -= len(dropped.body)

    def clear(self) -> None:
        """Forget everything (as after a restart)."""
        with self.lock:
            self.items.clear()
            self.size = 0


class PageCache(SizedStore):
    """Rendered pages, with their ETags."""

    def put(self, key: Hashable, text: str) -> None:
        """Store a rendered page."""
        body = text.encode()
        super().put(key, KeptPage(body, generate_etag(body)))


@dataclass(frozen=True)
class SharedAnswer:
    """A response exactly as Flask sent it, for whom (an account's versions, or () for a visitor), and until when."""

    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    owner: tuple
    until: float


class SharedPages:
    """WSGI middleware in front of Flask: a kept page, exactly as Flask answered it (headers included),
    is replayed for `seconds` to requests that would get the same answer from Flask: a GET for the same
    address, with the same encodings, the same `lang` cookie and the same session cookie, byte for byte
    (so the same person and the same form token), no other cookie and no validators. A learner's page
    is replayed only while their account's versions are the ones it was made for (one small query);
    a visitor's page, to visitors. A lesson shared in a WhatsApp group brings many visitors at once,
    and a learner's home is opened again and again."""

    def __init__(self, wsgi_app: Callable, app: Flask, max_bytes: int, seconds: float,
                 clock: Callable[[], float] = time.monotonic):
        self.wsgi_app, self.app, self.seconds, self.clock = wsgi_app, app, seconds, clock
        self.answers = SizedStore(max_bytes)

    def key(self, environ: dict) -> tuple | None:
        """What the answer may depend on, or None when this request must go to Flask."""
        if environ["REQUEST_METHOD"] != "GET" or "HTTP_IF_NONE_MATCH" in environ \
                or "HTTP_IF_MODIFIED_SINCE" in environ:
            return None
        cookies = parse_cookie(environ["HTTP_COOKIE"]) if "HTTP_COOKIE" in environ else {}
        session_cookie = self.app.config["SESSION_COOKIE_NAME"]
        if any(name not in (LANG_COOKIE, session_cookie) for name in cookies):
            return None
        return (environ["wsgi.url_scheme"], environ.get("HTTP_HOST"), environ.get("SCRIPT_NAME"),
                environ.get("PATH_INFO"), environ.get("QUERY_STRING"), environ.get("HTTP_ACCEPT_ENCODING"),
                cookies.get(LANG_COOKIE), cookies.get(session_cookie))

    def still_current(self, owner: tuple) -> bool:
        """Whether the account a page was made for has the same versions now (always, for a visitor)."""
        if not owner:
            return True
        with self.app.app_context():
            return _versions_of_account(*owner[:2]) == owner

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        key = self.key(environ)
        if key is None:
            return self.wsgi_app(environ, start_response)
        shared = self.answers.get(key)
        if shared is not None and shared.until > self.clock() and self.still_current(shared.owner):
            environ[ENVIRON_USER_ID] = shared.owner[0] if shared.owner else None  # for the request's log line
            start_response(shared.status, list(shared.headers))
            return [shared.body]
        sent: list = []

        def keep_headers(status, headers, exc_info=None):
            sent[:] = [status, headers]
            return start_response(status, headers, exc_info)
        answer = self.wsgi_app(environ, keep_headers)
        owner = environ.get(SHAREABLE)
        if owner is None or not sent or sent[0] != "200 OK" \
                or any(name.lower() == "set-cookie" and not value.startswith(f"{LANG_COOKIE}=")
                       for name, value in sent[1]):
            return answer
        body = b"".join(answer)
        if hasattr(answer, "close"):
            answer.close()
        self.answers.put(key, SharedAnswer(sent[0], tuple(sent[1]), body, owner, self.clock() + self.seconds))
        return [body]


def owner_loader(loader: Callable[[], tuple | bool | None]):
    """Decorator for the accounts feature's hook: the signed-in account's (id, sign-in, pages) versions,
    None for a visitor, False when the session's pages must not be kept (say, an expired session)."""
    global _owner_of_session
    _owner_of_session = loader
    return loader


def versions_loader(loader: Callable[[int, int], tuple | None]):
    """Decorator for the accounts feature's hook: (account id, sign-in id, pages version) by the first two,
    None when its pages must not be kept (signed out, or a first password to change)."""
    global _versions_of_account
    _versions_of_account = loader
    return loader


def _no_owner(*_account) -> None:
    return None


_owner_of_session: Callable[[], tuple | bool | None] = _no_owner
_versions_of_account: Callable[[int, int], tuple | None] = _no_owner


def page_key() -> tuple | None:
    """Everything the current page can depend on, or None when it must not be kept."""
    if "_flashes" in session:
        return None
    owner = _owner_of_session()
    if owner is False:
        return None
    # no kept page reads its query (a poster's ?from=, a share's fbclid): with one it is the same page
    key = (request.scheme, request.host, request.path, current_language(), local_today(), id(get_library()))
    g.page_owner = owner or ()  # () for a visitor
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
    request.environ[SHAREABLE] = g.page_owner
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
            current_app.extensions[EXTENSION_KEY].put(key, page)
            request.environ[SHAREABLE] = g.page_owner
        return page
    wrapper.kept = True
    return wrapper


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


def share_kept_pages(app: Flask) -> None:
    """Put SharedPages around the app: called first, so the request log and the proxy's headers wrap it."""
    if app.config["PAGE_CACHE_BYTES"] and app.config["SHARED_PAGE_SECONDS"]:
        app.wsgi_app = app.extensions[SHARED_KEY] = SharedPages(
            app.wsgi_app, app, app.config["PAGE_CACHE_BYTES"], app.config["SHARED_PAGE_SECONDS"])


def init_app(app: Flask) -> None:
    """Keep pages when PAGE_CACHE_BYTES allows, and count page versions on every flush."""
    # instead of Flask-WTF's, which it offers through a context processor: a later one wins
    app.context_processor(lambda: {"csrf_token": page_csrf_token})
    if app.config["PAGE_CACHE_BYTES"]:
        app.extensions[EXTENSION_KEY] = PageCache(app.config["PAGE_CACHE_BYTES"])
        app.before_request(serve_kept_page)  # first, as the factory calls this before any feature
    if not sa.event.contains(Session, "after_flush", renew_viewers_pages):
        sa.event.listen(Session, "after_flush", renew_viewers_pages)

"""Keeps the loaded Library on the app; reloads it when editors publish, and when files change in development."""

from __future__ import annotations

import os
import threading
import time
from typing import Protocol

from flask import Flask, current_app, g

from .loader import CHECKS, PATHS, load_library
from .model import Library

EXTENSION_KEY = "saring.content"
# Content loaded in this process, by folders, with the files' stamp it was loaded from: another app
# built from the same unchanged files (tests build many) does not render everything again.
_loaded: dict[tuple[str, str], tuple[tuple, Library]] = {}


class Published(Protocol):
    """Texts published in the editor (saring.editing), which override or add files."""

    def version(self) -> int:
        """A number that grows with every publish."""

    def texts(self) -> tuple[int, dict[str, str]]:
        """The version and the published texts by path."""


class ContentStore:
    """Loads content at start-up; again when the published version changes, and (CONTENT_RELOAD) a file does.
    With `log_problems`, every load logs each problem once (a served app); otherwise the caller reports them."""

    def __init__(self, app: Flask, published: Published | None = None, log_problems: bool = True):
        self.lessons_dir = app.config["CONTENT_LESSONS_DIR"]
        self.quizzes_dir = app.config["CONTENT_QUIZZES_DIR"]
        self.reload = app.config["CONTENT_RELOAD"]
        self.cache_file = app.config["CONTENT_CACHE_FILE"]
        self.poll_seconds = float(app.config["CONTENT_POLL_SECONDS"])
        self.logger = app.logger
        self.published = published
        self.log_problems = log_problems
        self._lock = threading.Lock()
        self._next_poll = 0.0
        self._stamp = self._files_stamp()
        # what editors published is read by the first request's poll, not here: building the app (for a
        # command that never touches the database, or before the database exists) opens no connection
        self._version: int | None = None
        self._overrides: dict[str, str] = {}
        self._library = self._load(self._stamp)

    @property
    def library(self) -> Library:
        """The current content: a preview's, or the live one after checking for a publish or a changed file."""
        in_request = bool(g)  # an app context: a request, or a command
        if in_request and g.get("content_preview") is not None:
            return g.content_preview
        if self.published is not None and time.monotonic() >= self._next_poll \
                and not (in_request and g.get("content_polled")):
            if in_request:
                g.content_polled = True  # once a request is enough
            self._poll()
        if self.reload:
            stamp = self._files_stamp()
            if stamp != self._stamp:
                with self._lock:
                    if stamp != self._stamp:
                        self._library, self._stamp = self._load(stamp), stamp
        return self._library

    @property
    def overrides(self) -> dict[str, str]:
        """The published texts by path, as the current content holds them."""
        self.library  # noqa: B018 (polls first)
        return self._overrides

    def refresh(self) -> None:
        """Load what is published now (after this process published, without waiting for the next poll)."""
        with self._lock:
            self._version, self._overrides = self.published.texts()
            self._library = self._load(self._stamp)

    def _poll(self) -> None:
        """Reload when another process (or this one) published; on a database fault keep serving what is loaded."""
        self._next_poll = time.monotonic() + self.poll_seconds
        try:
            version = self.published.version()
        except Exception as error:  # a lesson must still be served while the database is down
            self.logger.warning("content: cannot read the published version: %r", error)
            return
        if version != self._version and self._lock.acquire(blocking=False):
            try:  # the first request to notice loads; the others serve the loaded content meanwhile
                self._version, self._overrides = self.published.texts()
                self._library = self._load(self._stamp)
            except Exception as error:
                self.logger.warning("content: cannot read the published texts: %r", error)
            finally:
                self._lock.release()

    def _load(self, stamp: frozenset) -> Library:
        """Load the content, reusing what this process already loaded from the same files and published texts."""
        key = (self.lessons_dir, self.quizzes_dir)
        state = (stamp, tuple(sorted(self._overrides.items())))
        loaded_state, library = _loaded.get(key, (None, None))
        if loaded_state != state or library is None:
            library = load_library(self.lessons_dir, self.quizzes_dir, self.cache_file, self._overrides)
            _loaded[key] = (state, library)
        if self.log_problems:
            for problem in library.problems:
                self.logger.warning("content: %s", problem)
        return library

    def _files_stamp(self) -> frozenset:
        """Every content file's path, size and modification time."""
        stamp = set()
        beside_quizzes = [os.path.join(os.path.dirname(self.quizzes_dir), name) for name in (CHECKS, PATHS)]
        for top in (self.lessons_dir, self.quizzes_dir, *beside_quizzes):
            for folder, _, names in os.walk(top):
                for name in names:
                    try:
                        info = os.stat(os.path.join(folder, name))
                    except OSError:  # a dangling link is reported by the loader, not here
                        continue
                    stamp.add((folder, name, info.st_size, info.st_mtime_ns))
        return frozenset(stamp)


def init_app(app: Flask, published: Published | None = None, log_problems: bool | None = None) -> None:
    """Load the content and attach the store to the app (keeping the published texts' source and the logging
    on a reload); `log_problems` logs every problem found."""
    before = app.extensions.get(EXTENSION_KEY)
    app.extensions[EXTENSION_KEY] = ContentStore(
        app, published or (before.published if before else None),
        log_problems if log_problems is not None else (before.log_problems if before else True))


def get_store() -> ContentStore:
    """The current app's content store."""
    return current_app.extensions[EXTENSION_KEY]


def get_library() -> Library:
    """The content of the current app."""
    return current_app.extensions[EXTENSION_KEY].library

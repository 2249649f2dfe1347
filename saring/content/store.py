"""Keeps the loaded Library on the app; reloads it when files change in development."""

from __future__ import annotations

import os
import threading

from flask import Flask, current_app

from .loader import load_library
from .model import Library

EXTENSION_KEY = "saring.content"
# Content loaded in this process, by folders, with the files' stamp it was loaded from: another app
# built from the same unchanged files (tests build many) does not render everything again.
_loaded: dict[tuple[str, str], tuple[frozenset, Library]] = {}


class ContentStore:
    """Loads content once at start-up; with CONTENT_RELOAD, again whenever a file changes. With
    `log_problems`, every load logs each problem once (a served app); otherwise the caller reports them."""

    def __init__(self, app: Flask, log_problems: bool = True):
        self.lessons_dir = app.config["CONTENT_LESSONS_DIR"]
        self.quizzes_dir = app.config["CONTENT_QUIZZES_DIR"]
        self.reload = app.config["CONTENT_RELOAD"]
        self.cache_file = app.config["CONTENT_CACHE_FILE"]
        self.logger = app.logger
        self.log_problems = log_problems
        self._lock = threading.Lock()
        self._stamp = self._files_stamp()
        self._library = self._load(self._stamp)

    @property
    def library(self) -> Library:
        """The current content; in development, reloaded first if any file changed."""
        if self.reload:
            stamp = self._files_stamp()
            if stamp != self._stamp:
                with self._lock:
                    if stamp != self._stamp:
                        self._library, self._stamp = self._load(stamp), stamp
        return self._library

    def _load(self, stamp: frozenset) -> Library:
        """Load the content, reusing what this process already loaded from the same, unchanged files."""
        key = (self.lessons_dir, self.quizzes_dir)
        loaded_stamp, library = _loaded.get(key, (None, None))
        if loaded_stamp != stamp or library is None:
            library = load_library(self.lessons_dir, self.quizzes_dir, self.cache_file)
            _loaded[key] = (stamp, library)
        if self.log_problems:
            for problem in library.problems:
                self.logger.warning("content: %s", problem)
        return library

    def _files_stamp(self) -> frozenset:
        """Every content file's path, size and modification time."""
        stamp = set()
        for top in (self.lessons_dir, self.quizzes_dir):
            for folder, _, names in os.walk(top):
                for name in names:
                    try:
                        info = os.stat(os.path.join(folder, name))
                    except OSError:  # a dangling link is reported by the loader, not here
                        continue
                    stamp.add((folder, name, info.st_size, info.st_mtime_ns))
        return frozenset(stamp)


def init_app(app: Flask, log_problems: bool = True) -> None:
    """Load the content and attach the store to the app; `log_problems` logs every problem found."""
    app.extensions[EXTENSION_KEY] = ContentStore(app, log_problems)


def get_library() -> Library:
    """The content of the current app."""
    return current_app.extensions[EXTENSION_KEY].library

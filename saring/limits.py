"""Limits on guessing (Flask-Limiter): form posts per address, wrong passwords per account.

- Per address: each POST to log in, sign up, change or choose a password, join a class or delete an account
  counts against RATELIMIT_PER_ADDRESS for the client's address, generous because a whole class
  may sign in at once from one school address. Opening a join link says whether its code opens a
  class, so those count too, apart from the posts (a class opens the link, then joins).
- Per account: each password tried for a username, whatever the address and whether the account
  exists or not, takes a place in RATELIMIT_FAILED_LOGINS before it is checked, so guesses sent at
  the same moment can never check more passwords than the limit; the right password gives the
  account's places back. Past the limit, that username is refused until the oldest try leaves the
  window. Nothing is ever locked for good.

The counts live in RATELIMIT_STORAGE_URI: `database://` (the default) counts in Saring's own database,
so every gunicorn worker and every instance on that database counts together; Redis does the same
with less work for the database; `memory://` counts in one process alone and is refused in production.
When the storage does not answer (within REDIS_TIMEOUT_S for Redis), each process counts in its own
memory, says so once in the log, and tries the storage again now and then. Each app gets a limiter of
its own rather than one shared in saring.extensions, because Flask-Limiter keeps the storage and the
key prefix on the object.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import math
import random
import time
from time import monotonic

import sqlalchemy as sa
from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, MovingWindowSupport, Storage
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.exceptions import TooManyRequests

from .database import UNAVAILABLE
from .extensions import db

PER_ADDRESS = ("accounts.login", "accounts.signup", "accounts.change_password", "accounts.first_password",
               "privacy.delete_account")
JOIN = "classes.join"  # its posts, and its links with a code, each counted on their own
FAILED_PASSWORDS = "failed-passwords"
REDIS_TIMEOUT_S = 0.25  # to connect, and for each answer: a hung Redis must not hold a worker
RETRY_STORAGE_S = 30  # while the storage is down, each process counts alone and asks again this often
PRUNE_EVERY = 100  # about one taken place in this many also clears every expired one


class TooManyFailedPasswords(TooManyRequests):
    """Too many wrong passwords for one account lately; it may try again in `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__()
        self.retry_after = retry_after


class LimitHit(db.Model):
    """One place taken in a limit's moving window (the database storage), until `expires_at`."""

    __tablename__ = "limit_hits"
    __table_args__ = (sa.Index("ix_limit_hits_key_expires_at", "key", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64))  # a digest: the table holds no address and no username
    expires_at: Mapped[float]  # seconds since the epoch


class DatabaseStorage(Storage, MovingWindowSupport):
    """A storage for `limits` in the app's own database (`database://`), moving window only.

    Taking a place is one short transaction of its own that other processes wait for: SQLite's write
    lock, or a PostgreSQL advisory lock on the key, so the count and the insert are never interleaved.
    """

    STORAGE_SCHEME = ["database"]  # noqa: RUF012 (how `limits` registers a storage)

    @property
    def base_exceptions(self) -> tuple[type[Exception], ...]:
        """A database that cannot answer now, as opposed to a bug."""
        return UNAVAILABLE

    @contextlib.contextmanager
    def serialised(self, key: str):
        """A connection in a transaction that no other process counts `key` in at the same time."""
        with db.engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": int(key[:15], 16)})
            yield connection
            connection.commit()

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        """Take `amount` places in `key`'s window unless fewer than that are free."""
        if amount > limit:
            return False
        now, key = time.time(), digest(key)
        with self.serialised(key) as connection:
            if random.randrange(PRUNE_EVERY) == 0:
                connection.execute(sa.delete(LimitHit).where(LimitHit.expires_at < now))
            else:
                connection.execute(sa.delete(LimitHit).where(LimitHit.key == key, LimitHit.expires_at < now))
            taken = connection.execute(sa.select(sa.func.count()).where(LimitHit.key == key)).scalar()
            if taken + amount > limit:
                return False
            connection.execute(sa.insert(LimitHit), [{"key": key, "expires_at": now + expiry}] * amount)
            return True

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        """When the oldest place in `key`'s window was taken, and how many are taken."""
        now = time.time()
        with db.engine.connect() as connection:
            taken, oldest = connection.execute(sa.select(sa.func.count(), sa.func.min(LimitHit.expires_at)).where(
                LimitHit.key == digest(key), LimitHit.expires_at >= now)).one()
        return (oldest - expiry, taken) if taken else (now, 0)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Take `amount` places whatever the limit; how many are taken now."""
        now, key = time.time(), digest(key)
        with self.serialised(key) as connection:
            connection.execute(sa.insert(LimitHit), [{"key": key, "expires_at": now + expiry}] * amount)
            return connection.execute(sa.select(sa.func.count()).where(
                LimitHit.key == key, LimitHit.expires_at >= now)).scalar()

    def get(self, key: str) -> int:
        """How many places are taken in `key`'s window."""
        with db.engine.connect() as connection:
            return connection.execute(sa.select(sa.func.count()).where(
                LimitHit.key == digest(key), LimitHit.expires_at >= time.time())).scalar()

    def get_expiry(self, key: str) -> float:
        """When the last place taken in `key` expires (now, when none is taken)."""
        with db.engine.connect() as connection:
            latest = connection.execute(sa.select(sa.func.max(LimitHit.expires_at)).where(
                LimitHit.key == digest(key))).scalar()
        return max(latest or 0, time.time())

    def check(self) -> bool:
        """Whether the database answers."""
        try:
            with db.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
            return True
        except UNAVAILABLE:
            return False

    def reset(self) -> int:
        """Give back every place of every limit."""
        with db.engine.begin() as connection:
            return connection.execute(sa.delete(LimitHit)).rowcount

    def clear(self, key: str) -> None:
        """Give back every place taken in `key`."""
        with db.engine.begin() as connection:
            connection.execute(sa.delete(LimitHit).where(LimitHit.key == digest(key)))


def digest(key: str) -> str:
    """What the database storage keeps of a limit's key."""
    return hashlib.sha256(key.encode()).hexdigest()


class AccountLimits:
    """The per-account limit's strategy on the configured storage, and a count in memory while it is down."""

    def __init__(self, storage: Storage):
        self.limiter = MovingWindowRateLimiter(storage)
        self.fallback = MovingWindowRateLimiter(MemoryStorage())
        self.retry_at: float | None = None  # while the storage is down: when to ask it again

    def run(self, operation):
        """operation(strategy) on the storage; on the memory count while the storage is down or fails now."""
        if self.retry_at is None or monotonic() >= self.retry_at:
            try:
                result = operation(self.limiter)
            except self.limiter.storage.base_exceptions as error:
                if self.retry_at is None:
                    current_app.logger.warning("rate limit storage unreachable: each process counts alone until "
                                               "it is back", extra={"fields": {"exception": type(error).__name__}})
                self.retry_at = monotonic() + RETRY_STORAGE_S
            else:
                if self.retry_at is not None:
                    current_app.logger.info("rate limit storage answers again")
                    self.retry_at = None
                return result
        return operation(self.fallback)


def init_app(app: Flask) -> None:
    """Give the app its limiter, limit the guessable forms per address, and answer 429 with a page."""
    # swallow_errors: a thread that finds the storage failing after another thread switched to the memory
    # count lets its request through instead of failing it
    limiter = Limiter(get_remote_address, strategy="moving-window", in_memory_fallback_enabled=True,
                      swallow_errors=True, storage_uri=app.config["RATELIMIT_STORAGE_URI"],
                      storage_options=storage_options(app.config), key_prefix=app.config["RATELIMIT_KEY_PREFIX"])
    limiter.init_app(app)
    limiter.request_filter(lambda: request.method != "POST" and not looks_up_a_code())  # pages skip the work
    app.extensions["saring.limiter"] = limiter
    if limiter.enabled:  # a switched-off limiter has no storage
        app.extensions["saring.account_limits"] = AccountLimits(limiter.storage)
    per_address = limiter.limit(app.config["RATELIMIT_PER_ADDRESS"], methods=["POST"])
    for endpoint in PER_ADDRESS:
        app.view_functions[endpoint] = per_address(app.view_functions[endpoint])
    joining = limiter.limit(app.config["RATELIMIT_PER_ADDRESS"], methods=["GET", "POST"], per_method=True)
    app.view_functions[JOIN] = joining(app.view_functions[JOIN])
    app.register_error_handler(429, too_many_tries)


def storage_options(config) -> dict:
    """Redis: short timeouts and no retries, so a stalled server costs a request a fraction of a second."""
    if not str(config["RATELIMIT_STORAGE_URI"]).startswith("redis"):
        return {}
    # imported only for Redis: the client costs each worker about 4 MB, and the default needs none of it
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return {"socket_connect_timeout": REDIS_TIMEOUT_S, "socket_timeout": REDIS_TIMEOUT_S,
            "retry": Retry(NoBackoff(), 0), "health_check_interval": 0}


def looks_up_a_code() -> bool:
    """Whether this request opens a join link, which shows the class its code opens."""
    return request.endpoint == JOIN and "code" in (request.view_args or {})


def current_limiter() -> Limiter:
    """This app's limiter."""
    return current_app.extensions["saring.limiter"]


def take_password_try(username: str) -> None:
    """Take a place for one password try for `username` before it is checked; raise TooManyFailedPasswords
    (429) when the account has none left. A wrong password keeps it; `give_back_password_tries` after the
    right one."""
    if not current_limiter().enabled:
        return
    item, keys = failed_passwords_limit(), failed_password_keys(username)

    def take(strategy):
        if strategy.hit(item, *keys):
            return None
        return strategy.get_window_stats(item, *keys)[0]
    reset_at = current_app.extensions["saring.account_limits"].run(take)
    if reset_at is not None:
        raise TooManyFailedPasswords(retry_after=reset_at - time.time())


def give_back_password_tries(username: str) -> None:
    """The right password for `username` was given: its earlier wrong ones no longer count."""
    if not current_limiter().enabled:
        return
    item, keys = failed_passwords_limit(), failed_password_keys(username)
    current_app.extensions["saring.account_limits"].run(lambda strategy: strategy.clear(item, *keys))


def failed_passwords_limit() -> RateLimitItem:
    """RATELIMIT_FAILED_LOGINS as a limit."""
    return parsed(current_app.config["RATELIMIT_FAILED_LOGINS"])


@functools.lru_cache(maxsize=8)
def parsed(limit: str) -> RateLimitItem:
    """A limit such as "10 per 15 minutes", parsed once."""
    return parse(limit)


def failed_password_keys(username: str) -> list[str]:
    """Where a username's failures are counted: keyed by a digest, so the storage holds no usernames."""
    key = hmac.new(current_app.config["SECRET_KEY"].encode(), username.encode(), hashlib.sha256).hexdigest()
    return [current_app.config["RATELIMIT_KEY_PREFIX"], FAILED_PASSWORDS, key[:32]]


def too_many_tries(error: TooManyRequests):
    """429 in the reader's language, saying how long to wait, with Retry-After in seconds."""
    if isinstance(error, TooManyFailedPasswords):
        wait = error.retry_after
    else:
        breached = current_limiter().current_limit
        wait = breached.window.reset_time - time.time() if breached else 60
    seconds = max(1, math.ceil(wait))
    minutes = math.ceil(seconds / 60)
    message = ngettext("Too many tries. Wait %(num)d minute and try again.",
                       "Too many tries. Wait %(num)d minutes and try again.", minutes)
    body = render_template("site/error.html", status=429, title=_("Too many tries"), message=message)
    return body, 429, {"Retry-After": str(seconds)}

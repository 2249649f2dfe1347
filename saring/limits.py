"""Limits on guessing (Flask-Limiter): form posts per address, wrong passwords per account.

- Per address: each POST to log in, sign up, change a password, join a class or delete an account
  counts against RATELIMIT_PER_ADDRESS for the client's address, generous because a whole class
  may sign in at once from one school address. Opening a join link says whether its code opens a
  class, so those count too, apart from the posts (a class opens the link, then joins).
- Per account: each wrong password for a username, whatever the address and whether the account
  exists or not, counts against RATELIMIT_FAILED_LOGINS; past it, that username is refused until
  the oldest failure leaves the window. Nothing is ever locked for good.

The counts live in RATELIMIT_STORAGE_URI: `memory://` counts in each process alone; Redis lets every
process and machine count together. When Redis stops answering, each process counts in its own
memory until it is back. Each app gets a limiter of its own rather than one shared in
saring.extensions, because Flask-Limiter keeps the storage and the key prefix on the object.
"""

import functools
import hashlib
import hmac
import math
import time

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from werkzeug.exceptions import TooManyRequests

PER_ADDRESS = ("accounts.login", "accounts.signup", "accounts.change_password", "privacy.delete_account")
JOIN = "classes.join"  # its posts, and its links with a code, each counted on their own
FAILED_PASSWORDS = "failed-passwords"


class TooManyFailedPasswords(TooManyRequests):
    """Too many wrong passwords for one account lately; it may try again in `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__()
        self.retry_after = retry_after


def init_app(app: Flask) -> None:
    """Give the app its limiter, limit the guessable forms per address, and answer 429 with a page."""
    limiter = Limiter(get_remote_address, strategy="moving-window", in_memory_fallback_enabled=True,
                      storage_uri=app.config["RATELIMIT_STORAGE_URI"], key_prefix=app.config["RATELIMIT_KEY_PREFIX"])
    limiter.init_app(app)
    limiter.request_filter(lambda: request.method != "POST" and not looks_up_a_code())  # pages skip the work
    app.extensions["saring.limiter"] = limiter
    per_address = limiter.limit(app.config["RATELIMIT_PER_ADDRESS"], methods=["POST"])
    for endpoint in PER_ADDRESS:
        app.view_functions[endpoint] = per_address(app.view_functions[endpoint])
    joining = limiter.limit(app.config["RATELIMIT_PER_ADDRESS"], methods=["GET", "POST"], per_method=True)
    app.view_functions[JOIN] = joining(app.view_functions[JOIN])
    app.register_error_handler(429, too_many_tries)


def looks_up_a_code() -> bool:
    """Whether this request opens a join link, which shows the class its code opens."""
    return request.endpoint == JOIN and "code" in (request.view_args or {})


def current_limiter() -> Limiter:
    """This app's limiter."""
    return current_app.extensions["saring.limiter"]


def refuse_after_failed_passwords(username: str) -> None:
    """Raise TooManyFailedPasswords (429) while `username` has had too many wrong passwords lately."""
    limiter = current_limiter()
    if not limiter.enabled:
        return
    item, keys = failed_passwords_limit(), failed_password_keys(username)
    try:
        if limiter.limiter.test(item, *keys):
            return
        reset_at, _remaining = limiter.limiter.get_window_stats(item, *keys)
    except limiter.storage.base_exceptions:
        current_app.logger.exception("rate limit storage unreachable: failed passwords not checked")
        return
    raise TooManyFailedPasswords(retry_after=reset_at - time.time())


def count_failed_password(username: str) -> None:
    """Count one wrong password for `username`."""
    limiter = current_limiter()
    if not limiter.enabled:
        return
    try:
        limiter.limiter.hit(failed_passwords_limit(), *failed_password_keys(username))
    except limiter.storage.base_exceptions:
        current_app.logger.exception("rate limit storage unreachable: a failed password was not counted")


def failed_passwords_limit() -> RateLimitItem:
    """RATELIMIT_FAILED_LOGINS as a limit."""
    return parsed(current_app.config["RATELIMIT_FAILED_LOGINS"])


@functools.lru_cache(maxsize=8)
def parsed(limit: str) -> RateLimitItem:
    """A limit such as "10 per 15 minutes", parsed once."""
    return parse(limit)


def failed_password_keys(username: str) -> list[str]:
    """Where a username's failures are counted: keyed by a digest, so the storage holds no usernames."""
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), username.encode(), hashlib.sha256).hexdigest()
    return [current_app.config["RATELIMIT_KEY_PREFIX"], FAILED_PASSWORDS, digest[:32]]


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

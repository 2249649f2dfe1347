"""Settings: one class, overridden by environment variables and checked at start-up."""

import os
import secrets
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

import limits

from .content.model import LANGUAGES

PROJECT_ROOT = Path(__file__).resolve().parent.parent


# settings an environment variable may give as a whole number (milliseconds, bytes, seconds)
NUMBERS = ("SQLITE_BUSY_TIMEOUT_MS", "DATABASE_STATEMENT_TIMEOUT_MS", "DATABASE_LOCK_TIMEOUT_MS", "PAGE_CACHE_BYTES")


SERVING_COMMANDS = ("run",)  # `flask` commands that answer requests: outside development they need SECRET_KEY


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the app refuses to start."""


class Config:
    """Production defaults; `from_env` applies the environment on top."""

    ENV_NAME = "production"
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{PROJECT_ROOT / 'instance' / 'saring.sqlite3'}"
    # a server's connections can drop (a restart, a failover): test each before use; see saring.database
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    MAX_CONTENT_LENGTH = 64 * 1024  # the largest form (a quiz) is a few hundred bytes
    WTF_CSRF_TIME_LIMIT = None  # a learner may read a long lesson before pressing "done"
    BABEL_DEFAULT_LOCALE = LANGUAGES[0]
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    BABEL_TRANSLATION_DIRECTORIES = str(PROJECT_ROOT / "translations")
    CONTENT_LESSONS_DIR = str(PROJECT_ROOT / "lessons")
    CONTENT_QUIZZES_DIR = str(PROJECT_ROOT / "quizzes")
    CONTENT_RELOAD = False
    # how often each process asks the database whether an editor published (a request at most once)
    CONTENT_POLL_SECONDS = 1.0
    CONTENT_CACHE_FILE: str | None = str(PROJECT_ROOT / "instance" / "content-cache.json")
    STATIC_DIR = str(PROJECT_ROOT / "static")
    COMPRESS_STREAMS = False  # its streaming path leaves the file behind send_file open; nothing here streams
    COMPRESS_MIMETYPES = ("text/html", "text/css", "text/csv", "image/svg+xml", "application/json",
                          "text/javascript", "application/javascript", "application/manifest+json")
    # a write waits this long for another process's write lock, then the 503 page: long enough for the
    # queue of Saring's own writers under load, short enough that a lock held elsewhere leaves pages answering
    SQLITE_BUSY_TIMEOUT_MS = 3000
    # PostgreSQL: a statement running longer, or waiting longer for a lock, fails its request with the 503
    # page (saring.database); 0 waits for ever. `flask` commands (migrations) wait as long as they need
    DATABASE_STATEMENT_TIMEOUT_MS = 5000
    DATABASE_LOCK_TIMEOUT_MS = 1000
    PAGE_CACHE_BYTES = 8 * 1024 * 1024  # rendered pages kept per process (saring.pagecache); 0 keeps none
    SIGN_IN_IDLE_DAYS = 90  # a device unused this long is signed out (saring.sessions)
    PASSWORD_HASH_METHOD = "scrypt"  # Werkzeug's default; tests use a cheap one to stay fast
    # limits on guessing (saring.limits): database:// and redis://host:6379/0 count across every process and
    # instance; memory:// counts in each process alone, so it is for development and tests only
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "database://"
    RATELIMIT_KEY_PREFIX = "saring"  # apps or tests sharing one Redis keep their counts apart by this
    RATELIMIT_PER_ADDRESS = "60 per minute"  # posts to log in, sign up, join…: a class shares an address
    RATELIMIT_FAILED_LOGINS = "10 per 15 minutes"  # wrong passwords per username, from any address
    # how many reverse proxies (nginx, Caddy) stand in front and set X-Forwarded-For/-Proto/-Host;
    # 0 trusts none of those headers (a client could forge them). See saring.security
    TRUSTED_PROXIES = 0
    SESSION_COOKIE_SECURE = False  # Secure anyway whenever the request is HTTPS (saring.security)

    @classmethod
    def from_env(cls, environ=os.environ, command: str | None = None) -> dict:
        """Return the settings as a dict, with environment variables applied; `command` is the `flask`
        command being run, if any (one that serves nothing signs nothing, so needs no SECRET_KEY)."""
        settings = {key: getattr(cls, key) for key in dir(cls) if key.isupper()}
        env_name = environ.get("SARING_ENV", cls.ENV_NAME)
        settings["ENV_NAME"] = env_name
        if env_name == "development":
            settings["CONTENT_RELOAD"] = True
            settings["TEMPLATES_AUTO_RELOAD"] = True
            settings["PAGE_CACHE_BYTES"] = 0  # an edited template shows at once
        if environ.get("SECRET_KEY"):
            settings["SECRET_KEY"] = environ["SECRET_KEY"]
        elif env_name == "development" or (command is not None and command not in SERVING_COMMANDS):
            settings["SECRET_KEY"] = development_secret()
        for key in ("CONTENT_LESSONS_DIR", "CONTENT_QUIZZES_DIR", "CONTENT_CACHE_FILE"):
            if environ.get(key):
                settings[key] = environ[key]
        if environ.get("TRUSTED_PROXIES"):
            settings["TRUSTED_PROXIES"] = environ["TRUSTED_PROXIES"].strip()
        if environ.get("DATABASE_URL"):
            settings["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(environ["DATABASE_URL"])
        if environ.get("RATELIMIT_STORAGE_URI") or environ.get("REDIS_URL"):
            settings["RATELIMIT_STORAGE_URI"] = environ.get("RATELIMIT_STORAGE_URI") or environ["REDIS_URL"]
        for key in ("RATELIMIT_KEY_PREFIX", "RATELIMIT_PER_ADDRESS", "RATELIMIT_FAILED_LOGINS"):
            if environ.get(key):
                settings[key] = environ[key]
        for key in NUMBERS:
            if environ.get(key):
                value = environ[key].strip()
                settings[key] = int(value) if value.isdecimal() else value  # `validate` names a wrong one
        return settings


def development_secret() -> str:
    """A random key made once per checkout for `make run` and for `flask` commands that serve nothing
    (`content check`, `users create`, `backup`, `db upgrade`), kept in instance/ (never committed)."""
    path = PROJECT_ROOT / "instance" / "development-secret-key"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for the `postgres://` and `postgresql://` forms hosts hand out."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def validate(config) -> None:
    """Stop start-up with a clear message when a setting cannot work."""
    if config.get("ENV_NAME") not in ("production", "development", "testing"):
        raise ConfigError("SARING_ENV must be production, development or testing.")
    if not config.get("SECRET_KEY"):
        raise ConfigError(
            "SECRET_KEY is not set. Set it to a long random value, for example:\n"
            "  export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
        )
    proxies = config.get("TRUSTED_PROXIES", 0)
    if not str(proxies).isdecimal() or int(proxies) > 10:
        raise ConfigError(f"TRUSTED_PROXIES is {proxies!r}: set it to the number of reverse proxies in front "
                          "of Saring (0 when browsers reach it directly, 1 for one nginx or Caddy).")
    for key in NUMBERS:
        if not str(config.get(key)).isdecimal():
            raise ConfigError(f"{key} is {config.get(key)!r}: give a whole number, such as {getattr(Config, key)}.")
    for key in ("CONTENT_LESSONS_DIR", "CONTENT_QUIZZES_DIR"):
        if not Path(config[key]).is_dir():
            raise ConfigError(f"{key} points to {config[key]}, which is not a folder.")
    validate_limits(config)


def validate_limits(config) -> None:
    """The rate limits parse and their storage is one Saring knows (see saring.limits)."""
    for key in ("RATELIMIT_PER_ADDRESS", "RATELIMIT_FAILED_LOGINS"):
        try:
            limits.parse(str(config.get(key)))
        except ValueError:
            raise ConfigError(f"{key} is {config.get(key)!r}: write it like \"60 per minute\" or "
                              "\"10 per 15 minutes\".") from None
    storage = str(config.get("RATELIMIT_STORAGE_URI"))
    if storage not in ("database://", "memory://") and urlsplit(storage).scheme not in ("redis", "rediss",
                                                                                         "redis+unix"):
        raise ConfigError(f"RATELIMIT_STORAGE_URI is {storage!r}: use database:// (Saring's database, the default) "
                          "or redis://host:6379/0; either counts across every worker and instance.")
    if storage == "memory://" and config.get("ENV_NAME") == "production":
        raise ConfigError("RATELIMIT_STORAGE_URI is memory://, which counts in each gunicorn worker alone, so the "
                          "limits would not hold: use database:// (the default) or redis://host:6379/0.")
    prefix = str(config.get("RATELIMIT_KEY_PREFIX") or "")
    if not prefix.isprintable() or not prefix.strip() or "/" in prefix:
        raise ConfigError(f"RATELIMIT_KEY_PREFIX is {prefix!r}: use a short name without slashes, such as saring.")

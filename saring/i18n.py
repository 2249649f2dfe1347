"""Languages: the language in every URL, negotiation for `/`, and the switcher's links."""

import functools
import time
from datetime import date, datetime, tzinfo
from urllib.parse import urlencode

from babel.dates import get_timezone
from babel.numbers import format_decimal
from flask import Flask, current_app, g, request, url_for
from flask_babel import Babel, format_percent, get_locale
from flask_login import current_user
from werkzeug.http import dump_cookie

from .content.model import LANGUAGES

LANGUAGE_NAMES = dict(zip(LANGUAGES, ("Bahasa Indonesia", "English"), strict=True))  # each in itself
LANG_PREFIX = f"/<any({', '.join(LANGUAGES)}):lang>"
LANG_COOKIE = "lang"
LANG_COOKIE_AGE = 365 * 24 * 3600


def negotiate_language() -> str:
    """The signed-in user's choice, then the cookie, then Accept-Language, then Indonesian."""
    languages = tuple(LANGUAGE_NAMES)
    if current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if request.cookies.get(LANG_COOKIE) in languages:
        return request.cookies[LANG_COOKIE]
    return request.accept_languages.best_match(languages) or languages[0]


def local_today() -> date:
    """Today where the school is (the app's time zone, Asia/Jakarta unless configured)."""
    return datetime.now(time_zone(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


@functools.lru_cache
def time_zone(name: str) -> tzinfo:
    """A time zone by name, looked up once (every kept page's key asks for today's date)."""
    return get_timezone(name)


def current_language() -> str:
    """The language of this request: from its URL (even one that matched no page), else negotiated."""
    if g.get("lang"):
        return g.lang
    prefix = request.path.split("/")[1]
    return prefix if prefix in LANGUAGE_NAMES else negotiate_language()


def page_in(lang: str, external: bool = False) -> str:
    """The address of the current page in `lang`, with the same query."""
    rule = request.url_rule
    if request.endpoint and rule and "lang" in rule.arguments and "GET" in (rule.methods or ()):
        address = url_for(request.endpoint, **request.view_args, lang=lang, _external=external)
        return f"{address}?{urlencode(list(request.args.items(multi=True)))}" if request.args else address
    # a page shown after a failed form (a POST-only address) switches to the home page
    return url_for("learn.home", lang=lang, _external=external)


@functools.lru_cache(maxsize=4096)
def _formatted(number: int | float, locale: str) -> str:
    return format_decimal(number, locale=locale)


def format_number(number: int | float) -> str:
    """A number as the reader writes it (1.234 in Indonesian, 1,234 in English); a report shows hundreds."""
    return _formatted(number, str(get_locale()))


@functools.lru_cache(maxsize=16)
def language_cookie(lang: str, secure: bool, _hour: int) -> str:
    """The cookie that remembers the language, written once an hour (its expiry moves a year ahead with it)."""
    return dump_cookie(LANG_COOKIE, lang, max_age=LANG_COOKIE_AGE, samesite="Lax", httponly=True, secure=secure)


def init_app(app: Flask, babel: Babel) -> None:
    """Bind Flask-Babel and keep the language of the URL across every link."""
    babel.init_app(app, locale_selector=current_language)
    app.jinja_env.filters.update(number=format_number, percent=format_percent)

    @app.url_value_preprocessor
    def take_language(_endpoint, values):
        if values and "lang" in values:
            g.lang = values.pop("lang")

    @app.url_defaults
    def add_language(endpoint, values):
        if "lang" not in values and g.get("lang") and app.url_map.is_endpoint_expecting(endpoint, "lang"):
            values["lang"] = g.lang

    @app.after_request
    def remember_language(response):
        lang = g.get("lang")
        if lang and request.cookies.get(LANG_COOKIE) != lang:
            response.headers.add("Set-Cookie", language_cookie(lang, request.is_secure, int(time.time() // 3600)))
        return response

    @app.context_processor
    def language_context():
        lang = current_language()
        return {
            "lang": lang,
            "language_names": LANGUAGE_NAMES,
            "page_in": page_in,
        }

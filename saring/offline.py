"""Learning without a connection: the app's manifest, its service worker, and what a saved module holds.

The service worker (templates/offline/sw.js) only adds to pages that work without it: it keeps the
modules a learner saves, shows a page in their language when a page was not saved, and queues quiz
answers and "done" marks given offline until the connection returns. Quiz pages never hold answers,
so saving a module never sends the correct answers to the phone.
"""

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _

from .assets import EXTENSION_KEY as ASSETS_KEY
from .assets import asset_url
from .content import get_library
from .i18n import LANG_PREFIX, LANGUAGE_NAMES, current_language
from .learning import get_module_or_404

bp = Blueprint("offline", __name__)
# kept by the service worker when it installs: the look of every page, and where to go offline
PRECACHED_ASSETS = ("saring.css", "saring.js", "favicon.svg")
ICONS = (("icons/saring-192.png", "192x192", "image/png"), ("icons/saring-512.png", "512x512", "image/png"))


def revalidated(response: Response) -> Response:
    """An ETag, and the browser asks again each time (a 304 when nothing changed)."""
    response.add_etag()
    response.cache_control.no_cache = True
    return response.make_conditional(request)


@bp.get(f"{LANG_PREFIX}/manifest.webmanifest")
def manifest():
    """What a phone needs to install Saring: its name in this language, start page, colours, icons."""
    lang = current_language()
    body = {
        "name": _("Saring: filter before you share"),
        "short_name": "Saring",
        "description": _("Short lessons and quizzes to check before you share: hoaxes, scams and kindness online."),
        "lang": lang,
        "start_url": url_for("learn.home", lang=lang),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5d45",
        "icons": [{"src": asset_url(name), "sizes": sizes, "type": kind} for name, sizes, kind in ICONS]
        + [{"src": asset_url("favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    return revalidated(response)


@bp.get("/sw.js")
def service_worker():
    """The service worker, with the current names of the files it keeps; served from / to cover every page."""
    assets = current_app.extensions[ASSETS_KEY]
    version = "-".join(assets.hashed[name].rsplit(".", 2)[1] for name in PRECACHED_ASSETS)
    script = render_template("offline/sw.js", version=version, languages=list(LANGUAGE_NAMES),
                             assets=[asset_url(name) for name in PRECACHED_ASSETS],
                             offline_pages={lang: url_for("offline.offline_page", lang=lang)
                                            for lang in LANGUAGE_NAMES})
    return revalidated(Response(script, mimetype="application/javascript"))


@bp.get(f"{LANG_PREFIX}/offline")
def offline_page():
    """What the phone shows for a page it has not saved, or while answers wait to be sent."""
    return render_template("offline/offline.html")


@bp.get(f"{LANG_PREFIX}/modules/<module_id>/saved.json")
def saved_module(module_id: str):
    """The addresses "Save for offline" keeps for a module: its page, lessons, quiz, images and the offline page."""
    module = get_module_or_404(module_id)
    pages = [url_for("learn.module", module_id=module.id)]
    pages += [url_for("learn.lesson", module_id=module.id, lesson_id=lesson.id) for lesson in module.lessons]
    if module.quiz:
        pages.append(url_for("quiz.take", module_id=module.id))
    pages.append(url_for("offline.offline_page"))  # kept with the learner's own menu, unlike the worker's copy
    media = sorted(f"/media/{key}" for key in get_library().media if key.startswith(f"{module.id}/"))
    return revalidated(jsonify({"module": module.id, "pages": pages, "files": media}))

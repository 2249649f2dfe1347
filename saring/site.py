"""Site-wide routes and pages: `/`, health check, favicon, error pages."""

from flask import Blueprint, Flask, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .assets import asset_url
from .database import database_status
from .extensions import db
from .i18n import negotiate_language

bp = Blueprint("site", __name__)


@bp.get("/")
def root():
    """Send visitors to the home page in their language."""
    return redirect(url_for("learn.home", lang=negotiate_language()))


@bp.get("/healthz")
def healthz():
    """Report the app's and the database's status for load balancers."""
    ok, detail = database_status()
    body = {"app": "ok", "database": detail if not ok else "ok"}
    return jsonify(body), 200 if ok else 503


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico; the icon is an SVG."""
    return redirect(asset_url("favicon.svg"), code=301)


def _error_page(status: int, title: str, message: str):
    return render_template("site/error.html", status=status, title=title, message=message), status


def register_error_handlers(app: Flask) -> None:
    """Friendly error pages in the reader's language; roll back a failed transaction."""

    @app.errorhandler(CSRFError)
    def form_expired(_error):
        return _error_page(400, _("This form has expired"),
                           _("Go back, reload the page and send the form again. Nothing was saved."))

    @app.errorhandler(403)
    def forbidden(_error):
        return _error_page(403, _("This page is not for your account"),
                           _("If you think you should see it, ask your teacher or an administrator."))

    @app.errorhandler(404)
    def not_found(_error):
        return _error_page(404, _("Page not found"),
                           _("This page does not exist. Check the address or start from the home page."))

    @app.errorhandler(405)
    def wrong_method(_error):
        return _error_page(405, _("This page does not work that way"),
                           _("Go back and use the page's buttons and links."))

    @app.errorhandler(413)
    def too_large(_error):
        return _error_page(413, _("That was too much text"),
                           _("Go back, shorten what you typed and send it again. Nothing was saved."))

    @app.errorhandler(500)
    def server_error(_error):
        db.session.rollback()
        return _error_page(500, _("Something went wrong"),
                           _("We could not finish this. Nothing was lost; please try again in a moment."))

    @app.errorhandler(HTTPException)
    def other_http_error(error):
        return _error_page(error.code or 500, _("Something went wrong"),
                           _("We could not finish this. Please go back and try again."))

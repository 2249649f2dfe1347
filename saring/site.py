"""Site-wide routes and pages: `/`, health check, favicon, error pages."""

from flask import Blueprint, Flask, current_app, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .assets import asset_url
from .content.model import LANGUAGES
from .database import UNAVAILABLE, database_status, driver_message, forget_failed_work, unavailable_reason
from .extensions import login_manager
from .i18n import negotiate_language
from .security import add_security_headers

bp = Blueprint("site", __name__)


@bp.get("/")
def root():
    """Send visitors to the home page in their language."""
    return redirect(url_for("learn.home", lang=negotiate_language()))


@bp.get("/healthz")
def healthz():
    """Report the app's and the database's status for load balancers: 503 with the reason when the
    database cannot take a write now."""
    ok, detail, reason = database_status()
    body = {"app": "ok", "database": "ok"} if ok else {"app": "ok", "database": detail, "reason": reason}
    return jsonify(body), 200 if ok else 503


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico; the icon is an SVG."""
    return redirect(asset_url("favicon.svg"), code=301)


def _error_page(status: int, title: str, message: str):
    return render_template("site/error.html", status=status, title=title, message=message), status


RETRY_AFTER_S = 60


def _unavailable_page():
    """503 while the database cannot answer, shown as to a visitor: the account cannot be loaded now."""
    login_manager._update_request_context_with_user()  # Flask-Login's own way to make this request a visitor
    body, status = _error_page(503, _("Saring is busy"),
                               _("Saring is busy or under maintenance. Try again in a minute."))
    return body, status, {"Retry-After": str(RETRY_AFTER_S)}


def failure_answer(app: Flask, environ: dict, error: Exception) -> tuple[str, list, bytes]:
    """The answer to a request that failed after every handler (see saring.logs.RequestLog): logged, then the
    503 page in the language of its address when the database failed (nothing of the request was saved
    that it did not already say), else the 500 page; made without the request's session or the database."""
    unavailable = isinstance(error, UNAVAILABLE)
    if unavailable:
        app.logger.error("database unavailable after the response", extra={"fields": {
            "exception": type(error).__name__, "reason": unavailable_reason(error), "detail": driver_message(error)}})
    else:
        app.logger.error("request failed after the response", exc_info=error)
    with app.test_request_context(environ.get("PATH_INFO", "/")):
        # as saring.i18n does for a page in a language; any other address answers in the first one
        g.lang = (request.view_args or {}).pop("lang", None) or LANGUAGES[0]
        if unavailable:
            body, status, headers = _unavailable_page()
        else:
            body, status = _error_page(500, _("Something went wrong"),
                                       _("We could not finish this. Nothing was lost; please try again in a moment."))
            headers = {}
        response = add_security_headers(app.make_response((body, status, headers)))
        response.headers["Cache-Control"] = "no-store"
        return response.status, list(response.headers.items()), response.get_data()


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

    def database_unavailable(error):
        forget_failed_work()
        current_app.logger.error("database unavailable", extra={"fields": {
            "exception": type(error).__name__, "reason": unavailable_reason(error), "detail": driver_message(error)}})
        return _unavailable_page()

    for error_class in UNAVAILABLE:
        app.register_error_handler(error_class, database_unavailable)

    @app.errorhandler(500)
    def server_error(error):
        forget_failed_work()
        if isinstance(getattr(error, "original_exception", None), UNAVAILABLE):
            return _unavailable_page()  # raised after the view (Flask has logged it with its trace)
        return _error_page(500, _("Something went wrong"),
                           _("We could not finish this. Nothing was lost; please try again in a moment."))

    @app.errorhandler(HTTPException)
    def other_http_error(error):
        return _error_page(error.code or 500, _("Something went wrong"),
                           _("We could not finish this. Please go back and try again."))

"""Security headers on every response, HTTPS behind a reverse proxy, and session cookies Secure over HTTPS.

Pages are plain HTML with one script and one stylesheet from /assets/, so the Content-Security-Policy
allows nothing inline and nothing from another site: should a name or a lesson ever slip markup
past the escaping and the content sanitiser, the browser still refuses to run it.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",  # /assets/saring.js; the service worker is /sw.js
    "style-src 'self'",  # /assets/saring.css, and nothing in a style attribute
    "img-src 'self'",  # lesson images under /media/, the icons under /assets/
    "connect-src 'self'",  # "Save for offline" fetches a module's list and its pages
    "font-src 'self'",
    "manifest-src 'self'",
    "worker-src 'self'",
    "form-action 'self'",
    "frame-src 'none'",
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
))
# no page uses any of these; a lesson's link to another site cannot ask for them either
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "fullscreen", "geolocation",
    "gyroscope", "magnetometer", "microphone", "midi", "payment", "picture-in-picture",
    "publickey-credentials-get", "screen-wake-lock", "usb", "xr-spatial-tracking",
))
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # a learner's addresses (lessons, attempts, a class's join link) never reach another site, not even
    # which school's Saring they came from; same-origin requests keep it, as the CSRF check over HTTPS needs
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
}


# /assets/ (the stylesheet, the script, the icons) are never shown as pages: a page's policies do nothing on
# them, and a phone's first visit downloads each twice (the page's copy and the service worker's)
SUBRESOURCE_ENDPOINTS = {"assets.file"}
SUBRESOURCE_HEADERS = ("X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Resource-Policy")
# an SVG opened on its own is a document: it runs nothing (the icons here, the lessons' images in saring.learning)
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def add_security_headers(response: Response) -> Response:
    """Every response: the headers above (a route's own stricter ones stay), HSTS over HTTPS only; a
    subresource only what it needs."""
    headers = response.headers
    if request.endpoint in SUBRESOURCE_ENDPOINTS:
        headers.extend([(name, HEADERS[name]) for name in SUBRESOURCE_HEADERS if name not in headers])
        if response.mimetype == "image/svg+xml":
            headers.setdefault("Content-Security-Policy", SVG_POLICY)
    else:
        headers.extend([(name, value) for name, value in HEADERS.items() if name not in headers])
    if request.is_secure:
        # plain HTTP must keep working for development and for a school's LAN without a certificate
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over HTTPS (or always, when configured)."""

    def __init__(self):
        self.signers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_cookie_secure(self, app: Flask) -> bool:
        """Flask's setting is fixed at start-up; the scheme is known per request (through ProxyFix)."""
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's signer, made once per key instead of twice per request (a tenth of a kept page's time)."""
        keys = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if keys not in self.signers:
            self.signers[keys] = super().get_signing_serializer(app)
        return self.signers[keys]


def init_app(app: Flask) -> None:
    """Trust TRUSTED_PROXIES proxies' forwarded headers, and secure every response and session cookie."""
    hops = int(app.config["TRUSTED_PROXIES"])
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.session_interface = HttpsAwareSessionInterface()
    app.after_request(add_security_headers)

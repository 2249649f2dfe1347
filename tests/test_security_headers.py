"""Security headers on every kind of response, HTTPS behind a proxy, and Secure cookies over HTTPS."""

import re

import pytest
from flask import request

from saring.config import Config, ConfigError, validate
from tests.conftest import PASSWORD

PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "saring.example", "X-Forwarded-For": "203.0.113.7"}
EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy as {directive: [sources]}."""
    parts = [part.split() for part in response.headers["Content-Security-Policy"].split(";") if part.strip()]
    return {name: sources for name, *sources in parts}


def cookie(response, name: str) -> str:
    """The Set-Cookie header that sets `name`."""
    return next(header for header in response.headers.getlist("Set-Cookie") if header.startswith(f"{name}="))


def assert_secure_headers(response):
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, name
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    for directive in ("script-src", "style-src", "img-src", "connect-src", "manifest-src", "worker-src",
                      "form-action"):
        assert csp[directive] == ["'self'"], directive
    for directive in ("frame-ancestors", "object-src", "base-uri"):
        assert csp[directive] == ["'none'"], directive
    assert "unsafe" not in response.headers["Content-Security-Policy"]
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP


@pytest.fixture
def asset_path(client):
    """The hashed address of the stylesheet, as pages link it."""
    return re.search(r'href="(/assets/saring\.[0-9a-f]+\.css)"', client.get("/id/").text)[1]


@pytest.mark.parametrize(("path", "status", "kind"), [
    ("/id/", 200, "text/html"),
    ("/en/modules/hoaks/jenis-misinformasi", 200, "text/html"),
    ("/id/modules/hoaks/quiz", 200, "text/html"),
    ("/id/login", 200, "text/html"),
    ("/sw.js", 200, "application/javascript"),
    ("/id/manifest.webmanifest", 200, "application/manifest+json"),
    ("/id/modules/hoaks/saved.json", 200, "application/json"),
    ("/id/offline", 200, "text/html"),
    ("/id/no-such-page", 404, "text/html"),
    ("/id/modules/hoaks/jenis-misinformasi/done", 405, "text/html"),
    ("/", 302, "text/html"),
])
def test_every_kind_of_response_carries_the_headers(client, path, status, kind):
    response = client.get(path)
    assert response.status_code == status
    assert response.mimetype == kind
    assert_secure_headers(response)


DOCUMENT_ONLY = ("Content-Security-Policy", "Permissions-Policy", "X-Frame-Options", "Cross-Origin-Opener-Policy")


def test_assets_carry_what_a_stylesheet_script_or_icon_needs_and_not_a_pages_headers(client, asset_path):
    """A page's policies do nothing on its stylesheet, script or icons, and a phone's first visit fetches each
    twice (the page's copy and the service worker's): 0.7 KB of headers each time."""
    response = client.get(asset_path)
    assert response.status_code == 200
    not_modified = client.get(asset_path, headers={"If-None-Match": response.headers["ETag"]})
    assert not_modified.status_code == 304
    for answer in (response, not_modified):
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Cross-Origin-Resource-Policy"] == "same-origin"
        assert answer.headers["Referrer-Policy"] == "same-origin"
        assert [name for name in DOCUMENT_ONLY if name in answer.headers] == []
    assert len(str(response.headers)) < 500


def test_an_svg_asset_opened_on_its_own_runs_nothing(client):
    icon = re.search(r'href="(/assets/favicon\.[0-9a-f]+\.svg)"', client.get("/id/").text)[1]
    csp = policy(client.get(icon))
    assert csp["default-src"] == ["'none'"] and "sandbox" in csp


def test_a_kept_page_carries_the_headers_too(client):
    first, again = client.get("/id/modules"), client.get("/id/modules")
    assert first.text == again.text
    assert_secure_headers(again)


@pytest.mark.parametrize("app_config", [{"PROPAGATE_EXCEPTIONS": False}])
def test_a_server_error_page_carries_the_headers(app, client):
    def broken():
        raise RuntimeError("a fault")
    app.add_url_rule("/broken-for-test", "broken_for_test", broken)
    response = client.get("/broken-for-test")
    assert response.status_code == 500
    assert "a fault" not in response.text
    assert_secure_headers(response)


def test_a_teachers_csv_carries_the_headers(client, login_as):
    login_as("teacher", "bu-sari")
    client.post("/id/classes", data={"name": "7A"})
    response = client.get("/id/classes")
    class_id = re.search(r'href="/id/classes/(\d+)"', response.text)[1]
    csv = client.get(f"/id/classes/{class_id}/report.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert_secure_headers(csv)


def test_lesson_images_keep_their_own_stricter_policy(client):
    response = client.get("/media/hoaks/images/tiga-istilah-id.svg")
    assert response.status_code == 200
    csp = policy(response)
    assert csp["default-src"] == ["'none'"] and "sandbox" in csp  # an SVG opened alone runs nothing
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_hsts_and_no_secure_cookies_over_plain_http(client, create_user):
    create_user("ani")
    response = client.post("/id/login", data={"username": "ani", "password": PASSWORD})
    assert response.status_code == 302
    assert "Strict-Transport-Security" not in response.headers
    assert "Secure" not in cookie(response, "session")
    assert "Secure" not in cookie(response, "lang")
    assert "HttpOnly" in cookie(response, "session") and "SameSite=Lax" in cookie(response, "session")


def test_hsts_and_secure_cookies_over_https(client, create_user):
    create_user("ani")
    response = client.post("/id/login", data={"username": "ani", "password": PASSWORD},
                           base_url="https://localhost")
    assert response.status_code == 302
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "; Secure" in cookie(response, "session")
    assert "; Secure" in cookie(response, "lang")


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXIES": 1}])
def test_behind_one_proxy_https_is_recognised(app, client, create_user):
    seen = []
    app.before_request(lambda: seen.append((request.scheme, request.host, request.remote_addr)))
    create_user("ani")
    response = client.post("/id/login", data={"username": "ani", "password": PASSWORD}, headers=PROXY)
    assert response.status_code == 302
    assert seen == [("https", "saring.example", "203.0.113.7")]
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "; Secure" in cookie(response, "session")
    assert "; Secure" in cookie(response, "lang")
    page = client.get("/id/", headers=PROXY).text  # addresses for search engines name the public site
    assert '<link rel="alternate" hreflang="en" href="https://saring.example/en/">' in page


def test_without_trusted_proxies_forwarded_headers_are_ignored(app, client, create_user):
    seen = []
    app.before_request(lambda: seen.append((request.scheme, request.host, request.remote_addr)))
    create_user("ani")
    response = client.post("/id/login", data={"username": "ani", "password": PASSWORD}, headers=PROXY)
    assert response.status_code == 302
    assert seen == [("http", "localhost", "127.0.0.1")]  # a client cannot claim HTTPS or another address
    assert "Strict-Transport-Security" not in response.headers
    assert "Secure" not in cookie(response, "session")


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXIES": "2"}])
def test_two_proxies_trust_only_the_addresses_they_added(app, client):
    seen = []
    app.before_request(lambda: seen.append(request.remote_addr))
    client.get("/id/", headers={"X-Forwarded-For": "10.9.9.9, 203.0.113.7, 192.0.2.1"})
    assert seen == ["203.0.113.7"]  # the first entry was written by the client: not trusted


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXIES": 1, "WTF_CSRF_ENABLED": True}])
def test_a_form_sent_over_https_behind_a_proxy_passes_the_csrf_check(client, create_user):
    create_user("ani")
    page = client.get("/id/login", headers=PROXY)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)[1]
    form = {"username": "ani", "password": PASSWORD, "csrf_token": token}
    sent = client.post("/id/login", data=form, headers={**PROXY, "Referer": "https://saring.example/id/login"})
    assert sent.status_code == 302
    assert "; Secure" in cookie(sent, "session")


@pytest.mark.parametrize("app_config", [{"SESSION_COOKIE_SECURE": True}])
def test_secure_cookies_can_be_forced_on(client, create_user):
    create_user("ani")
    response = client.post("/id/login", data={"username": "ani", "password": PASSWORD})
    assert "; Secure" in cookie(response, "session")


def test_trusted_proxies_comes_from_the_environment():
    assert Config.from_env({"TRUSTED_PROXIES": " 1 "})["TRUSTED_PROXIES"] == "1"
    assert Config.from_env({})["TRUSTED_PROXIES"] == 0


@pytest.mark.parametrize("value", ["yes", "-1", "1.5", "", "11", True])
def test_a_wrong_trusted_proxies_stops_start_up(value):
    settings = {**Config.from_env({"SECRET_KEY": "k"}), "TRUSTED_PROXIES": value}
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        validate(settings)


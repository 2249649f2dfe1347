"""Every route against every role: who may see what, and what everyone else gets."""

import re

import pytest

from tests.conftest import PASSWORD, hidden_fields

ROLES = ("anonymous", "learner", "owner")
ATTEMPT = "/id/modules/hoaks/quiz/attempts/{attempt}"

# endpoint: (method, path, {role: (status, where a redirect goes, or None)})
MATRIX = {
    "site.root": ("GET", "/", dict.fromkeys(ROLES, (302, "/id/"))),
    "site.healthz": ("GET", "/healthz", dict.fromkeys(ROLES, (200, None))),
    "site.favicon": ("GET", "/favicon.ico", dict.fromkeys(ROLES, (301, "/static/favicon.svg"))),
    "static": ("GET", "/static/saring.css", dict.fromkeys(ROLES, (200, None))),
    "learn.home": ("GET", "/id/", dict.fromkeys(ROLES, (200, None))),
    "learn.modules": ("GET", "/en/modules", dict.fromkeys(ROLES, (200, None))),
    "learn.module": ("GET", "/id/modules/hoaks", dict.fromkeys(ROLES, (200, None))),
    "learn.lesson": ("GET", "/en/modules/hoaks/jenis-misinformasi", dict.fromkeys(ROLES, (200, None))),
    "learn.media": ("GET", "/media/hoaks/images/tiga-istilah-id.svg", dict.fromkeys(ROLES, (200, None))),
    "learn.mark_done": ("POST", "/id/modules/hoaks/jenis-misinformasi/done", {
        "anonymous": (302, "/id/login?next=/id/modules/hoaks/jenis-misinformasi"),
        "learner": (302, "/id/modules/hoaks/kenapa-kita-menyebar"),
        "owner": (302, "/id/modules/hoaks/kenapa-kita-menyebar")}),
    "quiz.take": ("GET", "/id/modules/hoaks/quiz", dict.fromkeys(ROLES, (200, None))),
    "quiz.result": ("GET", ATTEMPT, {"anonymous": (404, None), "learner": (404, None), "owner": (200, None)}),
    "accounts.signup": ("GET", "/id/signup", {"anonymous": (200, None), "learner": (302, "/id/"),
                                              "owner": (302, "/id/")}),
    "accounts.login": ("GET", "/en/login", {"anonymous": (200, None), "learner": (302, "/en/"),
                                            "owner": (302, "/en/")}),
    "accounts.logout": ("POST", "/id/logout", dict.fromkeys(ROLES, (302, "/id/"))),
    "accounts.account": ("GET", "/id/account", {
        "anonymous": (302, "/id/login?next=%2Fid%2Faccount"), "learner": (200, None), "owner": (200, None)}),
    "accounts.set_language": ("POST", "/id/account/language", {
        "anonymous": (302, "/id/login?next=%2Fid%2Faccount%2Flanguage"), "learner": (200, None),
        "owner": (200, None)}),
    "accounts.change_password": ("POST", "/id/account/password", {
        "anonymous": (302, "/id/login?next=%2Fid%2Faccount%2Fpassword"), "learner": (200, None),
        "owner": (200, None)}),
}


def test_every_route_is_in_the_matrix(app):
    assert {rule.endpoint for rule in app.url_map.iter_rules()} == set(MATRIX)


@pytest.fixture
def owned_attempt(client, create_user):
    """An attempt saved by the learner "pemilik"; the client is signed out afterwards."""
    create_user("pemilik")
    client.post("/id/login", data={"username": "pemilik", "password": PASSWORD})
    form = client.get("/id/modules/hoaks/quiz").text
    data = hidden_fields(form)
    for name in set(re.findall(r'name="(q\d+)"', form)):
        data[name] = re.search(rf'name="{name}" value="(\w)"', form)[1]
    location = client.post("/id/modules/hoaks/quiz", data=data).headers["Location"]
    client.post("/id/logout")
    return int(location.rsplit("/", 1)[1])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_route_answers_each_role_as_expected(client, login_as, owned_attempt, endpoint, role):
    method, path, expected = MATRIX[endpoint]
    if role == "owner":
        client.post("/id/login", data={"username": "pemilik", "password": PASSWORD})
    else:
        login_as(role, username="lain")
    with client.open(path.format(attempt=owned_attempt), method=method) as response:
        status, location = expected[role]
        assert response.status_code == status
        if location:
            assert response.headers["Location"] == location

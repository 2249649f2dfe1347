"""Kept pages: rendered once, never shown to the wrong person, renewed by every change they show."""

import contextlib
import gzip
import re

import pytest
import sqlalchemy as sa
from flask import template_rendered
from werkzeug.http import generate_etag

from saring.accounts import User, UserRole
from saring.extensions import db
from saring.pagecache import PageCache
from saring.sessions import SignIn
from tests.conftest import PASSWORD, make_app
from tests.test_classes import as_learner, code_of, make_class

LESSON = "/id/modules/hoaks/jenis-misinformasi"


@contextlib.contextmanager
def renders(app):
    """The templates rendered while the block runs."""
    seen = []

    def record(_sender, template, context, **_extra):
        seen.append(template.name)
    template_rendered.connect(record, app)
    try:
        yield seen
    finally:
        template_rendered.disconnect(record, app)


def test_a_visitors_page_is_rendered_once(app, client):
    first = client.get(LESSON)
    with renders(app) as seen:
        again = app.test_client().get(LESSON)
    assert seen == [] and again.data == first.data and again.status_code == 200
    with renders(app) as seen:
        client.get("/en/modules/hoaks/jenis-misinformasi")
        client.get(LESSON, base_url="http://saring.example")
    assert seen == ["learn/lesson.html"] * 2, "another language or host is another page"
    with renders(app) as seen:
        tagged = client.get(LESSON + "?from=poster&fbclid=IwAR0")
    assert seen == [] and tagged.data == first.data, "a query the page does not read is the same page"


def test_junk_queries_never_push_real_pages_out(app, client, login_as):
    pages = app.extensions["saring.pages"]
    with renders(app) as seen:
        for n in range(50):
            client.get(f"/id/modules?x={n}")
    assert len(seen) == 50 and len(pages) == 0, "a page asked with a query is shown, never kept"
    client.get("/id/modules")
    client.get(LESSON)
    with renders(app) as seen:
        for n in range(200):
            assert client.get(f"{LESSON}?x={n}").status_code == 200
            client.get(f"/id/modules?utm_source={n}")
    assert seen == [] and len(pages) == 2
    login_as("learner")
    client.get(LESSON)  # makes the session's form token
    client.get(LESSON)
    with renders(app) as seen:
        for n in range(50):
            client.get(f"{LESSON}?x={n}")
    assert seen == [] and len(pages) == 3, "a learner's kept page too"


def test_a_learner_never_gets_a_visitors_page_or_another_learners(app, client, login_as):
    visitor_page = app.test_client().get("/id/").text
    login_as("learner", username="ani")
    ani_page = client.get("/id/").text
    assert "Log out" in ani_page or "Keluar" in ani_page
    assert ani_page != visitor_page
    budi = as_learner(app, "budi")
    budi.post("/id/modules/hoaks/jenis-misinformasi/done")
    budi_page = budi.get("/id/modules").text
    ani_modules = client.get("/id/modules").text
    assert budi_page != ani_modules
    assert app.test_client().get("/id/").text == visitor_page


def test_a_learners_page_is_kept_until_something_on_it_changes(app, client, login_as):
    login_as("learner")
    client.get("/id/modules/hoaks")  # shows the welcome message, so it is not kept
    before = client.get("/id/modules/hoaks").text
    with renders(app) as seen:
        client.get("/id/modules/hoaks")
    assert seen == [] and '<li class="step done">' not in before
    client.post("/id/modules/hoaks/jenis-misinformasi/done")
    with renders(app) as seen:
        page = client.get("/id/modules/hoaks").text
    assert seen == ["learn/module.html"]
    assert page.count('<li class="step done">') == 1


def test_a_page_with_a_message_is_not_kept(app, client, login_as):
    login_as("learner")
    client.post("/id/language", data={"language": "en"})  # "Language changed" shows once
    with renders(app) as seen:
        client.get("/en/")
        client.get("/en/")
    assert seen == ["learn/home.html"], "the message page is rendered, then the plain one is kept"


def test_a_teachers_change_reaches_the_learners_home_in_every_process(database_url, app, client, login_as):
    """Another app process (own memory, same database) sees the teacher's assignment at once."""
    other = make_app(database_url)
    login_as("teacher", username="bu-sari")
    class_id = make_class(client)
    learner_elsewhere = other.test_client()
    as_learner(app, "ani").post("/en/join", data={"code": code_of(app, class_id)})
    learner_elsewhere.post("/en/login", data={"username": "ani", "password": PASSWORD})
    learner_elsewhere.get("/en/")  # shows the welcome message, so it is not kept
    before = learner_elsewhere.get("/en/").text
    with renders(other) as seen:
        learner_elsewhere.get("/en/")
    assert seen == []
    assert "Understanding hoaxes" in before and 'aria-labelledby="assigned-title"' not in before
    client.post(f"/id/classes/{class_id}/assignments", data={"module": "hoaks", "due_date": ""})
    after = learner_elsewhere.get("/en/").text
    assert 'aria-labelledby="assigned-title"' in after
    client.post(f"/id/classes/{class_id}/assignments/hoaks/remove")
    assert 'aria-labelledby="assigned-title"' not in learner_elsewhere.get("/en/").text
    with other.app_context():
        db.engine.dispose()


def test_a_new_role_shows_in_the_menu_at_once(app, client, login_as):
    learner_id = login_as("learner", username="ani")
    client.get("/id/")  # shows the welcome message, so it is not kept
    assert "/id/classes" not in client.get("/id/").text
    with renders(app) as seen:
        client.get("/id/")
    assert seen == []
    with app.app_context():
        db.session.add(UserRole(user_id=learner_id, role="teacher"))
        db.session.commit()
    assert "/id/classes" in client.get("/id/").text


@pytest.mark.parametrize("app_config", [{"PAGE_CACHE_BYTES": 0}])
def test_no_pages_are_kept_when_the_setting_is_zero(app, client):
    client.get(LESSON)
    with renders(app) as seen:
        client.get(LESSON)
    assert seen == ["learn/lesson.html"]


def test_the_store_drops_the_least_recently_used_pages_beyond_its_size():
    pages = PageCache(max_bytes=30)
    pages.put("a", "x" * 10)
    pages.put("b", "y" * 10)
    assert pages.get("a").body == b"x" * 10  # "a" is now the most recently used
    pages.put("c", "z" * 15)
    assert pages.get("b") is None and pages.get("a") and pages.get("c")
    assert pages.size == 25
    pages.put("huge", "h" * 31)
    assert pages.get("huge") is None and pages.size == 25
    pages.put("a", "é" * 5)  # two bytes each
    assert pages.size == 25 and pages.get("a").etag == generate_etag("é".encode() * 5)


def test_a_kept_page_is_not_served_to_a_session_that_has_ended(app, create_user):
    create_user("ani")
    phone, laptop = app.test_client(), app.test_client()
    for device in (phone, laptop):
        device.post("/id/login", data={"username": "ani", "password": PASSWORD})
        device.get("/id/")  # the welcome message
    laptop.get("/id/")
    with renders(app) as seen:
        assert "Keluar" in laptop.get("/id/").text
    assert seen == [], "the laptop's home is kept"
    phone.post("/id/account/password", data={"current": PASSWORD, "password": "sandi baru sekali",
                                             "confirm": "sandi baru sekali"})
    assert "Keluar" not in laptop.get("/id/").text


def test_a_first_password_to_change_stops_kept_pages(app, client, login_as):
    learner_id = login_as("learner")
    client.get("/id/")
    client.get("/id/")
    with app.app_context():
        db.session.get(User, learner_id).must_change_password = True
        db.session.commit()
    response = client.get("/id/")
    assert response.status_code == 302 and "/id/account" in response.headers["Location"]


def test_every_process_renders_a_learners_page_with_the_same_bytes(database_url, app, client, login_as):
    """One CSRF token per session: another worker's copy of the page has the same ETag, so a phone gets 304."""
    login_as("learner")
    client.get("/id/")  # the welcome message
    first = client.get("/id/modules/hoaks")
    other = make_app(database_url)
    with other.test_client() as elsewhere:
        elsewhere.set_cookie("session", client.get_cookie("session").value)
        again = elsewhere.get("/id/modules/hoaks", headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304
        logout_form = re.search(r'name="csrf_token" value="([^"]+)"', first.text)[1]
        with client.session_transaction() as session:
            assert session["csrf_page_token"] == logout_form, "the page shows the token signed once"
        assert elsewhere.post("/id/logout", data={"csrf_token": logout_form}).status_code == 302
    with other.app_context():
        db.engine.dispose()


def test_a_learners_kept_page_is_never_served_once_their_device_is_signed_out(app, client, login_as):
    login_as("learner")
    client.get("/id/")  # the welcome message: not kept
    client.get("/id/modules/hoaks")
    with renders(app) as seen:
        assert "Keluar" in client.get("/id/modules/hoaks").text
    assert seen == []
    with app.app_context():
        db.session.execute(sa.delete(SignIn))
        db.session.commit()  # signed out from another device
    assert "Keluar" not in client.get("/id/modules/hoaks").text, "an ended session is never served a kept page"


def test_one_account_on_two_devices_gets_each_its_own_forms_token(app, create_user):
    """The same account's kept page is never another session's: its forms carry this session's token."""
    create_user("ani")
    app.config["WTF_CSRF_ENABLED"] = True
    phone, laptop = app.test_client(), app.test_client()
    for device in (phone, laptop):
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', device.get("/id/login").text)[1]
        device.post("/id/login", data={"username": "ani", "password": PASSWORD, "csrf_token": token})
    for _ in range(2):
        phone.get("/id/modules")  # rendered, then kept
    with renders(app) as seen:
        assert phone.get("/id/modules").status_code == 200
    assert seen == []
    laptop.get("/id/")  # the laptop's session gets its token
    on_laptop = re.search(r'name="csrf_token" value="([^"]+)"', laptop.get("/id/modules").text)[1]
    assert laptop.post("/id/logout", data={"csrf_token": on_laptop}).status_code == 302
    assert "Keluar" in phone.get("/id/modules").text, "the phone stays signed in"


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXIES": 1}])
def test_behind_a_proxy_visitors_pages_are_kept_by_the_address_the_visitor_used(app):
    """A page asked over HTTPS for the public name (with HSTS and links to https://) is never served to a
    visitor who came over plain HTTP or by another name."""
    public = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "saring.example"}
    first = app.test_client().get(LESSON, headers=public)
    again = app.test_client().get(LESSON, headers=public)
    assert again.data == first.data and "Strict-Transport-Security" in again.headers
    for headers in ({}, {"X-Forwarded-Host": "saring.example"}, {**public, "X-Forwarded-Host": "lain.example"}):
        other = app.test_client().get(LESSON, headers=headers)
        assert other.status_code == 200 and other.data != first.data, headers
        assert ("Strict-Transport-Security" in other.headers) == (headers.get("X-Forwarded-Proto") == "https")


def test_a_kept_page_is_compressed_once_per_encoding_and_counted_in_the_store(app, client, monkeypatch):
    import flask_compress.flask_compress as compress
    compressions = []
    real = compress._compress_data
    monkeypatch.setattr(compress, "_compress_data",
                        lambda app, data, algorithm: compressions.append(algorithm) or real(app, data, algorithm))
    pages = app.extensions["saring.pages"]
    first = client.get(LESSON, headers={"Accept-Encoding": "gzip"})
    again = app.test_client().get(LESSON, headers={"Accept-Encoding": "gzip"})
    assert compressions == ["gzip"] and again.data == first.data and again.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(again.data) == pages.get(next(iter(pages.items))).body
    assert again.headers["ETag"] == first.headers["ETag"]
    app.test_client().get(LESSON, headers={"Accept-Encoding": "br"})
    assert compressions == ["gzip", "br"]
    [page] = pages.items.values()
    assert pages.size == len(page.body) + len(page.compressed["gzip"]) + len(page.compressed["br"])
    for _ in range(2):
        app.test_client().get("/id/login", headers={"Accept-Encoding": "gzip"})  # a form: never kept
    assert compressions == ["gzip", "br", "gzip", "gzip"], "other pages are compressed each time"


def test_compressed_copies_count_towards_the_bound():
    pages = PageCache(max_bytes=30)
    first = pages.put("a", "x" * 10)
    pages.put("b", "y" * 10)
    pages.add_compressed("a", first, "gzip", b"g" * 12)
    assert pages.get("a") is None and pages.size == 10, "a's 22 bytes and b's 10 exceed 30: the oldest goes"

"""Sign-ins are rows on the server: logging out ends one for good, and a learner sees and ends their devices."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from saring.database import utcnow
from saring.extensions import db
from saring.sessions import SignIn, device_of
from tests.conftest import PASSWORD

ANDROID = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"
WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"


def sign_in(app, username="ani", user_agent=ANDROID):
    """A new device signed in as `username`."""
    device = app.test_client()
    response = device.post("/id/login", data={"username": username, "password": PASSWORD},
                           headers={"User-Agent": user_agent})
    assert response.status_code == 302
    return device


def copy_of(app, device):
    """Another client holding the same session cookie, as someone who copied it off the phone."""
    thief = app.test_client()
    thief.set_cookie("session", device.get_cookie("session").value)
    return thief


def sign_ins(app):
    with app.app_context():
        return db.session.execute(sa.select(SignIn.user_id, SignIn.device)).all()


def test_a_cookie_copied_before_logout_is_refused_afterwards(app, create_user):
    create_user("ani")
    phone = sign_in(app)
    copied = copy_of(app, phone)
    assert copied.get("/id/account/data.json").status_code == 200
    phone.post("/id/logout")
    export = copied.get("/id/account/data.json")
    assert export.status_code == 302 and export.headers["Location"].startswith("/id/login")
    home = copied.get("/id/")
    assert home.status_code == 200 and "Keluar" not in home.text and "Masuk" in home.text
    assert sign_ins(app) == []


def test_each_sign_in_is_a_row_with_its_device(app, create_user):
    user_id = create_user("ani")
    sign_in(app, user_agent=ANDROID)
    sign_in(app, user_agent=WINDOWS)
    assert sorted(sign_ins(app)) == [(user_id, "Chrome/Android"), (user_id, "Firefox/Windows")]


@pytest.mark.parametrize("user_agent, device", [
    (ANDROID, "Chrome/Android"),
    (WINDOWS, "Firefox/Windows"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.2 Mobile/15E148 Safari/604.1", "Safari/iOS"),
    ("Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 "
     "Chrome/115.0.0.0 Mobile Safari/537.36", "Samsung Internet/Android"),
    ("Mozilla/5.0 (Linux; Android 11; Redmi 9A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile "
     "Safari/537.36 OPR/79.0", "Opera/Android"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 "
     "Safari/537.36 Edg/131.0", "Edge/Windows"),
    ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
     "Chrome/ChromeOS"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 "
     "Safari/605.1.15", "Safari/macOS"),
    ("curl/8.5.0", "/"),
    ("", "/"),
    ("<script>" * 40, "/"),
])
def test_the_device_is_described_in_a_few_known_words(user_agent, device):
    assert device_of(user_agent) == device


def test_the_account_page_lists_devices_and_signs_one_out(app, create_user):
    create_user("ani")
    phone, laptop = sign_in(app, user_agent=ANDROID), sign_in(app, user_agent=WINDOWS)
    page = phone.get("/id/account").text
    assert "Chrome di Android" in page and "Firefox di Windows" in page
    assert "Perangkat ini" in page  # which row is the phone itself
    with app.app_context():
        laptop_id = db.session.scalar(sa.select(SignIn.id).where(SignIn.device == "Firefox/Windows"))
    ended = phone.post(f"/id/account/devices/{laptop_id}/end")
    assert ended.status_code == 302 and ended.headers["Location"] == "/id/account"
    assert "Firefox di Windows sudah dikeluarkan." in phone.get("/id/account").text
    assert laptop.get("/id/account").status_code == 302
    assert phone.get("/id/account").status_code == 200


def test_sign_out_everywhere_ends_every_device_including_this_one(app, create_user):
    create_user("ani")
    create_user("budi")
    phone, laptop, other = sign_in(app), sign_in(app, user_agent=WINDOWS), sign_in(app, "budi")
    response = phone.post("/id/account/devices/end")
    assert response.status_code == 302 and response.headers["Location"] == "/id/"
    assert "Kamu sudah keluar di semua perangkat." in phone.get("/id/").text
    for device in (phone, laptop):
        assert device.get("/id/account").status_code == 302
    assert other.get("/id/account").status_code == 200, "another account's devices stay signed in"


def test_a_learner_cannot_end_another_accounts_sign_in(app, create_user):
    create_user("ani")
    create_user("budi")
    sign_in(app, "ani")
    budi = sign_in(app, "budi")
    with app.app_context():
        ani_sign_in = db.session.scalar(sa.select(SignIn.id).join(SignIn.user).where(sa.text("username = 'ani'")))
    assert budi.post(f"/id/account/devices/{ani_sign_in}/end").status_code == 404
    assert len(sign_ins(app)) == 2


def test_changing_the_password_ends_the_other_sign_ins_and_keeps_this_one(app, create_user):
    create_user("ani")
    phone, laptop = sign_in(app), sign_in(app, user_agent=WINDOWS)
    copied = copy_of(app, laptop)
    phone.post("/id/account/password", data={"current": PASSWORD, "password": "sandi baru sekali",
                                             "confirm": "sandi baru sekali"})
    assert phone.get("/id/account").status_code == 200
    assert laptop.get("/id/account").status_code == 302 and copied.get("/id/account").status_code == 302
    assert [device for _, device in sign_ins(app)] == ["Chrome/Android"]


def test_deleting_the_account_ends_every_sign_in(app, create_user):
    create_user("ani")
    phone, laptop = sign_in(app), sign_in(app, user_agent=WINDOWS)
    phone.post("/id/account/delete", data={"password": PASSWORD})
    assert sign_ins(app) == []
    assert laptop.get("/id/account").status_code == 302


def test_a_sign_in_unused_for_too_long_has_ended(app, create_user):
    create_user("ani")
    phone = sign_in(app)
    with app.app_context():
        db.session.execute(sa.update(SignIn).values(
            last_seen_at=utcnow() - timedelta(days=app.config["SIGN_IN_IDLE_DAYS"], minutes=1)))
        db.session.commit()
    assert phone.get("/id/account").status_code == 302
    sign_in(app)
    assert len(sign_ins(app)) == 1, "signing in again clears the ended ones"


def test_saving_something_shows_when_a_device_was_last_used(app, create_user):
    create_user("ani")
    phone = sign_in(app)
    with app.app_context():
        db.session.execute(sa.update(SignIn).values(last_seen_at=utcnow() - timedelta(hours=2)))
        db.session.commit()
    phone.post("/id/account/language", data={"locale": "id"})
    with app.app_context():
        assert utcnow() - db.session.scalar(sa.select(SignIn.last_seen_at)) < timedelta(minutes=1)


def test_the_session_cookie_never_holds_the_key_stored_in_the_database(app, create_user):
    create_user("ani")
    phone = sign_in(app)
    with phone.session_transaction() as session:
        key = session["_user_id"].split(":")[1]
    with app.app_context():
        stored = db.session.scalar(sa.select(SignIn.key_digest))
    assert key not in stored and re.fullmatch(r"[0-9a-f]{64}", stored)


def test_the_data_download_lists_the_devices_without_their_keys(app, create_user):
    create_user("ani")
    phone = sign_in(app)
    data = phone.get("/id/account/data.json").json
    assert [device["device"] for device in data["devices"]] == ["Chrome/Android"]
    with app.app_context():
        stored = db.session.scalar(sa.select(SignIn.key_digest))
    assert stored not in phone.get("/id/account/data.json").text


def test_choosing_the_first_password_ends_the_other_sign_ins_without_saying_so(app, create_user):
    """A card's password may have been tried on another phone: choosing one's own signs that phone out, and the
    learner, who has no other device of their own, hears nothing about other devices."""
    create_user("siti", must_change=True)
    phone, classmate = sign_in(app, "siti"), sign_in(app, "siti", user_agent=WINDOWS)
    response = phone.post("/id/account/first-password", data={"password": "sandi baru sekali",
                                                              "confirm": "sandi baru sekali"})
    assert response.headers["Location"] == "/id/"
    assert "perangkat lain" not in phone.get("/id/").text
    assert classmate.get("/id/account").headers["Location"] == "/id/login?next=%2Fid%2Faccount"
    assert [device for _, device in sign_ins(app)] == ["Chrome/Android"]

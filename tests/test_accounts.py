"""Accounts: sign up, log in and out, change password; bad input never stores anything."""

import re

import pytest
import sqlalchemy as sa

from saring.accounts import User, safe_next
from saring.config import ConfigError
from saring.extensions import db
from tests.conftest import PASSWORD, make_app


def users(app):
    with app.app_context():
        return db.session.scalars(sa.select(User.username)).all()


def signup(client, lang="id", **fields):
    data = {"username": "budi", "password": PASSWORD, "confirm": PASSWORD, "email": ""}
    data.update(fields)
    return client.post(f"/{lang}/signup", data=data)


def test_signup_without_email_signs_in(app, client):
    response = signup(client)
    assert response.status_code == 302 and response.headers["Location"] == "/id/"
    assert users(app) == ["budi"]
    home = client.get("/id/").text
    assert "Selamat datang, budi!" in home
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert user.email is None and user.locale == "id"
        assert PASSWORD not in user.password_hash and user.check_password(PASSWORD)


def test_signup_normalises_the_username(app, client):
    signup(client, username="  ＢＵＤＩ_01 ", lang="en")
    assert users(app) == ["budi_01"]
    with app.app_context():
        assert db.session.scalar(sa.select(User.locale)) == "en"


@pytest.mark.parametrize("fields, message", [
    ({"username": ""}, "Pilih nama pengguna."),
    ({"username": "ab"}, "Gunakan 3 sampai 30 karakter."),
    ({"username": "a" * 31}, "Gunakan 3 sampai 30 karakter."),
    ({"username": "budi 😀"}, "Hanya boleh pakai huruf a–z"),
    ({"username": "бuди"}, "Hanya boleh pakai huruf a–z"),
    ({"username": "budi\u200b"}, "Hanya boleh pakai huruf a–z"),
    ({"password": "", "confirm": ""}, "Masukkan kata sandi."),
    ({"password": "pendek", "confirm": "pendek"}, "Pilih kata sandi yang lebih panjang, paling sedikit 8 karakter"),
    ({"password": "x" * 129, "confirm": "x" * 129}, "pakai paling banyak 128 karakter."),
    ({"confirm": "lain sekali"}, "Kedua kata sandi tidak sama."),
    ({"password": "sandi\x00panjang", "confirm": "sandi\x00panjang"}, "karakter yang tidak boleh dipakai"),
    ({"email": "bukan-email"}, "Sepertinya ini bukan alamat email."),
    ({"email": "a@" + "b" * 260 + ".id"}, "Alamat email ini terlalu panjang."),
])
def test_bad_signup_input_gets_a_message_and_stores_nothing(app, client, fields, message):
    response = signup(client, **fields)
    assert response.status_code == 200
    assert message in response.text
    assert users(app) == []


def test_bad_input_message_in_english(app, client):
    assert "Use between 3 and 30 characters." in signup(client, lang="en", username="ab").text


def test_username_is_unique_whatever_the_case(app, client, create_user):
    create_user("budi")
    response = signup(client, username="BUDI")
    assert "Nama pengguna ini sudah dipakai" in response.text
    assert users(app) == ["budi"]


def test_login_and_logout(client, create_user):
    create_user("ani")
    response = client.post("/en/login", data={"username": " Ani ", "password": PASSWORD})
    assert response.headers["Location"] == "/en/"
    assert "Log out" in client.get("/en/").text
    response = client.post("/en/logout")
    assert response.headers["Location"] == "/en/"
    assert "You have logged out." in client.get("/en/").text
    assert "Log out" not in client.get("/en/").text


@pytest.mark.parametrize("username, password", [("ani", "salah sekali"), ("siapa", PASSWORD), ("", "")])
def test_wrong_login_says_the_same_for_unknown_user_and_wrong_password(client, create_user, username, password):
    create_user("ani")
    response = client.post("/id/login", data={"username": username, "password": password})
    assert response.status_code == 200
    assert "Log out" not in response.text
    if username:
        assert "Nama pengguna atau kata sandi salah." in response.text


@pytest.mark.parametrize("target, expected", [
    ("/id/modules/hoaks", "/id/modules/hoaks"),
    ("https://evil.example/", "/id/"),
    ("//evil.example/", "/id/"),
    ("/\\evil.example", "/id/"),
    ("javascript:alert(1)", "/id/"),
    ("/id/\r\nSet-Cookie: x=1", "/id/"),
])
def test_login_next_only_goes_to_this_site(client, create_user, target, expected):
    create_user("ani")
    response = client.post("/id/login", query_string={"next": target},
                           data={"username": "ani", "password": PASSWORD})
    assert response.headers["Location"] == expected


def test_safe_next():
    assert safe_next("/en/modules?x=1") == "/en/modules?x=1"
    assert safe_next(None) is None
    assert safe_next("http://localhost/en/") is None


def test_pages_that_need_an_account_send_to_login_and_back(client, create_user):
    response = client.get("/en/account")
    assert response.headers["Location"] == "/en/login?next=%2Fen%2Faccount"
    create_user("ani")
    response = client.post(response.headers["Location"], data={"username": "ani", "password": PASSWORD})
    assert response.headers["Location"] == "/en/account"


def test_change_password(app, client, login_as):
    login_as("learner")
    wrong = client.post("/id/account/password", data={"current": "bukan ini", "password": "sandi baru sekali",
                                                      "confirm": "sandi baru sekali"})
    assert "Ini bukan kata sandimu yang sekarang." in wrong.text
    response = client.post("/id/account/password", data={"current": PASSWORD, "password": "sandi baru sekali",
                                                          "confirm": "sandi baru sekali"})
    assert response.status_code == 302
    client.post("/id/logout")
    assert client.post("/id/login", data={"username": "ani", "password": PASSWORD}).status_code == 200
    assert client.post("/id/login", data={"username": "ani", "password": "sandi baru sekali"}).status_code == 302


def test_session_cookie_is_httponly_and_samesite(client, create_user):
    create_user("ani")
    response = client.post("/id/login", data={"username": "ani", "password": PASSWORD})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_visitors_get_no_session_cookie(client):
    for path in ("/id/", "/id/modules", "/id/modules/hoaks/jenis-misinformasi"):
        assert not any(c.startswith("session=") for c in client.get(path).headers.getlist("Set-Cookie"))


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
@pytest.mark.parametrize("path", ["/id/signup", "/id/login", "/id/logout", "/id/account/password",
                                  "/id/account/language",
                                  "/id/modules/hoaks/jenis-misinformasi/done", "/id/modules/hoaks/quiz"])
def test_every_form_needs_its_csrf_token(app, client, path):
    response = client.post(path, data={"username": "budi", "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 400
    assert "Formulir ini sudah kedaluwarsa" in response.text
    assert users(app) == []


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_signup_with_csrf_token_works(app, client):
    page = client.get("/id/signup").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    response = signup(client, csrf_token=token)
    assert response.status_code == 302 and users(app) == ["budi"]


def test_production_refuses_to_start_without_secret_key(database_url, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("SARING_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        make_app(database_url, SECRET_KEY=None, ENV_NAME="production")


@pytest.mark.parametrize("username", ["ani\x00", "\x00", "a\u202eb", "ani" * 100])
def test_odd_login_input_gets_a_message_not_an_error(client, create_user, username):
    create_user("ani")
    response = client.post("/id/login", data={"username": username, "password": PASSWORD + "\x00"})
    assert response.status_code == 200
    assert 'class="error"' in response.text


@pytest.mark.parametrize("username", ["ab\x00c", "bu\ndi", "\x00\x00\x00"])
def test_odd_signup_names_are_refused_without_a_lookup(app, client, username):
    response = signup(client, username=username)
    assert response.status_code == 200
    assert "Hanya boleh pakai huruf a–z" in response.text
    assert users(app) == []


def test_changing_the_password_ends_every_other_session(app, create_user):
    create_user("ani")
    phone, laptop = app.test_client(), app.test_client()
    for client in (phone, laptop):
        client.post("/id/login", data={"username": "ani", "password": PASSWORD})
    response = phone.post("/id/account/password", data={"current": PASSWORD, "password": "sandi baru sekali",
                                                        "confirm": "sandi baru sekali"})
    assert response.headers["Location"] == "/id/account"
    assert phone.get("/id/account").status_code == 200
    assert laptop.get("/id/account").status_code == 302


@pytest.mark.parametrize("session_id, status", [
    ("{id}:{key}", 200),      # the session id of a sign-in works…
    ("{id}", 302),            # …the account id alone does not,
    ("{id}:0", 302),          # nor a session counter, as sessions named before sign-ins were rows,
    ("{other}:{key}", 302),   # nor the key with another account,
    ("{id}:{key}x", 302), ("{id}:" + "A" * 32, 302), ("x:{key}", 302), ("", 302), (":", 302),
    (" {id}:{key}", 302), ("{id}:{key}\n", 302),
])
def test_only_the_session_id_of_a_sign_in_signs_in(app, create_user, session_id, status):
    user_id, other = create_user("ani"), create_user("budi")
    client = app.test_client()
    client.post("/id/login", data={"username": "ani", "password": PASSWORD})
    with client.session_transaction() as session:
        key = session["_user_id"].split(":")[1]
        session["_user_id"] = session_id.format(id=user_id, other=other, key=key)
    assert client.get("/id/account").status_code == status


def test_language_preference_is_saved_only_by_its_form(app, client, login_as):
    login_as("learner", lang="id")
    client.get("/en/modules")  # reading in English is not a choice to save
    with app.app_context():
        assert db.session.scalar(sa.select(User.locale)) == "id"
    response = client.post("/id/account/language", data={"locale": "en"})
    assert response.headers["Location"] == "/id/account"
    assert "Tersimpan: Saring akan terbuka dalam English." in client.get(response.headers["Location"]).text
    with app.app_context():
        assert db.session.scalar(sa.select(User.locale)) == "en"
    client.delete_cookie("lang")
    assert client.get("/").headers["Location"] == "/en/"
    refused = client.post("/id/account/language", data={"locale": "fr"})
    assert refused.status_code == 200 and "Pilih bahasa." in refused.text


def test_production_hashes_passwords_with_scrypt(app, client):
    app.config["PASSWORD_HASH_METHOD"] = "scrypt"
    signup(client)
    with app.app_context():
        assert db.session.scalar(sa.select(User.password_hash)).startswith("scrypt:")

"""Accounts: sign up, log in and out, change password; bad input never stores anything."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from saring.accounts import FIRST_PASSWORD_WAIT, User, safe_next
from saring.classes import Assignment, Classroom, Membership
from saring.config import ConfigError
from saring.database import utcnow
from saring.extensions import db
from saring.sessions import SignIn
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



# The first sign-in from a login card: a teacher made the account, the learner chooses their own password.
CARD = "kuda-biru-lari-482"
FIRST = "/id/account/first-password"
OWN = "sepatu merah di pintu"


@pytest.fixture
def card_learner(app, create_user):
    """"siti.nuraini" has a first password on a card, in a class with the module "hoaks" assigned."""
    teacher = create_user("bu-sari", role="teacher")
    learner = create_user("siti.nuraini", password=CARD, must_change=True)
    with app.app_context():
        classroom = Classroom(teacher_id=teacher, name="8B", join_code="ABCDEF",
                              assignments=[Assignment(module_id="hoaks")])
        db.session.add(classroom)
        db.session.flush()
        db.session.add(Membership(classroom_id=classroom.id, user_id=learner, created_here=True))
        db.session.commit()
    return learner


def card_login(client, password=CARD, **query):
    """Sign in as the card's learner."""
    return client.post("/id/login", query_string=query, data={"username": "siti.nuraini", "password": password})


def leave_the_phone(app):
    """Every sign-in began longer ago than a first password may wait."""
    with app.app_context():
        db.session.execute(sa.update(SignIn).values(created_at=utcnow() - FIRST_PASSWORD_WAIT - timedelta(minutes=1)))
        db.session.commit()


def test_the_first_sign_in_asks_only_for_the_new_password_twice(client, card_learner):
    assert card_login(client).headers["Location"] == FIRST
    page = client.get(FIRST).text
    inputs = re.findall(r"<input[^>]*>", page)
    assert [re.search(r'name="(\w+)"', tag)[1] for tag in inputs if 'type="password"' in tag] == ["password", "confirm"]
    assert 'name="locale"' not in page and 'name="current"' not in page
    assert "Kata sandi baru" in page and "Ketik ulang kata sandi" in page
    assert 'class="flash' not in page


def test_the_first_password_leads_straight_to_the_assigned_work(app, client, card_learner):
    card_login(client)
    response = client.post(FIRST, data={"password": OWN, "confirm": OWN})
    assert response.headers["Location"] == "/id/"
    home = client.get("/id/").text
    assigned = re.search(r'<section aria-labelledby="assigned-title">(.*?)</section>', home, re.S)[1]
    assert 'href="/id/modules/hoaks"' in assigned
    assert "Kata sandimu sudah tersimpan" in home
    assert "perangkat lain" not in home, "a first sign-in has no other devices to speak of"
    with app.app_context():
        assert not db.session.get(User, card_learner).must_change_password
    client.post("/id/logout")
    assert card_login(client).status_code == 200, "the card's password no longer opens the account"
    assert card_login(client, OWN).headers["Location"] == "/id/"


def test_a_link_opened_before_the_first_sign_in_is_where_it_ends(client, card_learner):
    """A teacher's link to a module: log in with the card, choose a password, and the module opens."""
    response = card_login(client, next="/id/modules/hoaks")
    assert response.headers["Location"] == FIRST + "?next=/id/modules/hoaks"
    chosen = client.post(response.headers["Location"], data={"password": OWN, "confirm": OWN})
    assert chosen.headers["Location"] == "/id/modules/hoaks"


def test_a_first_sign_in_goes_nowhere_off_the_site(client, card_learner):
    assert card_login(client, next="https://evil.example/").headers["Location"] == FIRST
    chosen = client.post(FIRST + "?next=//evil.example/", data={"password": OWN, "confirm": OWN})
    assert chosen.headers["Location"] == "/id/"


@pytest.mark.parametrize("fields, message", [
    ({"password": "", "confirm": ""}, "Masukkan kata sandi."),
    ({"password": "pendek", "confirm": "pendek"}, "paling sedikit 8 karakter"),
    ({"password": "Siti.Nuraini", "confirm": "Siti.Nuraini"}, "tidak boleh sama dengan nama penggunamu"),
    ({"password": "password123", "confirm": "password123"}, "Banyak orang memakai kata sandi ini"),
    ({"password": OWN, "confirm": "lain sekali"}, "Kedua kata sandi tidak sama."),
    ({"password": "sandi\x00panjang", "confirm": "sandi\x00panjang"}, "karakter yang tidak boleh dipakai"),
])
def test_the_first_password_keeps_the_password_rules(app, client, card_learner, fields, message):
    card_login(client)
    response = client.post(FIRST, data=fields)
    assert response.status_code == 200 and message in response.text
    with app.app_context():
        user = db.session.get(User, card_learner)
        assert user.must_change_password and user.check_password(CARD)


def test_the_first_password_page_is_only_for_a_first_sign_in(client, login_as):
    assert client.get(FIRST).headers["Location"] == "/id/login?next=%2Fid%2Faccount%2Ffirst-password"
    login_as("learner")
    assert client.get(FIRST).headers["Location"] == "/id/account", "a password of one's own changes there"
    assert client.post(FIRST, data={"password": OWN, "confirm": OWN}).headers["Location"] == "/id/account"
    client.post("/id/logout")
    assert client.post("/id/login", data={"username": "ani", "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize("path", [FIRST, "/id/modules"])
def test_a_card_sign_in_left_open_signs_in_with_the_card_again(app, client, card_learner, path):
    """Only right after signing in with the card: a phone left on a desk lets nobody choose the password."""
    card_login(client)
    leave_the_phone(app)
    assert client.get(path).headers["Location"] == "/id/login"
    assert "Masuk lagi dengan kata sandi di kartumu" in client.get("/id/login").text
    assert client.get(FIRST).headers["Location"] == "/id/login?next=%2Fid%2Faccount%2Ffirst-password"
    card_login(client)
    leave_the_phone(app)
    assert client.post(FIRST, data={"password": OWN, "confirm": OWN}).headers["Location"] == "/id/login"
    with app.app_context():
        assert db.session.get(User, card_learner).check_password(CARD)
    card_login(client)
    assert client.post(FIRST, data={"password": OWN, "confirm": OWN}).headers["Location"] == "/id/"


@pytest.mark.parametrize("app_config", [{"RATELIMIT_PER_ADDRESS": "2 per minute"}])
def test_the_first_password_form_is_limited_per_address(client, card_learner):
    card_login(client)
    answers = [client.post(FIRST, data={"password": "", "confirm": ""},
                           environ_overrides={"REMOTE_ADDR": "10.0.0.7"}).status_code for _ in range(3)]
    assert answers == [200, 200, 429]


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_the_first_password_form_needs_its_csrf_token(app, client, card_learner):
    page = client.get("/id/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    client.post("/id/login", data={"username": "siti.nuraini", "password": CARD, "csrf_token": token})
    refused = client.post(FIRST, data={"password": OWN, "confirm": OWN})
    assert refused.status_code == 400 and "Formulir ini sudah kedaluwarsa" in refused.text
    with app.app_context():
        assert db.session.get(User, card_learner).check_password(CARD)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(FIRST).text)[1]
    assert client.post(FIRST, data={"password": OWN, "confirm": OWN, "csrf_token": token}).headers["Location"] == "/id/"

"""Password rules for every new password: long enough, not too long, not common, not the username."""

import re

import pytest
import sqlalchemy as sa

from saring.accounts import User
from saring.extensions import db
from saring.passwords import (
    PASSWORD_MAX,
    PASSWORD_MIN,
    WORDS,
    common_passwords,
    comparable,
    generate_password,
    password_problem,
)
from tests.conftest import PASSWORD

SHORT = ("Pilih kata sandi yang lebih panjang, paling sedikit 8 karakter: kalimat pendek mudah diingat.",
         "Choose a longer password, at least 8 characters: a short sentence is easy to remember.")
LONG = ("Kata sandi ini terlalu panjang: pakai paling banyak 128 karakter.",
        "This password is too long: use at most 128 characters.")
COMMON = ("Banyak orang memakai kata sandi ini, jadi mudah ditebak. Tambahkan beberapa kata pilihanmu sendiri.",
          "Many people use this password, so it is easy to guess. Add a few words of your own.")
USERNAME = ("Kata sandimu tidak boleh sama dengan nama penggunamu. Pilih sesuatu yang hanya kamu tahu.",
            "Your password cannot be your username. Choose something only you know.")


def usernames(app):
    with app.app_context():
        return db.session.scalars(sa.select(User.username)).all()


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("username, password, messages", [
    ("budi", "pendek", SHORT),
    ("budi", "1234567", SHORT),
    ("budi", "x" * (PASSWORD_MAX + 1), LONG),
    ("budi", "sayangku", COMMON),
    ("budi", "bismillah", COMMON),
    ("budi", "Indonesia", COMMON),
    ("budi", "12345678", COMMON),
    ("budi", "qwertyui", COMMON),
    ("budi", "PASSWORD", COMMON),
    ("budi", "I love you", COMMON),    # spaces and capitals do not make a common password new
    ("budi", "ｐａｓｓｗｏｒｄ", COMMON),  # nor wide letters
    ("budiman1", "BudiMan1", USERNAME),
    ("budi.santoso", "budi.santoso", USERNAME),
])
def test_signup_refuses_a_weak_password_with_a_message_that_says_what_to_do(app, client, lang, username,
                                                                              password, messages):
    response = client.post(f"/{lang}/signup", data={"username": username, "password": password,
                                                    "confirm": password, "email": ""})
    assert response.status_code == 200
    assert messages[lang == "en"] in response.text
    assert usernames(app) == []


@pytest.mark.parametrize("password", ["aku suka nasi goreng", "x" * PASSWORD_MAX, "kucing-oren-7", "Saring!2026"])
def test_signup_takes_a_password_a_teenager_can_meet(app, client, password):
    response = client.post("/id/signup", data={"username": "budi", "password": password, "confirm": password})
    assert response.status_code == 302
    assert usernames(app) == ["budi"]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_new_password_is_held_to_the_rules_and_the_old_one_keeps_working(app, client, login_as, lang):
    login_as("learner", username="ani.susanti", lang=lang)
    for new, messages in (("iloveyou", COMMON), ("Ani.Susanti", USERNAME), ("ani", SHORT)):
        response = client.post(f"/{lang}/account/password", data={"current": PASSWORD, "password": new,
                                                                  "confirm": new})
        assert response.status_code == 200
        assert messages[lang == "en"] in response.text
    client.post(f"/{lang}/logout")
    assert client.post(f"/{lang}/login", data={"username": "ani.susanti", "password": PASSWORD}).status_code == 302


def test_the_username_rule_compares_as_people_read(app):
    with app.test_request_context("/en/"):
        assert password_problem("ani12345", "ANI12345") == USERNAME[1]
        assert password_problem("ani 12345", "ani12345") == USERNAME[1]
        assert password_problem("ani123456", "ani12345") is None


def test_accounts_made_before_the_rules_still_log_in(client, create_user):
    create_user("ani", password="password")
    assert client.post("/id/login", data={"username": "ani", "password": "password"}).status_code == 302


def test_admins_cannot_create_an_account_with_a_common_password(app, runner):
    result = runner.invoke(args=["users", "create", "--role", "teacher", "bu-sari"],
                           input="bismillah\nbismillah\n")
    assert result.exit_code != 0
    assert COMMON[1] in result.output
    assert usernames(app) == []


def test_generated_first_passwords_always_meet_the_rules(app):
    """Teachers' resets, learners added in bulk and `--generate-password` all use generate_password."""
    shortest = 3 * min(len(word) for word in WORDS) + len("---100")
    assert shortest >= PASSWORD_MIN
    shape = re.compile(r"([a-z]+-){3}[0-9]{3}")
    assert not any(shape.fullmatch(common) for common in common_passwords())
    with app.test_request_context("/id/"):
        for _ in range(200):
            password = generate_password()
            assert shape.fullmatch(password)
            assert password_problem(password, "kuda") is None


def test_the_common_list_is_read_once_and_holds_what_the_rules_compare():
    common = common_passwords()
    assert common is common_passwords()
    assert len(common) > 8000
    assert {"sayangku", "bismillah", "indonesia", "12345678", "qwertyui", "password", "iloveyou"} <= common
    assert all(comparable(entry) == entry and PASSWORD_MIN <= len(entry) <= PASSWORD_MAX for entry in common)

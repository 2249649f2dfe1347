"""Languages: URL prefixes, negotiation for `/`, the switcher, hreflang, catalogs, fallback."""

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from saring.accounts import UserRole
from saring.extensions import db
from tests.conftest import PASSWORD

LESSON = "/modules/hoaks/jenis-misinformasi"


@pytest.mark.parametrize("headers, cookie, expected", [
    ({}, None, "/id/"),
    ({"Accept-Language": "en-GB,en;q=0.9"}, None, "/en/"),
    ({"Accept-Language": "id-ID,id;q=0.9,en;q=0.5"}, None, "/id/"),
    ({"Accept-Language": "fr, de"}, None, "/id/"),
    ({"Accept-Language": "en"}, "id", "/id/"),
    ({}, "en", "/en/"),
    ({}, "xx", "/id/"),
])
def test_root_redirects_by_cookie_then_accept_language_then_indonesian(client, headers, cookie, expected):
    if cookie:
        client.set_cookie("lang", cookie)
    response = client.get("/", headers=headers)
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_signed_in_preference_wins(client, login_as):
    login_as("learner", lang="en")
    client.set_cookie("lang", "id")
    assert client.get("/", headers={"Accept-Language": "id"}).headers["Location"] == "/en/"


def test_reading_in_a_language_sets_the_cookie(client):
    response = client.get("/en/modules")
    assert "lang=en" in response.headers["Set-Cookie"]
    assert client.get("/").headers["Location"] == "/en/"


@pytest.mark.parametrize("lang, other, title", [("id", "en", "Tujuh jenis informasi keliru"),
                                                 ("en", "id", "Seven types of false information")])
def test_page_language_switcher_and_alternates(client, lang, other, title):
    html = client.get(f"/{lang}{LESSON}").text
    assert f'<html lang="{lang}">' in html
    assert f"<h1>{title}</h1>" in html
    assert f'<a href="/{other}{LESSON}" hreflang="{other}" lang="{other}">' in html
    for code in ("id", "en"):
        assert f'<link rel="alternate" hreflang="{code}" href="http://localhost/{code}{LESSON}">' in html
    assert '<link rel="alternate" hreflang="x-default" href="http://localhost/">' in html


def test_switcher_keeps_the_query(client):
    html = client.get("/id/login?next=/id/modules").text
    assert 'href="/en/login?next=%2Fid%2Fmodules"' in html


def test_ui_strings_are_translated(client):
    assert "Masuk" in client.get("/id/login").text
    assert ">Log in<" in client.get("/en/login").text


def test_unknown_language_is_404(client):
    assert client.get("/fr/modules").status_code == 404


def test_not_found_page_speaks_the_language_of_the_address(client):
    response = client.get("/id/tidak-ada")
    assert response.status_code == 404
    assert '<html lang="id">' in response.text and "Halaman tidak ditemukan" in response.text
    assert "Page not found" in client.get("/en/nothing-here").text


def test_numbers_and_percentages_follow_the_locale(client):
    assert "lulus dengan nilai minimal 70%" in client.get("/id/modules/hoaks").text
    assert "You pass with 70%" in client.get("/en/modules/hoaks").text


def test_missing_language_falls_back_with_a_visible_note(client, sample_copy, use_content):
    (sample_copy / "lessons/alpha/02-second.en.md").unlink()
    use_content(sample_copy)
    html = client.get("/en/modules/alpha/second").text
    assert "<h1>Pelajaran kedua</h1>" in html
    assert '<article class="lesson" lang="id">' in html
    assert "not yet available in your language; it is shown in Bahasa Indonesia" in html


def test_catalogs_have_no_empty_or_fuzzy_entries():
    for po in Path("translations").glob("*/LC_MESSAGES/messages.po"):
        with po.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            assert all(strings), f"{po}: untranslated {message.id!r}"
            assert not message.fuzzy, f"{po}: fuzzy {message.id!r}"


def test_catalog_covers_every_string_in_the_code():
    with tempfile.TemporaryDirectory() as folder:
        pot = Path(folder) / "messages.pot"
        subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                        "-k", "_l", "-k", "Nn_:1,2", "-o", str(pot), "."], check=True,
                       capture_output=True)
        with pot.open("rb") as handle:
            wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    with Path("translations/id/LC_MESSAGES/messages.po").open("rb") as handle:
        have = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id and m.string}
    assert wanted - have == set(), "run `make translations` and translate the new strings"


@pytest.mark.parametrize("query", ["_external=1", "_scheme=x", "_method=POST", "endpoint=x", "lang=en", "a=1&a=2"])
def test_any_query_keeps_the_page_working(client, query):
    response = client.get(f"/id/modules?{query}")
    assert response.status_code == 200
    assert f'href="/en/modules?{query.replace("&", "&amp;")}"' in response.text


def test_switcher_after_a_failed_form_leads_to_a_page(client, login_as):
    login_as("learner")
    html = client.post("/id/account/password", data={"current": ""}).text
    assert '<a href="/en/" hreflang="en" lang="en">' in html
    assert client.get("/en/account/password").status_code == 200  # an old bookmark still opens the page


# One word for one thing: "pelajar" for a learner, "kemajuan" for progress, "kode kelas" as teachers say it.
REFUSED_WORDS = re.compile(r"\bmurid|\bprogres|\bkode bergabung", re.IGNORECASE)


def test_the_indonesian_catalog_keeps_one_word_for_one_thing():
    with Path("translations/id/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    found = [(message.id, string) for message in catalog if message.id
             for string in (message.string if isinstance(message.string, tuple) else (message.string,))
             if REFUSED_WORDS.search(string)]
    assert found == [], "say pelajar, kemajuan and kode kelas"


def menu_labels(html: str) -> list[str]:
    """The labels of the main menu's items, as a reader sees them."""
    menu = re.search(r'<nav aria-label="[^"]+">(.*?)</nav>', html, re.S)[1]
    return [re.sub(r"<[^>]+>|\s+", " ", item).strip() for item in re.findall(r"<li>(.*?)</li>", menu, re.S)]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_no_two_menu_items_share_a_label(client, create_user, lang):
    """Every item of the menu, for a visitor and for an account that holds every role, says something of its own;
    a plural is no difference to someone scanning the menu ("Account" and "Accounts")."""
    seen = [menu_labels(client.get(f"/{lang}/").text)]
    user_id = create_user("kepala", locale=lang, role="admin")
    with client.application.app_context():
        db.session.add_all(UserRole(user_id=user_id, role=role) for role in ("teacher", "editor"))
        db.session.commit()
    client.post(f"/{lang}/login", data={"username": "kepala", "password": PASSWORD})
    seen.append(menu_labels(client.get(f"/{lang}/").text))
    assert len(seen[1]) == 7
    for labels in seen:
        alike = [label.casefold().removesuffix("s") for label in labels]
        assert len(set(alike)) == len(alike), labels

"""Offline learning, server side: the manifest, the service worker, the offline page, saved modules."""

import json
import re
import shutil
from pathlib import Path

import pytest

from saring.content import get_library
from tests.conftest import PASSWORD, make_app


@pytest.mark.parametrize("lang, name", [("id", "Saring: saring sebelum sharing"),
                                        ("en", "Saring: filter before you share")])
def test_the_manifest_installs_saring_in_the_learners_language(client, lang, name):
    response = client.get(f"/{lang}/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.data)
    assert manifest["name"] == name and manifest["lang"] == lang and manifest["start_url"] == f"/{lang}/"
    assert manifest["display"] == "standalone"
    sizes = {icon["sizes"]: icon["src"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= set(sizes)
    for src in sizes.values():
        with client.get(src) as icon:
            assert icon.status_code == 200 and icon.mimetype.startswith("image/")
    assert client.get(f"/{lang}/manifest.webmanifest",
                      headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_every_page_links_the_manifest_and_the_script(client):
    page = client.get("/en/modules/hoaks/jenis-misinformasi").text
    assert '<link rel="manifest" href="/en/manifest.webmanifest">' in page
    assert re.search(r'<script src="/assets/saring\.[0-9a-f]{10}\.js" defer></script>', page)
    assert "<script>" not in page, "no inline script"


def test_the_service_worker_names_the_current_files_and_both_offline_pages(client):
    response = client.get("/sw.js")
    assert response.mimetype == "application/javascript"
    assert "no-cache" in response.headers["Cache-Control"]
    script = response.text
    for address in re.findall(r'href="(/assets/[^"]+)"', client.get("/id/").text):
        if address.endswith((".css", ".svg")):
            assert address in script
    assert re.search(r'"/assets/saring\.[0-9a-f]{10}\.js"', script)
    assert '"en": "/en/offline"' in script and '"id": "/id/offline"' in script
    assert 'const LANGUAGES = ["id", "en"]' in script


def test_a_changed_file_makes_a_new_service_worker(app, client, database_url, tmp_path):
    shutil.copytree(app.config["STATIC_DIR"], tmp_path / "static")
    (tmp_path / "static" / "saring.css").write_text("body { color: black; }")
    changed = make_app(database_url, STATIC_DIR=str(tmp_path / "static")).test_client().get("/sw.js").text
    shell = re.compile(r'const SHELL = "(saring-shell-[0-9a-f-]+)"')
    assert shell.search(changed)[1] != shell.search(client.get("/sw.js").text)[1]


@pytest.mark.parametrize("lang, title", [("id", "Kamu sedang offline"), ("en", "You are offline")])
def test_the_offline_page_speaks_the_learners_language(client, lang, title):
    page = client.get(f"/{lang}/offline").text
    assert f"<h1>{title}</h1>" in page
    assert 'id="waiting"' in page and "hidden" in page


def test_the_offline_page_links_to_no_page_that_needs_a_connection(client, login_as):
    """Its links to saved modules and lessons are made on the phone, from what the phone has saved."""
    login_as("learner")
    page = client.get("/id/offline").text
    main = page.split('<main id="main">')[1].split("</main>")[0]
    assert "<a " not in main
    assert re.search(r'<section id="saved" aria-labelledby="saved-title" hidden>\s*'
                     r'<h2 id="saved-title">Tersimpan di HP ini</h2>\s*</section>', main)
    assert "Keluar" in page, "saved with a module, it keeps the signed-in menu"


def test_a_lesson_and_a_quiz_can_say_that_a_done_mark_waits_on_the_phone(client, login_as):
    """Offline, "I have finished this lesson" moves on to the next saved page, which says the mark will be sent."""
    login_as("learner")
    for address in ("/id/modules/hoaks/jenis-misinformasi", "/id/modules/hoaks/quiz"):
        note = re.search(r'<p class="flash" id="sent-later" role="status" hidden>([^<]+)</p>',
                         client.get(address).text)
        assert note and "dikirim" in note[1], address


def test_a_saved_module_holds_its_pages_quiz_and_images_but_no_answers(app, client, login_as):
    login_as("learner")
    listing = client.get("/id/modules/hoaks/saved.json").get_json()
    with app.app_context():
        module = get_library().module("hoaks")
    assert listing["pages"] == ["/id/modules/hoaks",
                                *[f"/id/modules/hoaks/{lesson.id}" for lesson in module.lessons],
                                "/id/modules/hoaks/quiz", "/id/offline"]
    assert listing["files"] and all(file.startswith("/media/hoaks/") for file in listing["files"])
    explanations = [option.explanation_html for question in module.quiz.texts["id"].questions
                    for option in question.options]
    for address in listing["pages"] + listing["files"]:
        with client.get(address) as response:
            assert response.status_code == 200, address
            if address in listing["pages"]:
                assert not any(text in response.text for text in explanations), address
    assert client.get("/id/modules/tidak-ada/saved.json").status_code == 404


def test_only_a_signed_in_learner_gets_the_save_button(client, login_as):
    assert "data-save=" not in client.get("/id/modules/hoaks").text
    login_as("learner")
    client.get("/id/")
    page = client.get("/id/modules/hoaks").text
    box = re.search(r'<div class="save" data-save="/id/modules/hoaks/saved.json"[^>]*>', page, re.S)[0]
    assert " hidden>" in box, "the button shows only where the script can save"
    assert 'data-save-label="Simpan untuk offline"' in box


def test_a_learner_with_a_first_password_still_gets_the_service_worker(client, create_user):
    create_user("baru", must_change=True)
    client.post("/id/login", data={"username": "baru", "password": PASSWORD})
    assert client.get("/sw.js").status_code == 200
    assert client.get("/id/manifest.webmanifest").status_code == 200
    assert client.get("/id/").status_code == 302


@pytest.mark.parametrize("path", ["/id/login", "/id/signup", "/id/account/delete"])
def test_signing_in_forgets_what_an_earlier_session_left_on_the_phone(client, login_as, path):
    """A session can end without logging out (a password changed elsewhere, a teacher's new first password):
    whoever signs in next on a shared phone must not find that learner's saved pages, and the answers still
    waiting there could no longer be sent anyway (a new session has a new form token)."""
    if path.endswith("delete"):
        login_as("learner")
    form = re.search(r'<form method="post"[^>]* class="form"[^>]*>', client.get(path).text)[0]
    assert "data-forget" in form
    script = (Path(client.application.config["STATIC_DIR"]) / "saring.js").read_text()
    assert 'querySelectorAll("form[data-forget]")' in script and 'tell({type: "forget"})' in script

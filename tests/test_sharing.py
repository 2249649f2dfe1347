"""Sharing a page on WhatsApp: Open Graph tags in the page's language, and a small share image."""

import struct
from html.parser import HTMLParser

import pytest

from saring.content import get_library


class OpenGraph(HTMLParser):
    """The page's Open Graph properties (og:…), their values unescaped."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: dict[str, str] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "meta" and (found.get("property") or "").startswith("og:"):
            self.tags.setdefault(found["property"], found["content"])


def shared_pages(lang: str) -> dict[str, tuple[str, str]]:
    """Path -> (title, summary) of home, a module, a lesson and a learning path, as read in `lang`."""
    library = get_library()
    module = library.module("hoaks")
    lesson = module.lessons[0]
    path = library.learning_path("orang-tua").texts[lang]
    home = {"id": ("Saring: saring sebelum sharing",
                   "Pelajaran dan kuis singkat supaya kamu cek dulu sebelum sharing: hoaks, penipuan, dan "
                   "bersikap baik di internet."),
            "en": ("Saring: filter before you share",
                   "Short lessons and quizzes to check before you share: hoaxes, scams and kindness online.")}
    return {f"/{lang}/": home[lang],
            f"/{lang}/modules/{module.id}": (module.title(lang), module.summary(lang)),
            f"/{lang}/modules/{module.id}/{lesson.id}": (lesson.texts[lang].title, lesson.texts[lang].summary),
            f"/{lang}/paths/orang-tua": (path.title, path.summary)}


@pytest.mark.parametrize("lang, locale, other", [("id", "id_ID", "en_US"), ("en", "en_US", "id_ID")])
def test_home_module_lesson_and_path_tell_whatsapp_their_title_summary_and_image_in_their_language(
        app, client, lang, locale, other):
    with app.app_context():
        pages = shared_pages(lang)
    for path, (title, summary) in pages.items():
        tags = OpenGraph(client.get(path).text).tags
        assert tags["og:title"] == title and tags["og:description"] == summary, path
        assert tags["og:url"] == f"http://localhost{path}"
        assert tags["og:locale"] == locale and tags["og:locale:alternate"] == other
        assert tags["og:site_name"] == "Saring" and tags["og:type"] == "website"
        assert tags["og:image"].startswith("http://localhost/assets/share.") and tags["og:image"].endswith(".png")
        assert tags["og:image:type"] == "image/png" and tags["og:image:alt"]


def test_a_signed_in_learners_page_tells_the_same_as_a_visitors(app, client, login_as):
    with app.app_context():
        path = next(iter(shared_pages("id")))
    visitor = OpenGraph(client.get(path).text).tags
    login_as("learner")
    assert OpenGraph(client.get(path).text).tags == visitor


def test_the_share_image_is_a_small_png_kept_a_year(client):
    tags = OpenGraph(client.get("/id/").text).tags
    response = client.get(tags["og:image"].removeprefix("http://localhost"))
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert "max-age=31536000" in response.headers["Cache-Control"]
    image = response.data
    assert image[:8] == b"\x89PNG\r\n\x1a\n" and len(image) < 8 * 1024, "a few KB"
    width, height = struct.unpack(">II", image[16:24])
    assert (str(width), str(height)) == (tags["og:image:width"], tags["og:image:height"])
    assert width >= 300 and 1.8 < width / height < 2.0, "WhatsApp's large preview: 300 px wide or more, about 1.91:1"


def test_private_pages_carry_no_open_graph_tags(client, login_as):
    login_as("learner")
    for path in ("/id/account", "/id/login", "/id/modules/hoaks/quiz"):
        assert "og:" not in client.get(path).text, path

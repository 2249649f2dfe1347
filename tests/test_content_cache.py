"""The rendered-output cache: the same library as without it, and only what changed rendered again."""

import pytest

from saring.config import Config
from saring.content import load_library
from saring.content.render import Renderer
from tests.conftest import SAMPLES

TREES = {"good": SAMPLES / "good", "broken": SAMPLES / "broken", "hostile": SAMPLES / "hostile", "shipped": None}


def tree_dirs(name):
    tree = TREES[name]
    if tree is None:
        return Config.CONTENT_LESSONS_DIR, Config.CONTENT_QUIZZES_DIR
    return tree / "lessons", tree / "quizzes"


@pytest.fixture
def renders(monkeypatch):
    """Counts the Markdown renders that really happen."""
    calls = []
    real = Renderer._render
    monkeypatch.setattr(Renderer, "_render", lambda self, *args: calls.append(args[1]) or real(self, *args))
    return calls


def made_of(app, library):
    """Each problem with what it is made of and as an Indonesian editor reads it (comparing problems leaves
    these out, and a cached render must keep them)."""
    with app.test_request_context("/id/"):
        return [(str(p), p.template, p.plural, p.params, p.localized()) for p in library.problems]


@pytest.mark.parametrize("name", TREES)
def test_cold_and_warm_loads_equal_a_load_without_cache(app, tmp_path, name, renders):
    lessons, quizzes = tree_dirs(name)
    expected = load_library(lessons, quizzes)
    cache = tmp_path / "cache.json"
    cold = load_library(lessons, quizzes, cache)
    assert cold == expected
    renders.clear()
    warm = load_library(lessons, quizzes, cache)
    assert warm == expected
    assert renders == []
    assert made_of(app, warm) == made_of(app, cold) == made_of(app, expected)


def test_only_a_changed_file_is_rendered_again(sample_copy, tmp_path, renders):
    cache = tmp_path / "cache.json"
    load_library(sample_copy / "lessons", sample_copy / "quizzes", cache)
    lesson = sample_copy / "lessons/alpha/02-second.en.md"
    text = lesson.read_text()
    lesson.write_text(text[:text.index("Second lesson body.")] + "A new body.\n")
    renders.clear()
    library = load_library(sample_copy / "lessons", sample_copy / "quizzes", cache)
    assert [text.strip() for text in renders] == ["A new body."]
    assert library.module("alpha").lessons[1].texts["en"].html == "<p>A new body.</p>"


def test_a_cached_render_still_warns_about_the_html_it_removed(sample_copy, tmp_path, renders):
    lesson = sample_copy / "lessons/alpha/02-second.en.md"
    lesson.write_text(lesson.read_text().replace("Second lesson body.", "Second <script>alert(1)</script> body."))
    cache = tmp_path / "cache.json"
    cold = load_library(sample_copy / "lessons", sample_copy / "quizzes", cache)
    renders.clear()
    warm = load_library(sample_copy / "lessons", sample_copy / "quizzes", cache)
    assert renders == []
    assert [str(p) for p in warm.problems] == [str(p) for p in cold.problems] == [
        "lessons/alpha/02-second.en.md:9: warning: <script> is not allowed and was removed"]
    assert [(p.template, p.params) for p in warm.problems] == [
        ("<%(tag)s> is not allowed and was removed", (("tag", "script"),))]


def test_removing_a_linked_lesson_brings_back_the_link_error(sample_copy, tmp_path):
    cache = tmp_path / "cache.json"
    load_library(sample_copy / "lessons", sample_copy / "quizzes", cache)
    for lang in ("id", "en"):
        (sample_copy / f"lessons/alpha/02-second.{lang}.md").unlink()
    library = load_library(sample_copy / "lessons", sample_copy / "quizzes", cache)
    assert library == load_library(sample_copy / "lessons", sample_copy / "quizzes")
    assert any(p.path == "lessons/alpha/01-first.en.md" and p.message == "link to a lesson that does not exist: "
               "02-second.md" for p in library.problems)


def test_removing_an_image_brings_back_the_image_error(sample_copy, tmp_path):
    cache = tmp_path / "cache.json"
    load_library(sample_copy / "lessons", sample_copy / "quizzes", cache)
    (sample_copy / "lessons/alpha/images/pic.svg").unlink()
    library = load_library(sample_copy / "lessons", sample_copy / "quizzes", cache)
    assert library == load_library(sample_copy / "lessons", sample_copy / "quizzes")
    assert any(p.message == "image file not found: images/pic.svg" for p in library.problems)
    assert library.media == {}


@pytest.mark.parametrize("stored", ["not json", '{"version": "0", "entries": {}}', '{"entries": 3}', "[]"])
def test_an_unreadable_or_old_cache_is_rebuilt(sample_copy, tmp_path, stored, renders):
    cache = tmp_path / "cache.json"
    cache.write_text(stored)
    expected = load_library(sample_copy / "lessons", sample_copy / "quizzes")
    assert load_library(sample_copy / "lessons", sample_copy / "quizzes", cache) == expected
    renders.clear()
    load_library(sample_copy / "lessons", sample_copy / "quizzes", cache)
    assert renders == []


def test_entries_of_removed_files_are_dropped(sample_copy, tmp_path):
    cache = tmp_path / "cache.json"
    load_library(sample_copy / "lessons", sample_copy / "quizzes", cache)
    before = cache.stat().st_size
    for lang in ("id", "en"):
        (sample_copy / f"quizzes/alpha.{lang}.md").unlink()
    load_library(sample_copy / "lessons", sample_copy / "quizzes", cache)
    assert cache.stat().st_size < before / 2

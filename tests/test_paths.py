"""Learning paths: a short route through lessons of several modules, for parents and adults."""

import pytest

from saring.content import load_library
from tests.test_content import problems_of

PATH = """---
title: {title}
summary: Two lessons for busy adults.
lessons:
  - alpha/second
  - alpha/first
---

Read one a day.
"""


@pytest.fixture
def with_path(sample_copy, use_content):
    (sample_copy / "paths").mkdir()
    for lang, title in (("id", "Jalur singkat"), ("en", "A short path")):
        (sample_copy / "paths" / f"dewasa.{lang}.md").write_text(PATH.format(title=title), encoding="utf-8")
    use_content(sample_copy)
    return sample_copy


def test_a_path_lists_its_lessons_in_its_own_order(with_path):
    library = load_library(with_path / "lessons", with_path / "quizzes")
    found = library.learning_path("dewasa")
    assert found.texts["en"].steps == (("alpha", "second"), ("alpha", "first"))
    assert found.texts["id"].title == "Jalur singkat" and "Read one a day." in found.texts["en"].intro_html
    assert problems_of(with_path) == []


def test_the_path_page_marks_what_is_done_and_offers_the_next_lesson(with_path, client, login_as):
    login_as("learner", lang="en")
    page = client.get("/en/paths/dewasa").text
    assert page.index("Second lesson") < page.index("First lesson")
    assert "Read next: Second lesson" in page
    client.post("/en/modules/alpha/second/done")
    page = client.get("/en/paths/dewasa").text
    assert "Read next: First lesson" in page and page.count('class="done"') == 1
    client.post("/en/modules/alpha/first/done")
    assert "You have read every lesson of this path." in client.get("/en/paths/dewasa").text


def test_home_shows_the_path_to_everyone_in_their_language(with_path, client):
    home = client.get("/id/").text
    assert "Jalur singkat" in home and 'href="/id/paths/dewasa"' in home
    assert client.get("/en/paths/dewasa").status_code == 200
    assert client.get("/en/paths/nowhere").status_code == 404


def test_a_path_naming_a_lesson_that_does_not_exist_is_reported_at_its_line(sample_copy):
    (sample_copy / "paths").mkdir()
    (sample_copy / "paths" / "dewasa.en.md").write_text(PATH.format(title="A path").replace(
        "alpha/first", "alpha/third"), encoding="utf-8")
    (sample_copy / "paths" / "Dewasa.md").write_text("x", encoding="utf-8")
    assert problems_of(sample_copy) == [
        "paths/Dewasa.md:1: not a path file name: use path-id.id.md or path-id.en.md",
        "paths/dewasa.en.md:6: the path lists 'alpha/third', which is not a lesson: write module-id/lesson-id, as "
        "in hoaks/jenis-misinformasi",
    ]
    [found] = load_library(sample_copy / "lessons", sample_copy / "quizzes").paths
    assert found.texts["en"].steps == (("alpha", "second"),)  # the rest of the path still works


def test_both_languages_take_the_same_route(with_path):
    english = with_path / "paths" / "dewasa.en.md"
    english.write_text(english.read_text().replace("  - alpha/first\n", ""), encoding="utf-8")
    assert problems_of(with_path) == [
        "paths/dewasa.en.md:1: warning: the path lists other lessons, or in another order, than "
        "paths/dewasa.id.md: both languages take the same route"]

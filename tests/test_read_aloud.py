"""Read aloud, server side: lessons, quiz questions and results give the script a place for the button.

The button itself is added by static/saring.js, and only where the phone has a voice for the text's
language (tests/test_browser.py drives it); without the script, or without a voice, there is none.
"""

import html
import re

import pytest

from saring.content import get_library

LESSON = "/{lang}/modules/hoaks/jenis-misinformasi"
LABELS = {"id": ("Bacakan", "Jeda", "Lanjutkan"), "en": ("Read aloud", "Pause", "Resume")}


def places(page):
    """The read-aloud places of a page, as {what they read: their other data attributes}."""
    found = {}
    for tag in re.findall(r'<div class="read-aloud"[^>]*>', page):
        attributes = {name: html.unescape(value) for name, value in re.findall(r'(data-[\w-]+)="([^"]*)"', tag)}
        assert tag.endswith(" hidden>"), "nothing shows until the script finds a voice"
        found[attributes.pop("data-read")] = attributes
    return found


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_lesson_offers_its_title_and_text_to_read_in_the_pages_language(client, lang):
    page = client.get(LESSON.format(lang=lang)).text
    read, pause, resume = LABELS[lang]
    assert places(page) == {".lesson > h1, .lesson-text": {"data-label": read, "data-pause": pause,
                                                            "data-resume": resume}}
    assert '<div class="lesson-text">' in page
    assert read not in page.replace(f'data-label="{read}"', ""), "the button is the script's, not the page's"


def test_each_quiz_question_offers_itself_and_its_options_but_the_page_holds_no_answer(app, client):
    page = client.get("/id/modules/hoaks/quiz").text
    with app.app_context():
        quiz = get_library().module("hoaks").quiz.texts["id"]
    assert list(places(page)) == [f"#q{n} legend, #q{n}-body, #q{n} .options"
                                  for n in range(1, len(quiz.questions) + 1)]
    assert not any(option.explanation_html[3:40] in page for question in quiz.questions
                   for option in question.options)


def test_a_result_offers_what_it_shows(app, client):
    with app.app_context():
        quiz = get_library().module("hoaks").quiz.texts["en"]
    form = client.get("/en/modules/hoaks/quiz").text
    data = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    data |= {f"q{n}": sorted(question.correct_ids) for n, question in enumerate(quiz.questions, 1)}
    result = client.post("/en/modules/hoaks/quiz", data=data).text
    assert "Your result" in result
    assert places(result) == {"main h1, .score, .answer": {"data-label": "Read aloud", "data-pause": "Pause",
                                                         "data-resume": "Resume"}}

"""The quiz file format: ids, types, options, explanations, cards and settings."""

import pytest

from saring.content import load_library
from saring.content.quizfile import question_starts
from tests.conftest import SAMPLES


@pytest.fixture(scope="module")
def quiz():
    library = load_library(SAMPLES / "good/lessons", SAMPLES / "good/quizzes")
    return library.module("alpha").quiz


def test_settings_come_from_front_matter(quiz):
    text = quiz.texts["id"]
    assert (text.title, text.pass_mark, text.shuffle) == ("Kuis Alfa", 60, False)


def test_questions_keep_ids_types_and_tags(quiz):
    questions = quiz.texts["en"].questions
    assert [(q.id, q.type, q.tags) for q in questions] == [
        ("pesan-atm", "single", ("emotion", "sift-stop")),
        ("tanda-hoaks", "multiple", ("emotion",)),
        ("kabar-resmi", "truefalse", ("genuine",)),
        ("sms-paket", "single", ("genuine", "check-source")),
        ("info-cuaca", "truefalse", ("genuine", "disaster-info")),
        ("donasi-banjir", "single", ("emotion", "donation-check")),
        ("langkah-cek", "multiple", ("lateral-reading",)),
        ("judul-heboh", "single", ("lateral-reading", "emotion")),
    ]


def test_options_get_letter_ids_and_the_answer_key(quiz):
    single, multiple, truefalse = quiz.texts["id"].questions[:3]
    assert [o.id for o in single.options] == ["a", "b", "c"]
    assert single.correct_ids == {"b"}
    assert multiple.correct_ids == {"a", "b"}
    assert truefalse.correct_ids == {"a"}
    assert single.options[1].html == "Cek dulu ke situs resmi bank."


def test_every_option_has_its_explanation(quiz):
    single = quiz.texts["en"].questions[0]
    assert single.options[0].explanation_html == \
        "<p>Not quite: a message that makes you panic is a sign to stop.</p>"
    assert all(o.explanation_html for q in quiz.texts["en"].questions for o in q.options)


def test_scenario_and_genuine_questions_are_recognised(quiz):
    single, multiple, truefalse = quiz.texts["id"].questions[:3]
    assert single.is_scenario and '<figure class="card card-whatsapp">' in single.body_html
    assert not multiple.is_scenario
    assert truefalse.is_genuine and not single.is_genuine


def test_body_does_not_swallow_the_options(quiz):
    body = quiz.texts["id"].questions[1].body_html
    assert body == "<p>Mana saja tanda hoaks?</p>"


def test_a_question_heading_inside_fenced_code_is_not_a_question():
    lines = ["intro", "```", "## not-a-question", "```", "## real"]
    assert question_starts(lines) == [4]


def test_quiz_in_one_language_falls_back(sample_copy):
    (sample_copy / "quizzes/alpha.en.md").unlink()
    library = load_library(sample_copy / "lessons", sample_copy / "quizzes")
    assert [str(p) for p in library.problems] == [
        "quizzes/alpha.id.md:1: warning: this quiz has no en version; readers see this language"]
    text, fallback = library.module("alpha").quiz.text("en")
    assert fallback and text.lang == "id"

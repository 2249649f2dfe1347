"""The shipped curriculum: six modules, both languages equal, quizzes that teach discernment."""

import re

import pytest

from saring.config import Config
from saring.content import load_library
from saring.content.report import content_report, reading_minutes

LIBRARY = load_library(Config.CONTENT_LESSONS_DIR, Config.CONTENT_QUIZZES_DIR)
MODULES = {module.id: module for module in LIBRARY.modules}
ACTION_AT_THE_END = re.compile(r'<div class="callout callout-action" role="note">((?!<div class="callout).)*</div>\s*$',
                               re.S)


def test_the_shipped_content_passes_the_strict_check():
    assert [str(problem) for problem in LIBRARY.problems] == []


def test_six_modules_with_the_curriculum_map_lessons():
    assert list(MODULES) == ["hoaks", "cek-fakta", "teknik-manipulasi", "aman-online", "solidaritas-digital",
                             "bijak-bermedia"]
    assert sum(len(module.lessons) for module in LIBRARY.modules) >= 26


@pytest.mark.parametrize("module", LIBRARY.modules, ids=lambda module: module.id)
def test_every_lesson_is_in_both_languages_readable_on_a_phone_and_ends_with_an_action(module):
    assert len(module.lessons) >= 4
    for lesson in module.lessons:
        assert set(lesson.texts) == {"id", "en"}, lesson.id
        for text in lesson.texts.values():
            assert 4 <= text.minutes <= 8, (lesson.id, text.lang, text.minutes)
            assert 3 <= reading_minutes(text.words) <= 8, (lesson.id, text.lang, text.words)
            assert ACTION_AT_THE_END.search(text.html), (lesson.id, text.lang, "must end with one action callout")
            assert text.sources, (lesson.id, text.lang)


@pytest.mark.parametrize("module", LIBRARY.modules, ids=lambda module: module.id)
def test_every_quiz_teaches_discernment(module):
    figures = next(m for m in content_report(LIBRARY)["modules"] if m["id"] == module.id)
    for lang, data in figures["languages"].items():
        assert 8 <= data["questions"] <= 12, (lang, data["questions"])
        assert data["scenario_questions"] * 2 >= data["questions"], lang
        assert data["genuine_questions"] >= 2, lang
        assert data["questions_without_explanations"] == [], lang
    assert figures["missing"] == {"id": {"lessons": [], "questions": []}, "en": {"lessons": [], "questions": []}}


@pytest.mark.parametrize("module", LIBRARY.modules, ids=lambda module: module.id)
def test_both_languages_ask_the_same_questions_with_the_same_answers(module):
    indonesian, english = module.quiz.texts["id"], module.quiz.texts["en"]
    assert (indonesian.pass_mark, indonesian.shuffle) == (english.pass_mark, english.shuffle)
    shape = [(q.id, q.type, q.tags, q.correct_ids, len(q.options), q.is_scenario) for q in indonesian.questions]
    assert shape == [(q.id, q.type, q.tags, q.correct_ids, len(q.options), q.is_scenario) for q in english.questions]


@pytest.mark.parametrize("module", LIBRARY.modules, ids=lambda module: module.id)
def test_no_card_holds_a_clickable_link(module):
    texts = [t.html for lesson in module.lessons for t in lesson.texts.values()]
    texts += [q.body_html for quiz in module.quiz.texts.values() for q in quiz.questions]
    for html in texts:
        for card in re.findall(r'<figure class="card.*?</figure>', html, re.S):
            assert "<a " not in card

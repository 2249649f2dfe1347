"""Every skill tag a quiz uses has a name teachers read, in both languages; `content check` warns about one without."""

import pytest
from flask_babel import force_locale, gettext

from saring.content import load_library, rules

from .test_content import GOOD, both_quizzes, problems_of


def test_every_tag_of_the_shipped_quizzes_has_a_name_in_both_languages(app):
    with app.app_context():
        from saring.content import get_library
        tags = {tag for module in get_library().modules if module.quiz for quiz in module.quiz.texts.values()
                for question in quiz.questions for tag in question.tags}
        assert tags and tags <= set(rules.TAG_NAMES)
        with app.test_request_context("/id/"), force_locale("id"):
            indonesian = {tag: gettext(rules.TAG_NAMES[tag]) for tag in tags}
    assert all(indonesian[tag] != rules.TAG_NAMES[tag] for tag in tags), "every name is translated"
    assert len(set(indonesian.values())) == len(tags), "no two skills share a name"


def test_the_sample_tree_uses_named_tags_only():
    assert load_library(GOOD / "lessons", GOOD / "quizzes").problems == ()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_tag_without_a_name_is_warned_about_with_its_line(sample_copy, lang):
    both_quizzes(sample_copy, "tags: lateral-reading, emotion", "tags: lateral-reading, emosi-baru")
    line = next(n for n, text in enumerate((sample_copy / f"quizzes/alpha.{lang}.md").read_text().split("\n"), 1)
                if text == "## judul-heboh")
    assert f"quizzes/alpha.{lang}.md:{line}: warning: question 'judul-heboh' has the tag 'emosi-baru', which has " \
           "no name for teachers' reports: use a tag of saring/content/rules.py (TAG_NAMES) or add it there " \
           "with its name" in problems_of(sample_copy)

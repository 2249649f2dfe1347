"""The shipped curriculum: it keeps every rule of `flask content check --strict` (saring/content/rules.py)."""

import re

import pytest

from saring.config import Config
from saring.content import load_library

LIBRARY = load_library(Config.CONTENT_LESSONS_DIR, Config.CONTENT_QUIZZES_DIR)


def test_the_shipped_content_passes_the_strict_check(runner):
    assert [str(problem) for problem in LIBRARY.problems] == []
    result = runner.invoke(args=["content", "check", "--strict"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(": 0 errors, 0 warnings")


def test_the_curriculum_map_is_all_there():
    """Not a rule of the check: a module folder removed by mistake leaves no problem behind."""
    assert len(LIBRARY.modules) >= 8
    assert sum(len(module.lessons) for module in LIBRARY.modules) >= 34
    assert LIBRARY.paths, "the short path for parents and adults"


@pytest.mark.parametrize("module", LIBRARY.modules, ids=lambda module: module.id)
def test_no_card_holds_a_clickable_link(module):
    texts = [t.html for lesson in module.lessons for t in lesson.texts.values()]
    texts += [q.body_html for quiz in (module.quiz.texts.values() if module.quiz else ()) for q in quiz.questions]
    for html in texts:
        for card in re.findall(r'<figure class="card.*?</figure>', html, re.S):
            assert "<a " not in card

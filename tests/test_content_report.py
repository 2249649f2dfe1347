"""`flask content report`: per module and language, what is there and what is missing."""

import json
import re

from saring.content import load_library
from saring.content.report import content_report, reading_minutes
from tests.conftest import SAMPLES


def report_of(tree):
    return content_report(load_library(tree / "lessons", tree / "quizzes"))


def test_reading_minutes_round_up_at_a_phone_readers_pace():
    assert [reading_minutes(words) for words in (1, 150, 151, 900)] == [1, 1, 2, 6]


def test_figures_for_the_good_sample():
    [alpha] = report_of(SAMPLES / "good")["modules"]
    english = alpha["languages"]["en"]
    assert alpha["title"] == {"id": "Modul Alfa", "en": "Alpha module"}
    assert (english["lessons"], english["questions"], english["scenario_questions"], english["genuine_questions"]) \
        == (2, 8, 5, 3)
    second = english["lesson_details"][1]
    assert {key: second[key] for key in ("id", "words", "reading_minutes", "stated_minutes")} \
        == {"id": "second", "words": 306, "reading_minutes": 3, "stated_minutes": 4}
    plain = second["readability"]
    assert plain["mean_sentence_words"] <= 15 and 0 < plain["long_word_share"] < 0.1
    assert [longest["words"] for longest in plain["longest"]] == sorted(
        (longest["words"] for longest in plain["longest"]), reverse=True)
    assert english["words"] == sum(lesson["words"] for lesson in english["lesson_details"])
    assert english["questions_without_explanations"] == []
    assert alpha["missing"] == {"id": {"lessons": [], "questions": []}, "en": {"lessons": [], "questions": []}}


def test_gaps_in_the_broken_sample():
    report = report_of(SAMPLES / "broken")
    rusak = next(module for module in report["modules"] if module["id"] == "rusak")
    assert rusak["missing"]["en"] == {"lessons": ["sendiri"], "questions": ["hanya-id", "kembar"]}
    assert rusak["missing"]["id"]["lessons"] == ["yaml", "kurang"]
    assert rusak["languages"]["id"]["questions_without_explanations"] == ["tanpa-penjelasan"]
    assert (report["errors"], report["warnings"]) == (26, 30)


def test_report_command_as_text_and_json(app, use_content):
    use_content(SAMPLES / "good")
    runner = app.test_cli_runner()
    text = runner.invoke(args=["content", "report"])
    assert text.exit_code == 0
    assert "alpha: Modul Alfa / Alpha module" in text.output
    assert "  en          2    626          8         5        3  -" in text.output
    assert "    second                        id 307/3/4   en 306/3/4" in text.output
    assert "  missing: nothing" in text.output
    assert "plain language: words a sentence on average / share of long words" in text.output
    assert re.search(r"    en second +\d+\.\d / \d+%\n +\d+ words: ", text.output)
    as_json = runner.invoke(args=["content", "report", "--json"])
    assert json.loads(as_json.output) == report_of(SAMPLES / "good")

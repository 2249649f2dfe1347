"""What editors need to see about the content: sizes, reading times, quiz make-up, gaps."""

from __future__ import annotations

import math

from .model import LANGUAGES, Library, Module
from .readability import readability

READING_WORDS_PER_MINUTE = 150  # a teenager reading on a phone, not an adult at a desk


def reading_minutes(words: int) -> int:
    """Minutes to read `words` at a phone reader's pace, rounded up."""
    return math.ceil(words / READING_WORDS_PER_MINUTE)


def module_report(module: Module) -> dict:
    """One module's figures per language, and what exists in one language only."""
    languages = {}
    for lang in LANGUAGES:
        lessons = [
            {"id": lesson.id, "words": text.words, "reading_minutes": reading_minutes(text.words),
             "stated_minutes": text.minutes, "readability": readability_figures(text.html, lang)}
            for lesson in module.lessons if (text := lesson.texts.get(lang))
        ]
        quiz = module.quiz.texts.get(lang) if module.quiz else None
        questions = quiz.questions if quiz else ()
        languages[lang] = {
            "lessons": len(lessons),
            "words": sum(lesson["words"] for lesson in lessons),
            "lesson_details": lessons,
            "questions": len(questions),
            "scenario_questions": sum(q.is_scenario for q in questions),
            "genuine_questions": sum(q.is_genuine for q in questions),
            "questions_without_explanations": [q.id for q in questions
                                               if any(not option.explanation_html for option in q.options)],
        }
    question_ids = {lang: {q.id for q in module.quiz.texts[lang].questions} if module.quiz
                    and lang in module.quiz.texts else set() for lang in LANGUAGES}
    all_questions = set().union(*question_ids.values())
    return {
        "id": module.id,
        "title": {lang: module.title(lang) for lang in LANGUAGES},
        "languages": languages,
        "missing": {
            lang: {
                "lessons": [lesson.id for lesson in module.lessons if lang not in lesson.texts],
                "questions": sorted(all_questions - question_ids[lang]),
            }
            for lang in LANGUAGES
        },
    }


def readability_figures(html: str, lang: str) -> dict:
    """A lesson's plain-language figures: mean sentence length, share of long words, its longest sentences."""
    measured = readability(html, lang)
    return {"sentences": measured.sentences, "mean_sentence_words": round(measured.mean_sentence_words, 1),
            "long_word_share": round(measured.long_word_share, 3),
            "longest": [{"words": count, "sentence": sentence} for count, sentence in measured.longest]}


def content_report(library: Library) -> dict:
    """The report for every module, with the number of errors and warnings found."""
    return {
        "modules": [module_report(module) for module in library.modules],
        "errors": len(library.errors),
        "warnings": len(library.problems) - len(library.errors),
    }

"""Plain-language figures: sentences as a learner reads them, cards and headings left out."""

import pytest

from saring.content.readability import readability, sentences, syllables

LESSON = """<h2>A heading that is not a sentence at all, however long it runs on</h2>
<p>Stop before you share. Who made this message, and why now?</p>
<ul><li>Check the sender</li><li>Find the news elsewhere…</li></ul>
<figure class="card card-whatsapp"><figcaption class="card-from">Om Heru</figcaption>
<p>SEGERA SEBARKAN ke semua grup sebelum jam sepuluh malam ini juga ya!!!</p></figure>
<div class="callout callout-action" role="note"><p>Ask one question of the next viral post.</p></div>"""


def test_sentences_are_read_from_the_lessons_own_prose():
    assert sentences(LESSON) == ["Stop before you share.", "Who made this message, and why now?",
                                 "Check the sender", "Find the news elsewhere…",
                                 "Ask one question of the next viral post."]


def test_the_figures_of_a_lesson():
    measured = readability(LESSON, "en")
    assert (measured.sentences, measured.words) == (5, 4 + 7 + 3 + 4 + 8)
    assert measured.mean_sentence_words == pytest.approx(26 / 5)
    assert measured.longest[0] == (8, "Ask one question of the next viral post.")
    assert measured.long_words == 0  # "elsewhere" counts three: under four


@pytest.mark.parametrize("word, lang, count", [
    ("hoaks", "id", 1), ("informasi", "id", 4), ("kredibilitas", "id", 5), ("generalisasi", "id", 6),
    ("kode", "id", 2), ("HP-mu", "id", 1), ("share", "en", 1), ("message", "en", 2), ("title", "en", 2),
    ("verification", "en", 5)])
def test_syllables_are_groups_of_vowels(word, lang, count):
    assert syllables(word, lang) == count


def test_an_empty_lesson_measures_zero():
    assert readability("").mean_sentence_words == 0 and readability("").long_word_share == 0

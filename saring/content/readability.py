"""How easy a lesson is to read: its sentences and words, measured on the rendered lesson as learners see it.

Only the lesson's own prose counts: paragraphs, list items, table cells and callouts. Cards are left out,
since they quote a message as its sender wrote it, and so are headings, which name rather than say. A
sentence ends at ".", "!", "?" or "…" followed by a space, and every block (a paragraph, a list item, a
cell) ends one too, so a list of short items is not read as one long sentence. A long word has four
syllables or more, counted as groups of vowels: that fits Indonesian spelling, and English once a silent
final "e" is left out ("share" has one syllable, "message" two); good enough to compare lessons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

BLOCKS = {"p", "li", "td", "th", "dt", "dd", "figcaption", "blockquote", "br"}
SKIPPED = {"figure", "h2", "h3", "h4", "h5", "h6"}  # cards, and headings, which are names rather than sentences
SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]*\s+")
WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
VOWELS = re.compile(r"[aeiouy]+", re.IGNORECASE)
LONG_WORD_SYLLABLES = 4
LONGEST_SHOWN = 3  # the longest sentences a report lists


class _Prose(HTMLParser):
    """The text of a lesson's blocks, cards and headings left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._current: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS or tag in SKIPPED:
            self._end_block()
        if tag in SKIPPED:
            self._skipping += 1

    def handle_endtag(self, tag):
        if tag in SKIPPED and self._skipping:
            self._skipping -= 1
            self._current = []
        if tag in BLOCKS:
            self._end_block()

    def handle_data(self, data):
        if not self._skipping:
            self._current.append(data)

    def _end_block(self):
        text = " ".join("".join(self._current).split())
        if text:
            self.blocks.append(text)
        self._current = []

    def close(self):
        super().close()
        self._end_block()


def sentences(html: str) -> list[str]:
    """The sentences of a rendered lesson's prose, in order."""
    parser = _Prose()
    parser.feed(html)
    parser.close()
    return [sentence for block in parser.blocks for sentence in SENTENCE_END.split(block) if WORD.search(sentence)]


def words(text: str) -> list[str]:
    return WORD.findall(text)


def syllables(word: str, lang: str = "id") -> int:
    if lang == "en" and len(word) > 2 and word[-1] in "eE" and word[-2].lower() not in "aeiouyl":
        word = word[:-1]  # the silent e of "share" and "elsewhere" (not of "title")
    return max(1, len(VOWELS.findall(word)))


@dataclass(frozen=True)
class Readability:
    """A lesson's sentence and word figures."""

    sentences: int
    words: int
    long_words: int
    longest: tuple[tuple[int, str], ...]  # (words, sentence), longest first

    @property
    def mean_sentence_words(self) -> float:
        return self.words / self.sentences if self.sentences else 0.0

    @property
    def long_word_share(self) -> float:
        return self.long_words / self.words if self.words else 0.0


def readability(html: str, lang: str = "id") -> Readability:
    """The figures of a rendered lesson in `lang`."""
    counted = [(len(words(sentence)), sentence) for sentence in sentences(html)]
    all_words = [word for sentence in sentences(html) for word in words(sentence)]
    longest = tuple(sorted(counted, key=lambda pair: -pair[0])[:LONGEST_SHOWN])
    return Readability(sentences=len(counted), words=len(all_words),
                       long_words=sum(syllables(word, lang) >= LONG_WORD_SYLLABLES for word in all_words),
                       longest=longest)

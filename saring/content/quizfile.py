"""The quiz file format: `## id`, `type:`/`tags:` lines, a body, and `- [x]` options."""

from __future__ import annotations

import re
import textwrap

from .model import ID_PATTERN, MAX_ID_LENGTH, N_, QUESTION_TYPES, ContentError, Option, Param, Question, QuizText
from .render import Document, Renderer
from .rules import MAX_OPTIONS

QUESTION_HEADING = re.compile(r"^##(?!#)\s*(.*?)\s*$")
META_LINE = re.compile(r"^(type|tags)\s*:\s*(.*?)\s*$")
OPTION_LINE = re.compile(r"^- \[([ xX])\]\s*(.*?)\s*$")
FENCE = re.compile(r"^(```|~~~)")
ID = re.compile(ID_PATTERN)
DEFAULT_PASS_MARK = 70


def question_starts(lines: list[str]) -> list[int]:
    """Indexes of the `## id` lines, ignoring any inside fenced code."""
    starts, fenced = [], False
    for index, line in enumerate(lines):
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and QUESTION_HEADING.match(line):
            starts.append(index)
    return starts


def text_and_line(block: list[str], first_line: int) -> tuple[str, int]:
    """A block's text without the blank lines around it, and the line that text starts on."""
    return "\n".join(block).strip(), first_line + next((n for n, line in enumerate(block) if line.strip()), 0)


def _settings(doc: Document, meta: dict, fm_line) -> tuple[str | None, int, bool]:
    """Read title, pass mark and shuffle from the front matter, reporting bad values."""
    title = meta.get("title")
    if title is not None and not isinstance(title, str):
        doc.problems.append(ContentError.of(doc.path, fm_line("title"), N_("title must be text")))
        title = None
    pass_mark = meta.get("pass_mark", DEFAULT_PASS_MARK)
    if isinstance(pass_mark, bool) or not isinstance(pass_mark, int) or not 1 <= pass_mark <= 100:
        doc.problems.append(ContentError.of(
            doc.path, fm_line("pass_mark"), N_("pass_mark must be a whole number from 1 to 100")))
        pass_mark = DEFAULT_PASS_MARK
    shuffle = meta.get("shuffle", False)
    if not isinstance(shuffle, bool):
        doc.problems.append(ContentError.of(doc.path, fm_line("shuffle"), N_("shuffle must be true or false")))
        shuffle = False
    for key in meta.keys() - {"title", "pass_mark", "shuffle"}:
        doc.problems.append(ContentError.of(doc.path, fm_line(key), N_("unknown field %(key)r"), warning=True,
                                            key=key))
    return title, pass_mark, shuffle


def parse_quiz(doc: Document, meta: dict, fm_line, renderer: Renderer) -> tuple[QuizText, set[str]]:
    """Parse a quiz body; return the quiz and the ids of questions skipped for errors."""
    title, pass_mark, shuffle = _settings(doc, meta, fm_line)
    lines = doc.text.splitlines()
    starts = question_starts(lines)
    intro_end = starts[0] if starts else len(lines)
    intro, intro_line = text_and_line(lines[:intro_end], doc.first_line)
    intro_html = renderer.render(doc, intro, intro_line) if intro else ""
    questions: list[Question] = []
    broken: set[str] = set()
    seen: set[str] = set()
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(lines)
        question_id = QUESTION_HEADING.match(lines[start])[1]
        line = doc.first_line + start
        if question_id in seen:
            doc.problems.append(ContentError.of(doc.path, line, N_("duplicate question id %(question)r"),
                                                question=question_id))
            continue
        seen.add(question_id)
        question = _parse_question(doc, renderer, question_id, lines[start + 1:end], line)
        if question is None:
            broken.add(question_id)
        else:
            questions.append(question)
    if not starts:
        doc.problems.append(ContentError.of(doc.path, doc.first_line, N_("the quiz has no questions (## id)")))
    return QuizText(doc.lang, title, pass_mark, shuffle, intro_html, tuple(questions), doc.path), broken


def _parse_question(doc: Document, renderer: Renderer, question_id: str, block: list[str],
                    line: int) -> Question | None:
    """Parse one question block; report problems and return None when it cannot be used."""
    problems_before = len([p for p in doc.problems if not p.warning])

    def error(at: int, template: str, **params: Param) -> None:
        doc.problems.append(ContentError.of(doc.path, at, template, **params))

    if not ID.fullmatch(question_id) or len(question_id) > MAX_ID_LENGTH:
        error(line, N_("question id %(question)r must be lowercase letters, digits and hyphens, at most %(most)s"),
              question=question_id, most=MAX_ID_LENGTH)
    kind, tags, index = None, (), 0
    while index < len(block) and (meta := META_LINE.match(block[index])):
        if meta[1] == "type":
            kind = meta[2]
            if kind not in QUESTION_TYPES:
                error(line + 1 + index, N_("type %(type)r must be one of %(types)s"), type=kind,
                      types=", ".join(QUESTION_TYPES))
        else:
            tags = tuple(tag.strip() for tag in meta[2].split(",") if tag.strip())
            for tag in tags:
                if not ID.fullmatch(tag) or len(tag) > MAX_ID_LENGTH:
                    error(line + 1 + index, N_("tag %(tag)r must be lowercase letters, digits and hyphens"), tag=tag)
        index += 1
    if kind is None:
        error(line, N_("missing a 'type:' line (single, multiple or truefalse) under the question id"))
    body_start = index
    while index < len(block) and not OPTION_LINE.match(block[index]):
        index += 1
    body, body_line = text_and_line(block[body_start:index], line + 1 + body_start)
    if not body:
        error(line, N_("question %(question)r has no text before its options"), question=question_id)
    options = _parse_options(doc, renderer, block[index:], line + 1 + index, error)
    if not options:
        error(line, N_("question %(question)r has no options (lines starting with - [ ] or - [x])"),
              question=question_id)
    elif kind in QUESTION_TYPES:
        _check_answer_key(question_id, kind, options, line, error)
    if len([p for p in doc.problems if not p.warning]) > problems_before:
        return None
    body_html = renderer.render(doc, body, body_line)
    return Question(question_id, kind, tags, body_html, tuple(options),
                    '<figure class="card' in body_html, line)


def _parse_options(doc: Document, renderer: Renderer, block: list[str], first_line: int,
                   error) -> list[Option]:
    """Parse `- [x] text` lines, each followed by its indented explanation."""
    starts = [n for n, text in enumerate(block) if OPTION_LINE.match(text)]
    options = []
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(block)
        match = OPTION_LINE.match(block[start])
        at = first_line + start
        extra = block[start + 1:end]
        stray = next((n for n, text in enumerate(extra) if text.strip() and not text[0].isspace()), None)
        if stray is not None:
            error(at + 1 + stray, N_("text after an option must be its explanation, indented by four spaces"))
        if not match[2]:
            error(at, N_("option has no text"))
        explanation = textwrap.dedent("\n".join(extra)).strip()
        if not explanation:
            doc.problems.append(ContentError.of(
                doc.path, at, N_("option has no explanation (indented lines under it)"), warning=True))
        option_id = chr(ord("a") + number)
        options.append(Option(
            option_id,
            renderer.render_inline(doc, match[2], at),
            match[1] in "xX",
            renderer.render(doc, explanation, at + 1) if explanation else "",
            at,
        ))
    return options


def _check_answer_key(question_id: str, kind: str, options: list[Option], line: int, error) -> None:
    """Check the number of options and correct ones against the question's type."""
    correct = sum(option.correct for option in options)
    if correct == 0:
        error(line, N_("question %(question)r has no correct option (mark one with - [x])"), question=question_id)
    elif kind in ("single", "truefalse") and correct > 1:
        error(line, N_("question %(question)r is %(type)s but has %(correct)s correct options"),
              question=question_id, type=kind, correct=correct)
    if len(options) < 2:
        error(line, N_("question %(question)r needs at least two options"), question=question_id)
    if kind == "truefalse" and len(options) != 2:
        error(line, N_("question %(question)r is truefalse and needs exactly two options"), question=question_id)
    if len(options) > MAX_OPTIONS:
        error(line, N_("question %(question)r has more than %(most)s options"), question=question_id,
              most=MAX_OPTIONS)

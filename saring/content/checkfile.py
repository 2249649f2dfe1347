"""The discernment check's file format: `## id`, `truth:`/`technique:`/`source:`/`topic:`/`difficulty:` lines,
one card, and an indented `explanation:` shown only after the check."""

from __future__ import annotations

import re
import textwrap

from .model import (
    CHECK_DIFFICULTIES,
    CHECK_TECHNIQUES,
    CHECK_TOPICS,
    CHECK_TRUTHS,
    ID_PATTERN,
    MAX_ID_LENGTH,
    N_,
    CheckFormText,
    CheckItem,
    ContentError,
    Param,
)
from .quizfile import QUESTION_HEADING, question_starts, text_and_line
from .render import Document, Renderer

CHECK_META = re.compile(r"^(truth|technique|source|topic|difficulty)\s*:\s*(.*?)\s*$")
EXPLANATION_LINE = re.compile(r"^explanation\s*:\s*$")
ID = re.compile(ID_PATTERN)
CHOICES = {"truth": CHECK_TRUTHS, "technique": CHECK_TECHNIQUES, "topic": CHECK_TOPICS,
           "difficulty": CHECK_DIFFICULTIES}


def parse_check_form(doc: Document, meta: dict, fm_line, renderer: Renderer) -> CheckFormText:
    """Parse a form of the discernment check; an item with an error is reported and left out."""
    title = meta.get("title")
    if title is not None and not isinstance(title, str):
        doc.problems.append(ContentError.of(doc.path, fm_line("title"), N_("title must be text")))
        title = None
    for key in meta.keys() - {"title"}:
        doc.problems.append(ContentError.of(doc.path, fm_line(key), N_("unknown field %(key)r"), warning=True,
                                            key=key))
    lines = doc.text.splitlines()
    starts = question_starts(lines)
    intro, intro_line = text_and_line(lines[:starts[0] if starts else len(lines)], doc.first_line)
    intro_html = renderer.render(doc, intro, intro_line) if intro else ""
    items: list[CheckItem] = []
    seen: set[str] = set()
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(lines)
        item_id, line = QUESTION_HEADING.match(lines[start])[1], doc.first_line + start
        if item_id in seen:
            doc.problems.append(ContentError.of(doc.path, line, N_("duplicate item id %(item)r"), item=item_id))
            continue
        seen.add(item_id)
        item = _parse_item(doc, renderer, item_id, lines[start + 1:end], line)
        if item is not None:
            items.append(item)
    if not starts:
        doc.problems.append(ContentError.of(doc.path, doc.first_line, N_("the form has no items (## id)")))
    return CheckFormText(doc.lang, title.strip() if title else None, intro_html, tuple(items), doc.path)


def _parse_item(doc: Document, renderer: Renderer, item_id: str, block: list[str], line: int) -> CheckItem | None:
    """Parse one item; report its problems and return None when it cannot be used."""
    errors_before = sum(not p.warning for p in doc.problems)

    def error(at: int, template: str, **params: Param) -> None:
        doc.problems.append(ContentError.of(doc.path, at, template, **params))

    if not ID.fullmatch(item_id) or len(item_id) > MAX_ID_LENGTH:
        error(line, N_("item id %(item)r must be lowercase letters, digits and hyphens, at most %(most)s"),
              item=item_id, most=MAX_ID_LENGTH)
    values: dict[str, str] = {}
    index = 0
    while index < len(block) and (found := CHECK_META.match(block[index])):
        key, value = found[1], found[2]
        if key in CHOICES and value not in CHOICES[key]:
            error(line + 1 + index, N_("%(key)s %(value)r must be one of %(choices)s"), key=key, value=value,
                  choices=", ".join(CHOICES[key]))
        values[key] = value
        index += 1
    for key in ("truth", "topic", "difficulty"):
        if key not in values:
            error(line, N_("item %(item)r needs a '%(key)s:' line under its id"), item=item_id, key=key)
    genuine = values.get("truth") == "genuine"
    if values.get("truth") == "false" and not values.get("technique"):
        error(line, N_("false item %(item)r needs a 'technique:' line: how it misleads"), item=item_id)
    if genuine and not values.get("source"):
        error(line, N_("genuine item %(item)r needs a 'source:' line: where a reader can verify it"), item=item_id)
    if genuine and values.get("technique"):
        error(line, N_("genuine item %(item)r has a technique; only a false item has one"), item=item_id)
    explanation_at = next((n for n in range(index, len(block)) if EXPLANATION_LINE.match(block[n])), None)
    body, body_line = text_and_line(block[index:explanation_at], line + 1 + index)
    if not body:
        error(line, N_("item %(item)r has no card before its explanation"), item=item_id)
    explanation = ""
    if explanation_at is None:
        error(line, N_("item %(item)r has no 'explanation:' line with the explanation indented under it"),
              item=item_id)
    else:
        rest = block[explanation_at + 1:]
        stray = next((n for n, text in enumerate(rest) if text.strip() and not text[0].isspace()), None)
        if stray is not None:
            error(line + 2 + explanation_at + stray, N_("the explanation must be indented by four spaces"))
        explanation = textwrap.dedent("\n".join(rest)).strip()
        if not explanation and stray is None:
            error(line + 1 + explanation_at, N_("item %(item)r has an empty explanation"), item=item_id)
    if sum(not p.warning for p in doc.problems) > errors_before:
        return None
    body_html = renderer.render(doc, body, body_line)
    if '<figure class="card' not in body_html:
        doc.problems.append(ContentError.of(doc.path, body_line, N_(
            "item %(item)r shows no card: put the message in a card (!!! whatsapp, sms, post, headline…)"),
            warning=True, item=item_id))
    return CheckItem(item_id, genuine, values.get("technique") or None, values.get("source") or None,
                     values["topic"], values["difficulty"], body_html,
                     renderer.render(doc, explanation, line + 2 + explanation_at), line)

"""The rule book: every limit content is held to, applied by the loader on every load, so the app,
`flask content check` and the tests all see the same problems.

A file over the size limits is an error: it is never read, so never served. The other rules judge
quality: a lesson's length and its closing action, a quiz's make-up, the two languages of a quiz asking
alike. They are warnings: the site still serves the content, and `flask content check --strict` fails on
them. They read what the loader has already built and never render anything again. (An id's length is
the database's: `model.MAX_ID_LENGTH`.)
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from xml.etree import ElementTree

from .model import (
    LANGUAGES,
    N_,
    CheckForm,
    ContentError,
    Count,
    LearningPath,
    LessonText,
    Module,
    Nn_,
    Param,
    QuizText,
)
from .readability import readability, words
from .render import BLOCK_PATTERN, CARD_KINDS
from .report import READING_WORDS_PER_MINUTE, reading_minutes

if TYPE_CHECKING:
    from .loader import SourceFile

# The longest shipped file is about 15 KB; a bigger one is a mistake (a pasted dump, an image pasted as
# text) that every start would read and every page showing it would carry to a phone.
MAX_FILE_BYTES = 200 * 1024
# libyaml recurses in C and can crash the process on input nested hundreds of thousands deep; real
# front matter is under 2,000 characters, and nesting within this limit parses safely.
MAX_FRONT_MATTER = 20_000
MAX_OPTIONS = 10  # options of one question
LESSON_MINUTES = (4, 8)  # the `minutes:` a lesson states: one sitting on a phone, between classes
READING_MINUTES = (3, 8)  # the minutes its words take at READING_WORDS_PER_MINUTE (saring.content.report)
QUIZ_QUESTIONS = (8, 12)  # questions per quiz, in each language
# Plain language for SMP learners and adults who read slowly (measured as saring.content.readability does).
SENTENCE_WORDS = 15  # a lesson's sentences average at most this many words
FEEDBACK_WORDS = 25  # an option's explanation: short enough to read on a phone and to hear read aloud
MAX_IMAGE_BYTES = 15 * 1024  # an image a lesson or a quiz shows; a page must stay within its weight budget
# An image is drawn at most as wide as the lesson column: a 360 px phone less `main`'s padding of 1rem a side
# (static/saring.css). An SVG wider than that shrinks, and its text with it, by COLUMN_PX / its viewBox width.
COLUMN_PX = 328
# The smallest text an SVG may show there, in CSS px. The aim is 14, but most images write font-size 14 in a
# viewBox 360 wide, which shows at 12.8 px (about the page's own smallest print, .8rem): raise this to 14 once
# they are redrawn with font-size 15.4 or more.
MIN_TEXT_PX = 12
# A figure the lesson states about the world (a share, a count in the thousands, an amount in millions) dates:
# the year goes in the same paragraph, or in the paragraph that leads into the list holding it. Not the
# lesson's own figures: quoted words (what a message or a person says), cards, images' descriptions,
# everyday amounts (Rp 50.000) and a paragraph that gives an example ("misalnya", "for example").
FIGURE = re.compile(r"\d+(?:[.,]\d+)?\s?(?:%|persen\b|per ?cent\b)|(?<!Rp )(?<!Rp)\b\d{1,3}(?:[.,]\d{3})+\b"
                    r"|\b\d+(?:[.,]\d+)?\s+(?:juta|miliar|triliun|million|billion|trillion)\b", re.IGNORECASE)
YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
QUOTED = re.compile(r'“[^”]*”|"[^"\n]*"')
EXAMPLE = re.compile(r"\b(?:misalnya|contohnya|sebagai contoh|for example|for instance|e\.g\.)", re.IGNORECASE)
IMAGE_LINE = re.compile(r"\s*!\[")
LIST_ITEM = re.compile(r"\s*(?:[-*+]|\d+\.|\|)\s")
# At least this many of a quiz's questions: a whole number is a count, a Fraction a share of the questions.
SCENARIO_QUESTIONS = Fraction(1, 2)  # questions whose body shows a card: learners judge realistic messages
# Questions tagged genuine: learners practise trusting what is true, so that doubting everything fails the quiz.
GENUINE_QUESTIONS = Fraction(1, 3)
# Words that tell the learner a genuine message was already checked or is trustworthy, so the answer is given
# away: the learner should judge the message itself and how to verify it. Matched in a genuine question's text
# (its body, cards included, without HTML tags), ignoring case, as whole words: "verified" is not "unverified".
GIVEAWAY_LABELS = (
    "sudah dicek", "sudah mengecek", "sudah diverifikasi", "terverifikasi", "akun resmi", "info resmi", "centang biru",
    "already checked", "have checked", "verified", "official account", "blue tick",
)
GIVEAWAY = re.compile(r"\b(?:" + "|".join(re.escape(label) for label in GIVEAWAY_LABELS) + r")\b", re.IGNORECASE)
HTML_TAG = re.compile(r"<[^>]+>")
# The skill each tag of a quiz's questions names, as teachers read it in the item analysis (mastery per
# skill), translated when shown. A tag missing here is warned about, so no report shows a bare English id.
TAG_NAMES = {
    "accuracy-prompt": N_("Thinking about accuracy before sharing"),
    "ai-chatbot": N_("Using AI chatbots with care"),
    "apk": N_("Spotting dangerous APK files"),
    "check-source": N_("Checking the source"),
    "click-restraint": N_("Choosing what to open first"),
    "conspiracy": N_("Spotting conspiracy stories"),
    "cyberbullying": N_("Standing up to cyberbullying"),
    "deepfake": N_("Spotting deepfakes"),
    "defamation": N_("Avoiding defamation"),
    "disaster-info": N_("Checking disaster news"),
    "discrediting": N_("Spotting attacks on fact-checkers"),
    "donation-check": N_("Checking donation appeals"),
    "doxxing": N_("Protecting yourself from doxxing"),
    "election": N_("Checking election news"),
    "emotion": N_("Noticing messages that stir up emotion"),
    "fact-check-tools": N_("Using fact-checking sites"),
    "fake-expert": N_("Spotting fake experts"),
    "false-connection": N_("Spotting headlines that do not match the story"),
    "false-context": N_("Spotting real pictures in a false context"),
    "gambling": N_("Recognising online gambling"),
    "genuine": N_("Trusting genuine messages"),
    "grooming": N_("Recognising grooming"),
    "hallucination": N_("Spotting answers an AI made up"),
    "health": N_("Checking health news"),
    "help": N_("Asking for help"),
    "illegal-loans": N_("Recognising illegal online loans"),
    "impersonation": N_("Spotting someone pretending to be someone else"),
    "ite-law": N_("Knowing the ITE law"),
    "lateral-reading": N_("Reading other sources about a claim"),
    "misinformation": N_("Telling kinds of false information apart"),
    "netiquette": N_("Behaving well online"),
    "otp": N_("Keeping OTP codes secret"),
    "password": N_("Making strong passwords"),
    "petition": N_("Checking petitions and campaigns"),
    "phishing": N_("Spotting phishing"),
    "polarisation": N_("Spotting messages that turn groups against each other"),
    "privacy": N_("Protecting personal data"),
    "report": N_("Reporting to the right place"),
    "respond-kindly": N_("Responding kindly"),
    "reverse-image": N_("Finding where a picture comes from"),
    "satire": N_("Recognising satire"),
    "scam": N_("Spotting scams"),
    "sextortion": N_("Standing up to sextortion"),
    "sift-find": N_("SIFT: finding other coverage"),
    "sift-investigate": N_("SIFT: investigating the source"),
    "sift-stop": N_("SIFT: stopping before sharing"),
    "sift-trace": N_("SIFT: tracing back to the original"),
    "tolerance": N_("Respecting differences"),
    "trafficking": N_("Recognising fake job offers and trafficking"),
    "trolling": N_("Spotting trolls and fake crowds"),
    "urgency": N_("Noticing pressure to act right now"),
    "voice-clone": N_("Spotting cloned voices"),
    "wellbeing": N_("Looking after yourself online"),
}

ACTION_CALLOUT = '<div class="callout callout-action"'
DIV_TAG = re.compile(r"<div\b|</div>")


def oversized(file: Path, display: str) -> ContentError | None:
    """The error for a file too big to read, or None; raises OSError when the file cannot be looked at."""
    return size_problem(file.stat().st_size, display)


def too_long(text: str, display: str) -> ContentError | None:
    """The error for a published text over the size limit, or None."""
    return size_problem(len(text.encode()), display)


def size_problem(size: int, display: str) -> ContentError | None:
    """The error for content of `size` bytes, or None when it is within the limit."""
    if size <= MAX_FILE_BYTES:
        return None
    return ContentError.of(display, 1, N_("the file has %(size)s bytes, more than the %(limit)s (%(kb)s KB) a "
                                          "content file may have; it is left out until it is smaller"),
                           size=Count(size), limit=Count(MAX_FILE_BYTES), kb=MAX_FILE_BYTES // 1024)


SVG_NUMBER = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*(px|em|%)?\s*")
STYLE_FONT_SIZE = re.compile(r"(?:^|;)\s*font-size\s*:([^;]*)")
SVG_DEFAULT_FONT_PX = 16  # `medium`, the size of text that no element sets


class SvgText(NamedTuple):
    """An SVG's smallest text: its font-size in the SVG's own units, and the scale the lesson column draws it at."""

    size: Fraction
    scale: Fraction

    @property
    def px(self) -> Fraction:
        """The CSS px it shows at on a phone."""
        return self.size * self.scale


def smallest_text(svg: bytes) -> SvgText | None:
    """An SVG's smallest text as the lesson column shows it, or None when it draws no text; raises
    ElementTree.ParseError when it is not well-formed XML, LookupError when it declares an unknown encoding."""
    root = ElementTree.fromstring(svg)
    box = root.get("viewBox", "").replace(",", " ").split()
    width = _svg_length(box[2] if len(box) == 4 else root.get("width", ""), None)
    scale = min(Fraction(1), Fraction(COLUMN_PX) / width) if width else Fraction(1)
    sizes = []
    pending = [(root, Fraction(SVG_DEFAULT_FONT_PX), False)]  # a loop: an SVG may nest deeper than Python recurses
    while pending:
        element, size, in_text = pending.pop()
        style = STYLE_FONT_SIZE.search(element.get("style", ""))
        if (declared := _svg_length(style[1] if style else element.get("font-size", ""), size)) is not None:
            size = declared
        in_text = in_text or element.tag.rpartition("}")[2] == "text"
        if in_text and ((element.text or "").strip() or any((child.tail or "").strip() for child in element)):
            sizes.append(size)
        pending.extend((child, size, in_text) for child in element)
    return SvgText(min(sizes), scale) if sizes else None


def _svg_length(value: str, font_size: Fraction | None) -> Fraction | None:
    """A length in user units (a number or px, or em and % of `font_size`), or None for anything else: a
    keyword (small, larger) or another unit is not judged."""
    found = SVG_NUMBER.fullmatch(value)
    if found is None or (found[2] in ("em", "%") and font_size is None):
        return None
    number = Fraction(found[1])
    return number * font_size if found[2] == "em" else number * font_size / 100 if found[2] == "%" else number


def last_action(html: str) -> tuple[int, int] | None:
    """Where the last action callout of a rendered lesson starts and ends, or None."""
    start = html.rfind(ACTION_CALLOUT)
    if start < 0:
        return None
    depth = 0
    for tag in DIV_TAG.finditer(html, start):
        depth += 1 if tag[0] != "</div>" else -1
        if depth == 0:
            return start, tag.end()
    return None


def _ends_with_action(html: str) -> bool:
    """Whether the last thing in the lesson is an action callout."""
    found = last_action(html)
    return found is not None and not html[found[1]:].strip()


def check_lesson(text: LessonText, source: SourceFile) -> list[ContentError]:
    """A rendered lesson's length and its closing action."""
    problems = []

    def warn(line: int, template: str, **params: Param) -> None:
        problems.append(ContentError.of(text.path, line, template, warning=True, **params))

    low, high = LESSON_MINUTES
    if not low <= text.minutes <= high:
        warn(source.line_of("minutes"), N_("'minutes' is %(minutes)s; a lesson takes %(low)s to %(high)s minutes"),
             minutes=text.minutes, low=low, high=high)
    reading, (low, high) = reading_minutes(text.words), READING_MINUTES
    takes = {"reading": Count(reading, Nn_("%(num)s minute", "%(num)s minutes")),
             "words": Count(text.words, Nn_("%(num)s word", "%(num)s words")), "pace": READING_WORDS_PER_MINUTE}
    if reading > high:
        warn(source.line_of("minutes"), N_("the lesson takes %(reading)s to read (%(words)s at %(pace)s a minute); "
                                           "keep it within %(high)s"), **takes, high=high)
    elif reading < low:
        warn(source.line_of("minutes"), N_("the lesson takes %(reading)s to read (%(words)s at %(pace)s a minute); "
                                           "give it at least %(low)s"), **takes, low=low)
    lines = source.body.rstrip().split("\n")
    actions = [n for n, line in enumerate(lines) if (block := BLOCK_PATTERN.match(line)) and block[1] == "action"]
    if not _ends_with_action(text.html):
        warn(source.body_line + len(lines) - 1, N_("the lesson does not end with an action callout (!!! action): "
                                                   "close it with one thing to do now"))
    elif (count := text.html.count(ACTION_CALLOUT)) > 1:
        warn(source.body_line + (actions[0] if actions else 0),
             N_("the lesson has %(count)s action callouts; keep one, at the end"), count=count)
    measured = readability(text.html, text.lang)
    if measured.mean_sentence_words > SENTENCE_WORDS:
        warn(source.body_line, N_("the lesson's sentences average %(mean)s words; keep the average within %(limit)s "
                                  "(`flask content report` lists the longest)"),
             mean=f"{measured.mean_sentence_words:.1f}", limit=SENTENCE_WORDS)
    for line in undated_figures(source.body):
        warn(source.body_line + line, N_("a figure without its year: write the year in the same paragraph (or in "
                                         "the sentence leading into the list), so a reader can tell when it ages"))
    return problems


def undated_figures(body: str) -> list[int]:
    """The body lines (from 0) of paragraphs and list items stating a figure with no year beside it."""
    found: list[int] = []
    block: list[tuple[int, str]] = []
    lead_in = ""  # the paragraph before a list, when it ends with ":"
    in_card = False

    def close() -> None:
        nonlocal block, lead_in
        if block:
            text, item = " ".join(line for _, line in block), bool(LIST_ITEM.match(block[0][1]))
            own = QUOTED.sub(" ", text)
            if FIGURE.search(own) and not EXAMPLE.search(own) and not YEAR.search(text) \
                    and not (item and YEAR.search(lead_in)):
                found.append(block[0][0])
            if not item:
                lead_in = text if text.rstrip().endswith(":") else ""
        block = []

    for number, line in enumerate(body.split("\n")):
        if block_start := BLOCK_PATTERN.match(line):
            close()
            in_card = block_start[1] in CARD_KINDS
            if in_card:
                continue
        elif in_card and (line.startswith((" ", "\t")) or not line.strip()):
            continue  # a card's body
        else:
            in_card = False
        if not line.strip() or LIST_ITEM.match(line) or IMAGE_LINE.match(line):
            close()
        if line.strip() and not IMAGE_LINE.match(line):
            block.append((number, line))
    close()
    return found


def required(minimum: int | Fraction, questions: int) -> int:
    """How many questions `minimum` asks of a quiz with `questions`: a count, or a share rounded up."""
    return math.ceil(minimum * questions) if isinstance(minimum, Fraction) else minimum


def check_quiz(quiz: QuizText) -> list[ContentError]:
    """One language's quiz: its number of questions, of scenarios and of genuine messages, genuine questions
    that give their answer away, and tags without a name."""
    total = len(quiz.questions)
    if not total:
        return []  # not offered: the loader has reported why
    problems = []

    def warn(template: str | tuple[str, str], **params: Param) -> None:
        problems.append(ContentError.of(quiz.path, 1, template, warning=True, **params))

    low, high = QUIZ_QUESTIONS
    if not low <= total <= high:
        warn(N_("the quiz has %(questions)s; give it %(low)s to %(high)s"),
             questions=Count(total, Nn_("%(num)s question", "%(num)s questions")), low=low, high=high)
    scenarios, needed = sum(q.is_scenario for q in quiz.questions), required(SCENARIO_QUESTIONS, total)
    if scenarios < needed:
        warn(Nn_("%(num)s of the quiz's %(total)s questions is a scenario (a card in the body); at least %(needed)s "
                 "should be", "%(num)s of the quiz's %(total)s questions are scenarios (a card in the body); at "
                 "least %(needed)s should be"), num=scenarios, total=total, needed=needed)
    genuine, needed = sum(q.is_genuine for q in quiz.questions), required(GENUINE_QUESTIONS, total)
    if genuine < needed:
        warn(Nn_("%(num)s of the quiz's %(total)s questions is tagged genuine; at least %(needed)s should be, so "
                 "learners practise trusting what is true", "%(num)s of the quiz's %(total)s questions are tagged "
                 "genuine; at least %(needed)s should be, so learners practise trusting what is true"),
             num=genuine, total=total, needed=needed)
    for question in quiz.questions:
        for option in question.options:
            if (count := len(words(HTML_TAG.sub(" ", unescape(option.explanation_html))))) > FEEDBACK_WORDS:
                problems.append(ContentError.of(quiz.path, option.line + 1, N_(
                    "the explanation of option %(option)s in %(question)r has %(words)s; keep it within %(limit)s, "
                    "short enough to read on a phone and to hear read aloud"), warning=True, option=option.id,
                    question=question.id, words=Count(count, Nn_("%(num)s word", "%(num)s words")),
                    limit=FEEDBACK_WORDS))
        for tag in question.tags:
            if tag not in TAG_NAMES:
                problems.append(ContentError.of(quiz.path, question.line, N_(
                    "question %(question)r has the tag %(tag)r, which has no name for teachers' reports: use a "
                    "tag of saring/content/rules.py (TAG_NAMES) or add it there with its name"), warning=True,
                    question=question.id, tag=tag))
        if question.is_genuine and (label := giveaway(question.body_html)):
            problems.append(ContentError.of(quiz.path, question.line, N_(
                "question %(question)r is tagged genuine, but its text says %(label)r: a label that tells learners "
                "the message was checked or is trustworthy gives the answer away; let them judge the message"),
                warning=True, question=question.id, label=label))
    return problems


def giveaway(html: str) -> str | None:
    """The first of GIVEAWAY_LABELS that rendered HTML says, as written there, or None."""
    found = GIVEAWAY.search(" ".join(unescape(HTML_TAG.sub(" ", html)).split()))
    return found[0] if found else None


def compare_quizzes(first: QuizText, second: QuizText) -> list[ContentError]:
    """What the loader's answer-key comparison leaves out: the questions' order and which show a card."""
    problems = []
    in_first = [q.id for q in first.questions if second.question(q.id)]
    in_second = [q.id for q in second.questions if first.question(q.id)]
    moved = next((second.question(b) for a, b in zip(in_first, in_second, strict=True) if a != b), None)
    if moved is not None:
        problems.append(ContentError.of(second.path, moved.line, N_(
            "question %(question)r stands elsewhere in %(other)s; keep the questions in the same order"),
            warning=True, question=moved.id, other=first.path))
    for question in second.questions:
        twin = first.question(question.id)
        if twin is not None and twin.is_scenario != question.is_scenario:
            card, plain = (second, first) if question.is_scenario else (first, second)
            problems.append(ContentError.of(second.path, question.line, N_(
                "question %(question)r shows a card in %(card)s but not in %(plain)s"), warning=True,
                question=question.id, card=card.path, plain=plain.path))
    return problems


def check_module(module: Module, quizzes_dir: Path) -> list[ContentError]:
    """A module has a quiz."""
    if module.quiz is None and not any((quizzes_dir / f"{module.id}.{lang}.md").exists() for lang in LANGUAGES):
        return [ContentError.of(module.path, 1, N_("the module has no quiz: add quizzes/%(module)s.id.md and "
                                                   "quizzes/%(module)s.en.md"), warning=True, module=module.id)]
    return []


CHECK_FORMS = ("a", "b")  # parallel forms: one before the course, the other after
CHECK_ITEMS = 20  # items per form, in each language
CHECK_GENUINE_SHARE = Fraction(1, 2)  # of a form's items; one either way of it is still balanced


def check_forms(forms: tuple[CheckForm, ...], modules: tuple[Module, ...]) -> list[ContentError]:
    """The discernment check: two forms, each balanced between genuine and false, alike in both languages and
    matched with each other, and none of its cards reused from a lesson or a quiz."""
    if not forms:
        return []
    problems: list[ContentError] = []

    def warn(path: str, line: int, template: str | tuple[str, str], **params: Param) -> None:
        problems.append(ContentError.of(path, line, template, warning=True, **params))

    found = {form.id for form in forms}
    anchor = next(iter(forms[0].texts.values())).path
    for form_id in CHECK_FORMS:
        if form_id not in found:
            warn(anchor, 1, N_("the check has no form %(form)s: the check before and the check after need two "
                               "parallel forms, %(forms)s"), form=form_id, forms=", ".join(CHECK_FORMS))
    for form in forms:
        for text in form.texts.values():
            genuine = sum(item.genuine for item in text.items)
            if len(text.items) < CHECK_ITEMS:
                warn(text.path, 1, N_("the form has %(items)s; give it at least %(least)s"), least=CHECK_ITEMS,
                     items=Count(len(text.items), Nn_("%(num)s item", "%(num)s items")))
            if abs(genuine - CHECK_GENUINE_SHARE * len(text.items)) > 1:
                warn(text.path, 1, Nn_("%(num)s of the form's %(total)s items is genuine; about half should be, so "
                                       "doubting everything scores no better than trusting everything",
                                       "%(num)s of the form's %(total)s items are genuine; about half should be, "
                                       "so doubting everything scores no better than trusting everything"),
                     num=genuine, total=len(text.items))
        problems.extend(_compare_form_languages(form))
    problems.extend(_compare_forms(forms))
    cards = {q.body_html for module in modules if module.quiz for quiz in module.quiz.texts.values()
             for q in quiz.questions} | {text.html for module in modules for lesson in module.lessons
                                         for text in lesson.texts.values()}
    for form in forms:
        for text in form.texts.values():
            for item in text.items:
                if any(item.body_html in html for html in cards):
                    warn(text.path, item.line, N_("item %(item)r shows a card that a lesson or a quiz shows too: "
                                                  "a check measures what learners do with messages they have "
                                                  "not met"), item=item.id)
    return problems


def _item_shape(item) -> tuple:
    return item.id, item.genuine, item.technique, item.topic, item.difficulty


def _compare_form_languages(form: CheckForm) -> list[ContentError]:
    """A form's languages hold the same items, in the same order, with the same truth: the same check."""
    texts = [form.texts[lang] for lang in LANGUAGES if lang in form.texts]
    if len(texts) < 2:
        return []
    first, second = texts
    if [_item_shape(i) for i in first.items] == [_item_shape(i) for i in second.items]:
        return []
    twins = {item.id: item for item in first.items}
    problems = []
    for item in second.items:
        twin = twins.get(item.id)
        if twin is None or _item_shape(twin) != _item_shape(item):
            problems.append(ContentError.of(second.path, item.line, N_(
                "item %(item)r is not in %(other)s with the same truth, technique, topic and difficulty"),
                warning=twin is not None and twin.genuine == item.genuine, item=item.id, other=first.path))
    if len(first.items) != len(second.items) or [i.id for i in first.items] != [i.id for i in second.items]:
        problems.append(ContentError.of(second.path, 1, N_("the items differ from %(other)s in number or order"),
                                        warning=True, other=first.path))
    return problems


def _compare_forms(forms: tuple[CheckForm, ...]) -> list[ContentError]:
    """Parallel forms: as many genuine items, the same techniques, and the same difficulties."""
    by_id = {form.id: form for form in forms}
    if not all(form_id in by_id for form_id in CHECK_FORMS[:2]):
        return []
    first, second = (by_id[form_id].text(LANGUAGES[0])[0] for form_id in CHECK_FORMS[:2])

    def profile(text):
        return (sorted(i.technique or "" for i in text.items if not i.genuine),
                sorted(i.difficulty for i in text.items if not i.genuine),
                sorted(i.difficulty for i in text.items if i.genuine))

    if profile(first) == profile(second):
        return []
    return [ContentError.of(second.path, 1, N_(
        "the form is not parallel to %(other)s: give both as many genuine items, the same techniques among the "
        "false ones, and the same difficulties"), warning=True, other=first.path)]


def check_paths(paths: tuple[LearningPath, ...]) -> list[ContentError]:
    """A learning path lists the same lessons in the same order in both languages."""
    problems = []
    for found in paths:
        texts = [found.texts[lang] for lang in LANGUAGES if lang in found.texts]
        if len(texts) == 2 and texts[0].steps != texts[1].steps:
            problems.append(ContentError.of(texts[1].path, 1, N_(
                "the path lists other lessons, or in another order, than %(other)s: both languages take the same "
                "route"), warning=True, other=texts[0].path))
    return problems

"""Markdown to safe HTML, once per file at load time: callouts, phone-like cards, lesson links."""

from __future__ import annotations

import hashlib
import json
import math
import os
import posixpath
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import markdown
import nh3
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from .model import N_, ContentError, Param

CALLOUT_KINDS = ("tip", "warning", "note", "action")
CARD_KINDS = ("whatsapp", "sms", "post", "headline", "donation", "email", "web")
BLOCK_PATTERN = re.compile(r"^\s*!!!\s*([\w-]+)")
RENDER_VERSION = "4"  # change it whenever rendering changes, so cached output is made again
LESSON_LINK = re.compile(
    r"^(?:\.\./(?P<module>[a-z0-9-]+)/)?\d\d-(?P<lesson>[a-z0-9-]+)\.md(?P<anchor>#[\w-]*)?$"
)
IMAGE_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg", ".webp", ".gif")
LESSON_ADDRESS = re.compile(r"/[a-z]{2}/modules/[a-z0-9-]+/[a-z0-9-]+(#[\w-]*)?")
MEDIA_ADDRESS = re.compile(r"/media/[a-z0-9-]+/images/[\w.-]+")
SVG_SIZE = re.compile(rb'viewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)\s*"')

ALLOWED_TAGS = {
    "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "strong", "em", "b", "i", "code", "pre",
    "blockquote", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "a", "img",
    "figure", "figcaption", "div", "span", "abbr", "del", "sup", "sub", "dl", "dt", "dd", "small",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height", "loading", "decoding"},
    "div": {"class", "role"},
    "p": {"class"},
    "span": {"class"},
    "figure": {"class"},
    "figcaption": {"class"},
    "ol": {"start"},
    "th": {"scope"},
    "abbr": {"title"},
}
GENERIC_ATTRIBUTES = {"lang", "title"}  # allowed on every tag: nh3's default, given so that reports agree
CHECKED_ADDRESSES = (("a", "href"), ("img", "src"))


def lesson_path(lang: str, module_id: str, lesson_id: str) -> str:
    """The address of a lesson; the learning blueprint serves exactly this path."""
    return f"/{lang}/modules/{module_id}/{lesson_id}"


def media_path(module_id: str, relative: str) -> str:
    """The address of a module's image; the learning blueprint serves exactly this path."""
    return f"/media/{module_id}/{relative}"


@dataclass
class Document:
    """What the renderer needs to know about the file it is rendering."""

    path: str
    lang: str
    module_id: str
    module_dir: Path
    text: str
    first_line: int
    lessons: frozenset[tuple[str, str]]
    problems: list[ContentError] = field(default_factory=list)
    media: dict[str, str] = field(default_factory=dict)
    context: str = ""  # a digest of what else the output depends on: known lessons, the images folder
    media_log: list[tuple[str, str]] = field(default_factory=list)

    def add_media(self, key: str, path: str) -> None:
        """An image this document shows, to be served under /media."""
        self.media[key] = path
        self.media_log.append((key, path))

    def report(self, needle, template: str, warning: bool = False, **params: Param) -> None:
        """Record a problem at the first line that mentions `needle` (a string, or a test of a line)."""
        found = needle if callable(needle) else (lambda line: needle and needle in line)
        offset = next((n for n, line in enumerate(self.text.splitlines()) if found(line)), 0)
        self.problems.append(ContentError.of(self.path, self.first_line + offset, template, warning=warning,
                                             **params))


class _ContentTreeprocessor(Treeprocessor):
    """Turns admonitions into callouts and cards and resolves links and images."""

    def __init__(self, md, renderer: Renderer):
        super().__init__(md)
        self.renderer = renderer

    def run(self, root):
        doc = self.renderer.document
        for element in list(root.iter()):
            if element.tag == "div" and "admonition" in element.get("class", "").split():
                self._block(element)
            elif element.tag == "h1":
                element.tag = "h2"
                doc.report(lambda line: line.startswith("# "),
                           N_("use ## and smaller headings; the title is the only # heading"), True)
            elif element.tag == "a":
                self._link(element, doc)
            elif element.tag == "img":
                self._image(element, doc)
        for card in root.iter("figure"):
            for link in card.iter("a"):
                link.tag = "span"
                link.attrib.clear()
                link.set("class", "card-link")

    @staticmethod
    def _block(element) -> None:
        kind = next((c for c in element.get("class").split() if c != "admonition"), "note")
        title = next(iter(element), None)
        has_title = title is not None and title.get("class") == "admonition-title"
        if kind in CARD_KINDS:
            element.tag = "figure"
            element.set("class", f"card card-{kind}")
            if has_title:
                title.tag = "figcaption"
                title.set("class", "card-from")
        else:
            kind = kind if kind in CALLOUT_KINDS else "note"
            element.set("class", f"callout callout-{kind}")
            element.set("role", "note")
            if has_title:
                title.set("class", "callout-title")

    @staticmethod
    def _link(element, doc: Document) -> None:
        href = element.get("href", "")
        if href.startswith(("http://", "https://", "mailto:", "#")):
            return
        match = LESSON_LINK.match(href)
        if match is None:
            doc.report(href, N_("link %(href)r is neither a web address nor a lesson file (NN-id.md)"), href=href)
            element.set("href", "#")
            return
        module_id = match["module"] or doc.module_id
        if (module_id, match["lesson"]) not in doc.lessons:
            doc.report(href, N_("link to a lesson that does not exist: %(href)s"), href=href)
        element.set("href", lesson_path(doc.lang, module_id, match["lesson"]) + (match["anchor"] or ""))

    @staticmethod
    def _image(element, doc: Document) -> None:
        src = element.get("src", "")
        if not element.get("alt", "").strip():
            doc.report(src, N_("image %(src)r has no alternative text: write it in ![...]"), src=src)
        if src.startswith(("http://", "https://")):
            doc.report(src, N_("image %(src)r is on another site; put it in the module's images/ folder"), src=src)
            return
        relative = posixpath.normpath(src)
        file = doc.module_dir / relative
        images = (doc.module_dir / "images").resolve()
        if not relative.startswith("images/") or not relative.lower().endswith(IMAGE_SUFFIXES):
            doc.report(src, N_("image %(src)r must be an .svg, .png, .jpg, .webp or .gif file in the module's "
                               "images/ folder"), src=src)
            return
        if not file.is_file() or not file.resolve().is_relative_to(images) \
                or not images.is_relative_to(doc.module_dir.resolve()):
            doc.report(src, N_("image file not found: %(src)s"), src=src)
            return
        from .rules import MAX_IMAGE_BYTES  # the rule book imports this module
        if (size := file.stat().st_size) > MAX_IMAGE_BYTES:
            doc.report(src, N_("image %(src)r has %(kb)s KB; keep an image within %(limit)s KB, so the page stays "
                               "light on a phone"), True, src=src, kb=math.ceil(size / 1024),
                       limit=MAX_IMAGE_BYTES // 1024)
        doc.add_media(f"{doc.module_id}/{relative}", str(file))
        element.set("src", media_path(doc.module_id, relative))
        element.set("loading", "lazy")
        element.set("decoding", "async")
        if file.suffix == ".svg":
            svg = file.read_bytes()
            _check_svg_text(svg, src, doc)
            if box := SVG_SIZE.search(svg[:2000]):
                element.set("width", str(round(float(box[1]))))
                element.set("height", str(round(float(box[2]))))


def _check_svg_text(svg: bytes, src: str, doc: Document) -> None:
    """Warn about an SVG whose smallest text is too small to read on a phone, or that cannot be read."""
    from .rules import MIN_TEXT_PX, smallest_text  # the rule book imports this module
    try:
        smallest = smallest_text(svg)
    except (ElementTree.ParseError, LookupError) as error:  # an unknown encoding is declared on line 1
        doc.report(src, N_("image %(src)r cannot be read as SVG (line %(line)s of the file is not well-formed "
                           "XML), so the size of its text is not checked; fix it or save it again from the "
                           "drawing program"), True, src=src, line=getattr(error, "position", (1,))[0])
        return
    if smallest is not None and smallest.px < MIN_TEXT_PX:
        doc.report(src, N_("image %(src)r has text that shows at %(px)s px on a phone; make every text at least "
                           "%(least)s px, which in this image is a font-size of at least %(size)s"), True, src=src,
                   px=math.floor(smallest.px), least=MIN_TEXT_PX,
                   size=f"{math.ceil(MIN_TEXT_PX / smallest.scale * 10) / 10:g}")


class _RawHtmlStart(Preprocessor):
    """Notes where the author's raw HTML starts in Markdown's stash: fenced code, stashed before it, is not."""

    def __init__(self, md, renderer: Renderer):
        super().__init__(md)
        self.renderer = renderer

    def run(self, lines):
        self.renderer.raw_html_from = len(self.md.htmlStash.rawHtmlBlocks)
        return lines


class _ContentExtension(Extension):
    def __init__(self, renderer: Renderer):
        super().__init__()
        self.renderer = renderer

    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown's name)
        md.treeprocessors.register(_ContentTreeprocessor(md, self.renderer), "saring", 5)
        # after fenced code (25) is stashed, before raw HTML blocks (20) are
        md.preprocessors.register(_RawHtmlStart(md, self.renderer), "saring_raw_html", 22)


class _StartTags(HTMLParser):
    """The start tags of raw HTML, with their attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def removed_html(raw: list[str]) -> list[tuple[str, str | None, str, dict[str, str]]]:
    """What the sanitiser takes out of raw HTML: (tag, attribute or None, template, its params) for each thing
    removed."""
    parser = _StartTags()
    for block in raw:
        parser.feed(block)
    parser.close()
    removed = []
    for tag, attributes in parser.tags:
        if tag not in ALLOWED_TAGS:
            removed.append((tag, None, N_("<%(tag)s> is not allowed and was removed"), {"tag": tag}))
            continue
        for name, value in attributes:
            if name not in ALLOWED_ATTRIBUTES.get(tag, set()) | GENERIC_ATTRIBUTES:
                removed.append((tag, name, N_("the %(attribute)s attribute of <%(tag)s> is not allowed and was "
                                              "removed"), {"attribute": name, "tag": tag}))
            elif (tag, name) in CHECKED_ADDRESSES and _checked_address(tag, name, value or "") is None:
                removed.append((tag, name, N_("the address in <%(tag)s %(attribute)s> is not one Saring can check "
                                              "and was removed; write links and images in Markdown"),
                                {"tag": tag, "attribute": name}))
    return removed


class RenderCache:
    """Rendered fragments by a digest of everything their output depends on, kept in a JSON file.

    A start-up then renders only what changed since the last one. Entries not used by a load are
    dropped when it is saved, so the file never grows beyond the content.
    """

    def __init__(self, path: str | Path | None):
        self.path = Path(path) if path else None
        self.entries: dict[str, dict] = {}
        self.used: dict[str, dict] = {}
        if self.path and self.path.is_file():
            try:
                stored = json.loads(self.path.read_text(encoding="utf-8"))
                if stored.get("version") == RENDER_VERSION:
                    self.entries = stored["entries"]
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                self.entries = {}  # unreadable: render everything again

    def save(self) -> None:
        """Write the entries this load used, atomically (several app processes may load at once)."""
        if self.path is None or self.used == self.entries:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        partial.write_text(json.dumps({"version": RENDER_VERSION, "entries": self.used}), encoding="utf-8")
        os.replace(partial, self.path)


class Renderer:
    """One reusable Markdown converter; `render` is called once per file at load time."""

    def __init__(self, cache: RenderCache | None = None):
        self.cache = cache
        self.document: Document | None = None
        self.raw_html_from = 0
        self._md = markdown.Markdown(
            extensions=["tables", "fenced_code", "sane_lists", "admonition", _ContentExtension(self)],
            output_format="html",
        )

    def render(self, doc: Document, text: str | None = None, first_line: int | None = None) -> str:
        """Render `text` starting at `first_line` (by default the whole document) to safe HTML."""
        source = doc.text if text is None else text
        first_line = doc.first_line if first_line is None else first_line
        if self.cache is None:
            return self._render(doc, source, first_line)
        key = hashlib.sha256(json.dumps([RENDER_VERSION, doc.path, doc.lang, doc.module_id, doc.first_line, doc.text,
                                         source, first_line, doc.context]).encode()).hexdigest()
        entry = self.cache.entries.get(key)
        if entry is None:
            problems, media = len(doc.problems), len(doc.media_log)
            html = self._render(doc, source, first_line)
            # a render's params are words of its text (hrefs, tags), so they are JSON as they are
            entry = {"html": html, "media": doc.media_log[media:],
                     "problems": [[p.line, p.message, p.warning, p.template, p.plural, p.params]
                                  for p in doc.problems[problems:]]}
        else:
            for key_path in entry["media"]:
                doc.add_media(*key_path)
            doc.problems.extend(ContentError(doc.path, line, message, warning, template, plural,
                                             tuple((name, value) for name, value in params))
                                for line, message, warning, template, plural, params in entry["problems"])
        self.cache.used[key] = entry
        return entry["html"]

    def _render(self, doc: Document, source: str, first_line: int) -> str:
        """Render without the cache."""
        self.document = doc
        for number, line in enumerate(source.splitlines()):
            match = BLOCK_PATTERN.match(line)
            if match and match[1] not in CALLOUT_KINDS + CARD_KINDS:
                doc.problems.append(ContentError.of(
                    doc.path, first_line + number, N_("unknown callout or card %(kind)r; use one of %(kinds)s"),
                    kind=match[1], kinds=", ".join(CALLOUT_KINDS + CARD_KINDS)))
        try:
            html = self._md.reset().convert(source)
            raw = [block for block in self._md.htmlStash.rawHtmlBlocks[self.raw_html_from:] if isinstance(block, str)]
        finally:
            self.document = None
        if raw:
            self._report_removed(doc, source, first_line, raw)
        return nh3.clean(html, tags=ALLOWED_TAGS, attributes={**ALLOWED_ATTRIBUTES, "*": GENERIC_ATTRIBUTES},
                         url_schemes={"http", "https", "mailto"}, attribute_filter=_checked_address)

    @staticmethod
    def _report_removed(doc: Document, source: str, first_line: int, raw: list[str]) -> None:
        """Warn about each tag or attribute the sanitiser removes, at the first line of `source` that holds it."""
        lines = source.splitlines()
        reported = set()
        for tag, attribute, template, params in removed_html(raw):
            said = (template, tuple(params.items()))
            if said in reported:
                continue
            reported.add(said)
            opens = re.compile(rf"<{re.escape(tag)}(?![\w-])", re.I)
            holds = re.compile(rf"\b{re.escape(attribute)}\s*=", re.I) if attribute else None
            tagged = [n for n, line in enumerate(lines) if opens.search(line)]
            offset = next((n for n in tagged if holds is None or holds.search(lines[n])), tagged[0] if tagged else 0)
            doc.problems.append(ContentError.of(doc.path, first_line + offset, template, warning=True, **params))

    def render_inline(self, doc: Document, text: str, line: int) -> str:
        """Render one line (an option) without the surrounding paragraph."""
        html = self.render(doc, text, line)
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            return html[3:-4]
        return html


def _checked_address(tag: str, attribute: str, value: str) -> str | None:
    """Drop addresses that raw HTML slipped past the Markdown checks: only checked ones remain."""
    if tag == "img" and attribute == "src" and not MEDIA_ADDRESS.fullmatch(value):
        return None
    if tag == "a" and attribute == "href" and not (value.startswith(("http://", "https://", "mailto:", "#"))
                                                   or LESSON_ADDRESS.fullmatch(value)):
        return None
    return value


def plain_words(html: str) -> int:
    """How many words a reader reads in rendered HTML."""
    return len(re.findall(r"\w+", re.sub(r"<[^>]+>", " ", html)))

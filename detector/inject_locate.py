"""Where to insert contamination in a raw HTML string, without re-serialising the page.

Page landmarks (doctype, `<head>`, `<body>`, `</body>`, `</html>`) are found with regular expressions;
article paragraphs are found in the lxml tree (from the ground-truth article text, an xpath hint, or a
"most <p> children" heuristic) and mapped back to raw offsets by searching their text in the source.
"""

from __future__ import annotations

import bisect
import html as htmlmod
import re
from collections.abc import Iterator
from random import Random

import lxml.html
from lxml import etree

from detector.segment import BLOCK_TAGS

_DOCTYPE = re.compile(r"<!doctype[^>]*>", re.I)
_HTML_OPEN = re.compile(r"<html\b[^>]*>", re.I)
_HEAD_OPEN = re.compile(r"<head\b[^>]*>", re.I)
_HEAD_CLOSE = re.compile(r"</head\s*>", re.I)
_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.I)
_BODY_CLOSE = re.compile(r"</body\s*>", re.I)
_HTML_CLOSE = re.compile(r"</html\s*>", re.I)
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.I | re.S)
_BLANK_TO_END = re.compile(r"\s*\Z")
_TEXT_RUN = re.compile(r"[^&<>\"'\s\xa0]{2,}")
_ITEM = r"<!--.*?-->|<(/?)([a-zA-Z][a-zA-Z0-9]*)(?:\s[^<>]*)?/?>|([^<>]+)"
_ITEM_AT_START = re.compile(rf"\s*(?:{_ITEM})", re.S)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)(?:\s[^<>]*)?/?>")


def norm(text: str) -> str:
    """Whitespace-normalised text: runs of whitespace (incl. NBSP, U+3000) -> one space, stripped."""
    return " ".join(text.split())


_OPAQUE_TAGS = ("script", "style", "textarea", "noframes", "noembed", "xmp", "iframe", "template")
_OPAQUE_START = re.compile(rf"<(?:!--|({'|'.join(_OPAQUE_TAGS)})\b)", re.I)
_OPAQUE_CLOSE = {tag: re.compile(rf"</{tag}\s*>", re.I) for tag in _OPAQUE_TAGS} | {None: re.compile("-->")}
"""Starts of regions whose content is not markup (comments, scripts, raw-text elements): landmarks there are fake."""


def _opaque_end(raw: str, start: re.Match) -> int:
    """End offset of the comment or raw-text element opened at `start` (end of page when unclosed)."""
    tag = start.group(1).lower() if start.group(1) else None
    close = _OPAQUE_CLOSE[tag].search(raw, start.end())
    return close.end() if close else len(raw)


class RawPage:
    """A raw HTML string with its opaque regions, answering "where is <body>, </html>, this paragraph"."""

    def __init__(self, raw: str):
        self.raw = raw
        self._starts: list[int] = []
        self._ends: list[int] = []
        match = _OPAQUE_START.search(raw)
        while match:
            end = _opaque_end(raw, match)
            self._starts.append(match.start())
            self._ends.append(end)
            match = _OPAQUE_START.search(raw, end)

    def is_markup(self, pos: int) -> bool:
        """Whether `pos` lies outside comments, scripts and raw-text elements."""
        i = bisect.bisect_right(self._starts, pos) - 1
        return i < 0 or pos >= self._ends[i]

    def _matches(self, pattern: re.Pattern) -> list[re.Match]:
        """Matches of `pattern` that start in real markup."""
        return [m for m in pattern.finditer(self.raw) if self.is_markup(m.start())]

    def _first(self, *patterns: re.Pattern) -> re.Match | None:
        """First real match of the first pattern that has one."""
        for pattern in patterns:
            matches = self._matches(pattern)
            if matches:
                return matches[0]
        return None

    def after_document(self) -> int:
        """Offset just after the last `</html>` (end of the string if there is none)."""
        matches = self._matches(_HTML_CLOSE)
        return matches[-1].end() if matches else len(self.raw)

    def head_start(self) -> int:
        """Offset just after `<head>` (after `<html>` / the doctype when there is no head)."""
        match = self._first(_HEAD_OPEN, _HTML_OPEN, _DOCTYPE)
        return match.end() if match else 0

    def before_html(self) -> int:
        """Offset of the `<html>` start tag (0 when absent)."""
        match = self._first(_HTML_OPEN)
        return match.start() if match else 0

    def body_start(self) -> int:
        """Offset just after `<body ...>` (after `</head>`, or the head start, when there is none)."""
        match = self._first(_BODY_OPEN, _HEAD_CLOSE)
        return match.end() if match else self.head_start()

    def body_end(self) -> int:
        """Offset of the last `</body>` (before `</html>` or the end when there is none)."""
        matches = self._matches(_BODY_CLOSE) or self._matches(_HTML_CLOSE)
        return matches[-1].start() if matches else len(self.raw)

    def title_span(self) -> tuple[int, int] | None:
        """(start, end) of the first real `<title>...</title>` element, or None."""
        match = self._first(_TITLE)
        return match.span() if match else None

    def end_offset(self, el: etree._Element) -> int | None:
        """Raw offset just after paragraph `el` (after its end tag), or None if it cannot be located."""
        return _end_offset(self, el)

    def start_offset(self, el: etree._Element) -> int | None:
        """Raw offset of paragraph `el`'s start tag, or None if it cannot be located."""
        return _start_offset(self, el)


def insert_at(raw: str, offset: int, markup: str) -> str:
    """`raw` with `markup` inserted at `offset`."""
    return raw[:offset] + markup + raw[offset:]


# --- article paragraphs ---------------------------------------------------------------------------


_TEXT_NODES = etree.XPath("descendant-or-self::*[not(self::script or self::style)]/text()")


def _text_nodes(root: etree._Element) -> list[tuple[etree._Element, str]]:
    """(parent element, text) for every text node under `root` outside script/style, in document order."""
    nodes = []
    for text in _TEXT_NODES(root):
        owner = text.getparent()
        nodes.append((owner.getparent() if text.is_tail else owner, str(text)))
    return nodes


def _block_ancestor(el: etree._Element) -> etree._Element:
    """The nearest block-level element at or above `el`."""
    while el.tag not in BLOCK_TAGS and el.getparent() is not None:
        el = el.getparent()
    return el


def _probes(paragraph: str) -> list[str]:
    """Up to three 12-char snippets of a paragraph (middle, end, start: teasers repeat the start elsewhere)."""
    if len(paragraph) <= 12:
        return [paragraph] if len(paragraph) >= 4 else []
    mid = len(paragraph) // 2 - 6
    return [paragraph[mid : mid + 12], paragraph[-12:], paragraph[:12]]


_BODY_TEXT_WITH = etree.XPath(
    "//body//text()[contains(normalize-space(.), $probe)][not(parent::script or parent::style or parent::title)]"
)


def find_paragraph(doc: etree._Element, paragraph: str) -> etree._Element | None:
    """The block element holding one article paragraph (first body text node containing one of its probes)."""
    for probe in _probes(norm(paragraph)):
        hits = _BODY_TEXT_WITH(doc, probe=probe)
        if hits:
            owner = hits[0].getparent()
            return _block_ancestor(owner.getparent() if hits[0].is_tail else owner)
    return None


def paragraphs_from_text(doc: etree._Element, article_text: str, rng: Random) -> list[etree._Element]:
    """Block elements of the article's first paragraph, a random middle one and the last, in document order."""
    paragraphs = [p for p in article_text.split("\n") if p.strip()]
    if not paragraphs:
        return []
    picks = sorted({0, rng.randrange(len(paragraphs)), len(paragraphs) - 1})
    found = [find_paragraph(doc, paragraphs[i]) for i in picks]
    return list(dict.fromkeys(el for el in found if el is not None))


def paragraphs_by_heuristic(doc: etree._Element) -> list[etree._Element]:
    """The `<p>` children (>= 20 chars) of the element having most of them."""
    by_parent: dict[etree._Element, list[etree._Element]] = {}
    for p in doc.iter("p"):
        if len(norm(p.text_content())) >= 20 and p.getparent() is not None:
            by_parent.setdefault(p.getparent(), []).append(p)
    if not by_parent:
        return []
    return max(by_parent.values(), key=len)


def article_paragraphs(
    raw: str, rng: Random, article_text: str | None = None, article_xpath: str | None = None
) -> list[etree._Element]:
    """Paragraph elements of the article, in document order: from the text (first, a random middle one and
    the last), else the xpath hint's block children, else the "most <p> children" heuristic."""
    doc = lxml.html.document_fromstring(raw)
    if article_text:
        found = paragraphs_from_text(doc, article_text, rng)
        if found:
            return found
    if article_xpath:
        hits = [h for h in doc.xpath(article_xpath) if isinstance(h, etree._Element)]
        if hits:
            children = [c for c in hits[0] if isinstance(c.tag, str) and c.tag in BLOCK_TAGS and norm(c.text_content())]
            return children or [hits[0]]
    return paragraphs_by_heuristic(doc)


# --- raw offsets of a paragraph -------------------------------------------------------------------


def _text_of(el: etree._Element) -> list[str]:
    """Non-blank text nodes inside `el` (outside script/style), in order."""
    return [t for _, t in _text_nodes(el) if t.strip()]


def _skip_to_end(raw: str, pos: int, tag: str) -> int | None:
    """From the end of a paragraph's last real text, the offset after its end tag (None if text follows)."""
    while True:
        match = _ITEM_AT_START.match(raw, pos)
        if not match:
            return pos if _BLANK_TO_END.match(raw, pos) else None
        closing, name, text = match.group(1), (match.group(2) or "").lower(), match.group(3)
        if text is not None and _TEXT_RUN.search(text):
            return None
        if closing and name == tag:
            return match.end()
        if name in BLOCK_TAGS:
            return pos
        pos = match.end()


def _item_before(raw: str, pos: int) -> tuple[str, str, int] | None:
    """The markup item ending at `pos`: ("open"|"close", tag name, start), ("text", text, start), or None."""
    if raw[pos - 1] != ">":
        start = raw.rfind(">", 0, pos) + 1
        text = raw[start:pos]
        return None if "<" in text else ("text", text, start)
    start = raw.rfind("<", 0, pos)
    match = _TAG.fullmatch(raw, start, pos) if start >= 0 else None
    if not match:
        return None
    return ("close" if match.group(1) else "open", match.group(2).lower(), start)


def _back_to_start(raw: str, pos: int, tag: str) -> int | None:
    """Walk back from a paragraph's first real text to its start tag `<tag` (None if text or a block intervenes)."""
    while pos > 0:
        item = _item_before(raw, pos)
        if item is None:
            return None
        kind, value, start = item
        if kind == "text" and _TEXT_RUN.search(value):
            return None
        if kind == "open" and value == tag:
            return start
        if kind == "open" and value in BLOCK_TAGS:
            return None
        pos = start
    return None


def _last_run(texts: list[str]) -> tuple[str, str] | None:
    """(last word run, the rest of its text node) over the text nodes having a run."""
    for text in reversed(texts):
        runs = list(_TEXT_RUN.finditer(text))
        if runs:
            return runs[-1].group(), norm(text[runs[-1].end() :])
    return None


def _first_run(texts: list[str]) -> tuple[str, str] | None:
    """(first word run, the text of its node before it) over the text nodes having a run."""
    for text in texts:
        run = _TEXT_RUN.search(text)
        if run:
            return run.group(), norm(text[: run.start()])
    return None


def _occurrences(page: RawPage, run: str) -> Iterator[int]:
    """Offsets of every occurrence of `run` in the page's real markup (not in scripts or comments)."""
    at = page.raw.find(run)
    while at >= 0:
        if page.is_markup(at):
            yield at
        at = page.raw.find(run, at + 1)


def _end_offset(page: RawPage, el: etree._Element) -> int | None:
    """Raw offset just after paragraph `el` (after its end tag), or None if it cannot be located."""
    found = _last_run(_text_of(el))
    if not found:
        return None
    run, rest = found
    raw = page.raw
    for at in _occurrences(page, run):
        after = at + len(run)
        node_end = raw.find("<", after)
        node_end = len(raw) if node_end < 0 else node_end
        if norm(htmlmod.unescape(raw[after:node_end])) == rest:
            offset = _skip_to_end(raw, node_end, el.tag)
            if offset is not None:
                return offset
    return None


def _start_offset(page: RawPage, el: etree._Element) -> int | None:
    """Raw offset of paragraph `el`'s start tag, or None if it cannot be located."""
    found = _first_run(_text_of(el))
    if not found:
        return None
    run, lead = found
    raw = page.raw
    for at in _occurrences(page, run):
        node_start = raw.rfind(">", 0, at) + 1
        if norm(htmlmod.unescape(raw[node_start:at])) == lead:
            offset = _back_to_start(raw, node_start, el.tag)
            if offset is not None:
                return offset
    return None

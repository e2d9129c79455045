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
_ITEM_AT_END = re.compile(rf"(?:{_ITEM})\Z", re.S)

_SKIP_TEXT_OF = frozenset({"script", "style"})


def norm(text: str) -> str:
    """Whitespace-normalised text: runs of whitespace (incl. NBSP, U+3000) -> one space, stripped."""
    return " ".join(text.split())


def _last_match(pattern: re.Pattern, raw: str) -> re.Match | None:
    """The last match of `pattern` in `raw`."""
    last = None
    for last in pattern.finditer(raw):  # noqa: B007 - keep the last one
        pass
    return last


def after_document(raw: str) -> int:
    """Offset just after the last `</html>` (end of the string if there is none)."""
    match = _last_match(_HTML_CLOSE, raw)
    return match.end() if match else len(raw)


def head_start(raw: str) -> int:
    """Offset just after `<head>` (after `<html>` / the doctype when there is no head)."""
    for pattern in (_HEAD_OPEN, _HTML_OPEN, _DOCTYPE):
        match = pattern.search(raw)
        if match:
            return match.end()
    return 0


def before_html(raw: str) -> int:
    """Offset of the `<html>` start tag (0 when absent)."""
    match = _HTML_OPEN.search(raw)
    return match.start() if match else 0


def body_start(raw: str) -> int:
    """Offset just after `<body ...>` (after `</head>` or at the start when there is none)."""
    for pattern in (_BODY_OPEN, _HEAD_CLOSE):
        match = pattern.search(raw)
        if match:
            return match.end()
    return head_start(raw)


def body_end(raw: str) -> int:
    """Offset of the last `</body>` (before `</html>` or the end when there is none)."""
    match = _last_match(_BODY_CLOSE, raw) or _last_match(_HTML_CLOSE, raw)
    return match.start() if match else len(raw)


def title_span(raw: str) -> tuple[int, int] | None:
    """(start, end) of the first `<title>...</title>` element, or None."""
    match = _TITLE.search(raw)
    return match.span() if match else None


def insert_at(raw: str, offset: int, markup: str) -> str:
    """`raw` with `markup` inserted at `offset`."""
    return raw[:offset] + markup + raw[offset:]


# --- article paragraphs ---------------------------------------------------------------------------


def _text_nodes(root: etree._Element) -> list[tuple[etree._Element, str]]:
    """(owner element, text) for every text node under `root` outside script/style, in document order."""
    nodes = []
    for el in root.iter():
        if isinstance(el.tag, str) and el.text and el.tag not in _SKIP_TEXT_OF:
            nodes.append((el, el.text))
        if el.tail and el is not root:
            nodes.append((el.getparent(), el.tail))
    return nodes


def _block_ancestor(el: etree._Element) -> etree._Element:
    """The nearest block-level element at or above `el`."""
    while el.tag not in BLOCK_TAGS and el.getparent() is not None:
        el = el.getparent()
    return el


def _probes(paragraph: str) -> list[str]:
    """Up to three 12-char snippets of a paragraph (start, middle, end) to find it among text nodes."""
    if len(paragraph) <= 12:
        return [paragraph] if len(paragraph) >= 4 else []
    mid = len(paragraph) // 2 - 6
    return [paragraph[:12], paragraph[mid : mid + 12], paragraph[-12:]]


def paragraphs_from_text(doc: etree._Element, article_text: str) -> list[etree._Element]:
    """Block elements holding the article's paragraphs, in document order."""
    nodes = _text_nodes(doc)
    normed = [norm(text) for _, text in nodes]
    joined = "\x00".join(normed)
    starts, pos = [], 0
    for text in normed:
        starts.append(pos)
        pos += len(text) + 1
    found: dict[int, etree._Element] = {}
    for paragraph in article_text.split("\n"):
        for probe in _probes(norm(paragraph)):
            at = joined.find(probe)
            if at >= 0:
                index = bisect.bisect_right(starts, at) - 1
                found.setdefault(index, _block_ancestor(nodes[index][0]))
                break
    ordered = [found[i] for i in sorted(found)]
    return list(dict.fromkeys(ordered))


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
    raw: str, article_text: str | None = None, article_xpath: str | None = None
) -> list[etree._Element]:
    """Paragraph elements of the article: from the text, else the xpath hint's block children, else heuristic."""
    doc = lxml.html.document_fromstring(raw)
    if article_text:
        found = paragraphs_from_text(doc, article_text)
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


def _back_to_start(raw: str, pos: int, tag: str) -> int | None:
    """Walk back from a paragraph's first real text to its start tag `<tag` (None if text or a block intervenes)."""
    while pos > 0:
        match = _ITEM_AT_END.search(raw, max(0, pos - 1000), pos)
        if not match:
            return None
        closing, name, text = match.group(1), (match.group(2) or "").lower(), match.group(3)
        if text is not None and _TEXT_RUN.search(text):
            return None
        if not closing and name == tag:
            return match.start()
        if not closing and name in BLOCK_TAGS:
            return None
        pos = match.start()
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


def _occurrences(raw: str, run: str, start_at: int) -> Iterator[int]:
    """Offsets of every occurrence of `run` in `raw` from `start_at` on."""
    at = raw.find(run, start_at)
    while at >= 0:
        yield at
        at = raw.find(run, at + 1)


def end_offset(raw: str, el: etree._Element, start_at: int = 0) -> int | None:
    """Raw offset just after paragraph `el` (after its end tag), or None if it cannot be located."""
    found = _last_run(_text_of(el))
    if not found:
        return None
    run, rest = found
    for at in _occurrences(raw, run, start_at):
        after = at + len(run)
        node_end = raw.find("<", after)
        node_end = len(raw) if node_end < 0 else node_end
        if norm(htmlmod.unescape(raw[after:node_end])) == rest:
            offset = _skip_to_end(raw, node_end, el.tag)
            if offset is not None:
                return offset
    return None


def start_offset(raw: str, el: etree._Element, start_at: int = 0) -> int | None:
    """Raw offset of paragraph `el`'s start tag, or None if it cannot be located."""
    found = _first_run(_text_of(el))
    if not found:
        return None
    run, lead = found
    for at in _occurrences(raw, run, start_at):
        node_start = raw.rfind(">", 0, at) + 1
        if norm(htmlmod.unescape(raw[node_start:at])) == lead:
            offset = _back_to_start(raw, node_start, el.tag)
            if offset is not None:
                return offset
    return None

"""Parse decoded HTML with lxml, keeping what stands before `<html>` and after `</html>` apart.

lxml moves markup found before `<html>` into `<body>` and keeps text after `</html>` outside `<body>`;
browsers render both. So the raw text is split first and each part parsed on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.html
from lxml import etree

from detector.errors import InputError
from detector.settings import MAX_TREE_DEPTH

HTML_OPEN_RE = re.compile(r"<!doctype\b|<html[\s>]", re.I)
SCRIPT_EDGE_RE = re.compile(r"<(/?)script\b", re.I)
HTML_CLOSE_RE = re.compile(r"</html\s*>", re.I)
HTML_CLOSE_START_RE = re.compile("</html", re.I)
LEADING_NOISE_RE = re.compile(r"^(?:\s|<!--.*?-->|<\?xml[^>]*>)*", re.S)
TRUNCATED_TAG_RE = re.compile(r"<[a-zA-Z/!][^<>]*$")
XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*>", re.I)
TITLE_OPEN_RE = re.compile(r"<title\b[^>]*>", re.I)
TITLE_CLOSE_RE = re.compile(r"</title\s*>", re.I)
HTML_SNIFF_RE = re.compile(r"<(?:!doctype|html|head|body|div|p|meta|title|table|span|a|br|script|link|li)\b", re.I)
TOO_DEEP_XPATH = etree.XPath("boolean(/" + "/".join(["*"] * (MAX_TREE_DEPTH + 1)) + ")")
"""Is there an element with MAX_TREE_DEPTH ancestors? A path one level per step: linear, unlike counting ancestors."""
PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False)
PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
)
"""Every element is a plain `HtmlElement` (no form, input or label classes, which nothing here uses): lxml then
picks element classes without calling back into Python for each element the walk touches."""


@dataclass
class ParsedPage:
    """The main document tree plus fragments found before `<html>` and after `</html>`."""

    root: etree._Element
    prefix: etree._Element | None
    suffix: etree._Element | None
    raw: str


def looks_like_html(text: str) -> bool:
    """Tell markup from already-scraped text: real pages open with known tags in their first KB."""
    head = text[:4096]
    return len(HTML_SNIFF_RE.findall(head)) >= 3 or bool(re.match(r"\s*<(!doctype|html)", head, re.I))


def strip_xml_declaration(text: str) -> str:
    """Drop a leading `<?xml ...?>`: browsers ignore it and lxml refuses it in str input."""
    return XML_DECLARATION_RE.sub("", text, count=1)


def parse_html(text: str) -> ParsedPage:
    """Parse a page; raise InputError when lxml finds no document at all."""
    text = strip_xml_declaration(text)
    if TRUNCATED_TAG_RE.search(text[-4096:]):
        raise InputError("truncated HTML: the page ends inside a tag")
    prefix_raw, main_raw, suffix_raw = split_around_html(text)
    try:
        root = lxml.html.document_fromstring(close_unclosed_title(main_raw), parser=PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise InputError(f"cannot parse HTML ({exc})") from None
    if TOO_DEEP_XPATH(root):
        raise InputError(f"elements nested deeper than {MAX_TREE_DEPTH} levels")
    return ParsedPage(root, _parse_fragment(prefix_raw), _parse_fragment(suffix_raw), text)


def close_unclosed_title(text: str) -> str:
    """Close a `<title>` that never closes at the next tag: its raw text would swallow the rest of the page (as in
    browsers), the article of a page whose `</title>` a crawl mangled included. (An opening tag ends at a `>`:
    searching only up to the last one keeps `<title <title ...` without any from being rescanned from every start.)"""
    opening = TITLE_OPEN_RE.search(text, 0, text.rfind(">") + 1)
    if opening is None or TITLE_CLOSE_RE.search(text, opening.end()):
        return text
    next_tag = text.find("<", opening.end())
    if next_tag < 0:
        return text
    return text[:next_tag] + "</title>" + text[next_tag:]


def split_around_html(text: str) -> tuple[str, str, str]:
    """Split raw text into (before the document, the document, after `</html>`)."""
    opening = _document_opening(text)
    closing = None
    position = _last_html_close(text)
    if position >= 0:
        closing = HTML_CLOSE_RE.match(text, position)
    start = opening.start() if opening else 0
    end = closing.end() if closing and closing.end() > start else len(text)
    prefix = LEADING_NOISE_RE.sub("", text[:start], count=1)
    main = text[start:end]
    if not main.strip():
        main, prefix = text, ""
    return prefix, main, text[end:]


def _document_opening(text: str) -> re.Match | None:
    """The first doctype or `<html>` outside a script (a script before the page may `document.write` one): one
    pass over the openings and the script edges together (an edge cannot straddle an opening's `<`)."""
    edges = SCRIPT_EDGE_RE.finditer(text)
    edge, inside = next(edges, None), False
    for match in HTML_OPEN_RE.finditer(text):
        while edge is not None and edge.start() < match.start():
            inside = not edge.group(1)
            edge = next(edges, None)
        if not inside:
            return match
    return None


def _last_html_close(text: str) -> int:
    """Where the last `</html` starts, in any case, as an offset into `text` itself (lowering the page first
    shifted offsets after a U+0130, which lowers to two characters)."""
    last = -1
    for match in HTML_CLOSE_START_RE.finditer(text):
        last = match.start()
    return last


def _parse_fragment(raw: str) -> etree._Element | None:
    """Parse markup found outside the document into a `<div>` wrapper (None when blank)."""
    if not raw.strip():
        return None
    try:
        return lxml.html.fragment_fromstring(raw, create_parent="div", parser=PARSER)
    except (etree.ParserError, ValueError):
        return None

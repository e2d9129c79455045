"""Cut a page into ordered blocks: text blocks with their DOM context, and the structural blocks that
carry injections (runs of empty elements, raw-text elements, title and meta, suspicious scripts).
Already-scraped text is cut into lines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from detector.errors import InputError
from detector.pagecache import page_cache
from detector.parse import ParsedPage
from detector.settings import MAX_BLOCKS, MAX_TREE_DEPTH
from detector.text import CaselessLiterals, lower_for_literal_search, normalize_space
from detector.visibility import (
    HIDING_ATTRIBUTES,
    NOT_DISPLAYED,
    HiddenRules,
    hidden_kind,
    hidden_kind_of_attributes,
    with_matched_rules,
)
from detector.weblinks import registrable_domain

BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "frameset",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "caption",
        "legend",
        "summary",
        "option",
        "select",
        "br",
        "html",
    ]
)
SKIP_TAGS = frozenset(["style", "template", "svg", "math", "noscript", "head", "object", "embed", "applet", "datalist"])
RAWTEXT_TAGS = frozenset(["noframes", "noembed", "xmp", "plaintext", "iframe", "textarea"])
SUBSTANTIVE_TAGS = frozenset(
    [
        "img",
        "input",
        "iframe",
        "embed",
        "object",
        "svg",
        "canvas",
        "select",
        "textarea",
        "button",
        "picture",
        "source",
        "audio",
        "track",
        "map",
        "area",
    ]
)
NEUTRAL_TAGS = frozenset(("br", "hr", "wbr"))
CONSUMED_TAGS = NEUTRAL_TAGS | SKIP_TAGS | RAWTEXT_TAGS | {"script"}
"""Elements whose subtree the walk never enters."""
UNSHOWN_HEAD_TAGS = frozenset(("title", "meta", "link"))
"""Empty elements that belong to no run of tag noise (head elements lxml leaves in the body)."""
SUSPICIOUS_SCRIPT_CALLS = (
    "document.referrer",
    "document.write",
    "location.href",
    "location.replace",
    "window.location",
    "top.location",
    "eval(",
)
SUSPICIOUS_SCRIPT_RE = CaselessLiterals("|".join(map(re.escape, SUSPICIOUS_SCRIPT_CALLS)))
TOKEN_ATTRIBUTES = ("class", "id", "role")
"""The attributes whose words are an element's attribute tokens."""
TRAIT_ATTRIBUTES = frozenset(HIDING_ATTRIBUTES + TOKEN_ATTRIBUTES)
"""The attributes that make an element hidden or give it attribute tokens."""
NO_TRAITS = ("", ())
MAX_SCRIPT_CHARS = 2000
MAX_RUN_REPORT_CHARS = 400


@dataclass
class Block:
    """One unit the model labels; `text` is visible text, or markup for structural blocks."""

    text: str
    kind: str
    zone: str
    tag: str = ""
    path: tuple[str, ...] = ()
    attr_tokens: tuple[str, ...] = ()
    element: object | None = None
    lines: tuple[int, int] | None = None
    link_chars: int = 0
    n_links: int = 0
    link_domains: tuple[str, ...] = ()
    hidden: str = ""
    run_tags: tuple[str, ...] = ()
    run_ids: tuple[str, ...] = ()
    run_attr_sets: tuple[frozenset, ...] = ()
    run_depth: int = 0
    features: dict = field(default_factory=dict)

    def is_structural(self) -> bool:
        """True for blocks that hold markup rather than visible prose."""
        return self.kind in ("markup", "rawtext", "script")


_ELEMENT, _TAG, _IS_BLOCK, _HIDDEN, _HREF_DOMAIN, _TOKENS = range(6)
"""Fields of a context on the walk's stack, a plain tuple (one is made per element, so it must be cheap):
the element, its tag, whether it is block-level, how it hides, the domain of the link it sits in (None outside
links) and its attribute tokens."""


def segment_text(text: str) -> list[Block]:
    """Lines of already-scraped text, one block per non-empty line."""
    blocks = []
    for number, line in enumerate(text.splitlines(), start=1):
        clean = normalize_space(line)
        if clean:
            blocks.append(Block(clean, "line", "text", lines=(number, number)))
        if len(blocks) >= MAX_BLOCKS:
            break
    return blocks


def segment_html(page: ParsedPage) -> list[Block]:
    """All blocks of a parsed page in reading order: before `<html>`, head, body, after `</html>`."""
    rules = HiddenRules.from_tree(page.root, page.prefix, page.suffix)
    blocks: list[Block] = []
    if page.prefix is not None:
        blocks += _Walker(rules, "pre-html").walk(page.prefix)
    body = page.root.find("body")
    blocks += _head_blocks(page.root, body)
    blocks += _Walker(rules, "body").walk(body if body is not None else page.root)
    for element in _after_body_elements(page.root, body):
        blocks += _Walker(rules, "post-html").walk(element)
    if page.suffix is not None:
        blocks += _Walker(rules, "post-html").walk(page.suffix)
    return blocks[:MAX_BLOCKS]


def _head_level_elements(root: etree._Element, body: etree._Element | None) -> Iterator[etree._Element]:
    """Children of `<head>`, and what lxml left directly under `<html>` before the body (a `<noframes>` of tag
    noise written right after `<html>`); the latter only when a body exists, else the body walk reads them.
    Of these, titles, meta, suspicious scripts and raw-text elements give blocks (see `_head_blocks`)."""
    if body is None:
        head = root.find("head")
        yield from head if head is not None else ()
        return
    for child in root:
        if child.tag == "body":
            return
        if child.tag == "head":
            yield from child
        else:
            yield child


def _after_body_elements(root: etree._Element, body: etree._Element | None) -> list[etree._Element]:
    """What lxml keeps directly under `<html>` after the body (markup written after `</body>`): browsers show it
    after the body, so it reads as what stands after `</html>`."""
    if body is None:
        return []
    return [child for child in body.itersiblings() if isinstance(child.tag, str)]


def _head_blocks(root: etree._Element, body: etree._Element | None) -> list[Block]:
    """Title, meta keywords/description, suspicious scripts and raw-text elements of the head, and of what stands
    directly under `<html>` before the body."""
    blocks = []
    for element in _head_level_elements(root, body):
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "title":
            text = normalize_space(element.text_content())
            if text:
                blocks.append(Block(text, "title", "head", tag="title", element=element))
        elif tag == "meta" and (element.get("name") or "").lower() in ("keywords", "description"):
            text = normalize_space(element.get("content") or "")
            if text:
                blocks.append(Block(text, "meta", "head", tag="meta", element=element))
        elif tag == "script":
            block = _script_block(element, "head")
            if block:
                blocks.append(block)
        elif tag in RAWTEXT_TAGS and normalize_space(element.text or ""):
            blocks.append(_head_rawtext_block(element, tag))
    return blocks


def _head_rawtext_block(element, tag: str) -> Block:
    """A raw-text element of the head (`<noframes>` noise hides there too): its content as literal markup."""
    return Block(
        normalize_space(element.text or ""),
        "rawtext",
        "head",
        tag=tag,
        path=(tag,),
        attr_tokens=_attr_tokens(element.attrib),
        element=element,
        hidden="rawtext",
    )


def _script_block(element, zone: str) -> Block | None:
    """A block for a script that redirects or writes the page; other scripts are not text."""
    code = element.text or ""
    if not _is_suspicious_script(code):
        return None
    return Block(normalize_space(code)[:MAX_SCRIPT_CHARS], "script", zone, tag="script", element=element)


def _is_suspicious_script(code: str) -> bool:
    """`SUSPICIOUS_SCRIPT_RE.search(code)`, by substring tests of the lowered code where it can (several times
    faster than the pattern on long scripts)."""
    lowered = lower_for_literal_search(code)
    if lowered is None:
        return SUSPICIOUS_SCRIPT_RE.search(code)
    return any(call in lowered for call in SUSPICIOUS_SCRIPT_CALLS)


class _Walker:
    """One pass over a tree in document order that emits blocks."""

    def __init__(self, rules: HiddenRules, zone: str) -> None:
        self.rules = rules
        self.rules_match_elements = bool(rules.elements or rules.shown)
        self.zone = zone
        self.blocks: list[Block] = []
        self.stack: list[tuple] = []
        self.pieces: list[tuple[str, bool, str]] = []
        self.link_domains: list[str] = []
        self.run: list = []
        self.traits: dict[tuple, tuple[str, tuple[str, ...]]] = {}

    def walk(self, root) -> list[Block]:
        """Emit the blocks under `root`. The per-element steps (open, close, add text) are written out in this
        loop rather than called: it runs once per element of the page and is the segmenter's hot path."""
        holding = _elements_holding_content(root)
        walker = etree.iterwalk(root, events=("start", "end"))
        blocks, stack, run = self.blocks, self.stack, self.run
        for event, element in walker:
            tag = element.tag
            if event == "start":
                if tag.__class__ is not str:
                    continue
                if len(stack) > MAX_TREE_DEPTH:
                    raise InputError(f"elements nested deeper than {MAX_TREE_DEPTH} levels")
                consumed = tag in CONSUMED_TAGS
                if consumed or element not in holding:
                    walker.skip_subtree()
                    if consumed:
                        self._consume(element, tag)
                    elif tag not in UNSHOWN_HEAD_TAGS:
                        self._flush_text()
                        run.append(element)
                    text = element.tail
                    if text and not text.isspace():
                        self._add_text(text)
                else:
                    if run:
                        self._flush_run()
                    self._push(element, tag)
                    text = element.text
                    if text and not text.isspace():
                        self._add_text(text)
            elif stack and stack[-1][_ELEMENT] is element:
                if stack[-1][_IS_BLOCK]:
                    self._flush_text()
                stack.pop()
                text = element.tail
                if text and not text.isspace():
                    self._add_text(text)
            elif tag.__class__ is not str:
                text = element.tail
                if text and not text.isspace():
                    self._add_text(text)
            if len(blocks) >= MAX_BLOCKS:
                break
        self._flush_run()
        self._flush_text()
        return self.blocks

    def _consume(self, element, tag: str) -> None:
        """Handle an element whose subtree is no text: a line break, a skipped tag, a script, raw text."""
        if tag in NEUTRAL_TAGS:
            if tag == "br":
                self._flush_text()
        elif tag == "script":
            block = _script_block(element, self.zone)
            if block:
                self._flush_text()
                self._add_block(block)
        elif tag in RAWTEXT_TAGS:
            self._rawtext(element, tag)

    def _push(self, element, tag: str) -> None:
        """Open an element context, inheriting hiding and link target from its parent."""
        stack = self.stack
        if TRAIT_ATTRIBUTES.isdisjoint(element.keys()):
            own_hidden, tokens = NO_TRAITS
        else:
            own_hidden, tokens = self._traits(element)
        if tag == "marquee":
            own_hidden = "marquee"
        elif self.rules_match_elements:
            own_hidden = with_matched_rules(element, own_hidden, self.rules)
        if stack:
            parent = stack[-1]
            inherited = parent[_HIDDEN]
            keeps_inherited = inherited in NOT_DISPLAYED or (inherited and own_hidden in ("", "semantic"))
            hidden = inherited if keeps_inherited else own_hidden
            href_domain = parent[_HREF_DOMAIN]
        else:
            hidden, href_domain = own_hidden, None
        if tag == "a":
            href = element.get("href")
            if href:
                href_domain = registrable_domain(href) or ""
                self.link_domains.append(href_domain)
        is_block = tag in BLOCK_TAGS
        if is_block:
            self._flush_text()
        stack.append((element, tag, is_block, hidden, href_domain, tokens))

    def _traits(self, element) -> tuple[str, tuple[str, ...]]:
        """How an element hides (but as a `<marquee>`) and its attribute tokens, computed once per distinct set of
        attributes on the walk (templates repeat them)."""
        attributes = tuple(element.items())
        traits = self.traits.get(attributes)
        if traits is None:
            values = dict(attributes)
            traits = (hidden_kind_of_attributes("", values, self.rules), _attr_tokens(values))
            self.traits[attributes] = traits
        return traits

    def _add_text(self, text: str) -> None:
        """Append non-blank text to the current block, remembering whether it sits inside a link and how it is
        hidden."""
        if self.run:
            self._flush_run()
        stack = self.stack
        if stack:
            top = stack[-1]
            self.pieces.append((text, top[_HREF_DOMAIN] is not None, top[_HIDDEN]))
        else:
            self.pieces.append((text, False, ""))

    def _flush_text(self) -> None:
        """Close the current text block, if it has any text."""
        pieces = self.pieces
        if pieces:
            text = normalize_space(" ".join([piece for piece, _, _ in pieces]))
            if text:
                block = self._block_from_context(text, "text")
                block.hidden = _majority_hiding(pieces)
                block.link_chars = min(len(_link_text(pieces)), len(text))
                block.n_links = len(self.link_domains)
                block.link_domains = tuple(self.link_domains)
                self._add_block(block)
            pieces.clear()
        self.link_domains.clear()

    def _block_from_context(self, text: str, kind: str) -> Block:
        """A block carrying the tags, attribute tokens and hiding of the open elements."""
        stack = self.stack
        block_ctx = self._innermost_block()
        path = tuple([c[_TAG] for c in stack[-4:]])
        tokens: list[str] = []
        for context in stack[-5:]:
            tokens.extend(context[_TOKENS])
        return Block(
            text,
            kind,
            self.zone,
            tag=block_ctx[_TAG] if block_ctx else "",
            path=path,
            attr_tokens=tuple(tokens),
            element=block_ctx[_ELEMENT] if block_ctx else None,
            hidden=stack[-1][_HIDDEN] if stack else "",
        )

    def _innermost_block(self) -> tuple | None:
        """The nearest open block-level element (the innermost element when none is; None on an empty stack)."""
        for context in reversed(self.stack):
            if context[_IS_BLOCK]:
                return context
        return self.stack[-1] if self.stack else None

    def _rawtext(self, element, tag: str) -> None:
        """A raw-text element (`<noframes>`...): its content is literal markup that leaks into scraped text."""
        raw = normalize_space(element.text or "")
        if not raw:
            return
        self._flush_text()
        self._flush_run()
        self.stack.append((element, tag, True, "rawtext", None, _attr_tokens(element.attrib)))
        block = self._block_from_context(raw, "rawtext")
        self.stack.pop()
        self._add_block(block)

    def _flush_run(self) -> None:
        """Close a run of empty elements: two or more elements make a structural block."""
        if not self.run:
            return
        elements = self.run[:]
        self.run.clear()
        members = [e for root in elements for e in root.iter() if isinstance(e.tag, str)]
        if len(members) < 2:
            return
        depth = max(_depth_below(root) for root in elements)
        markup = _markup_start(elements, MAX_RUN_REPORT_CHARS)
        hidden = (self.stack[-1][_HIDDEN] if self.stack else "") or self._run_hiding(elements)
        self.stack.append((elements[0], "run", True, hidden, None, ()))
        block = self._block_from_context(markup, "markup")
        self.stack.pop()
        block.run_tags = tuple(e.tag for e in members)
        block.run_ids = tuple(e.get("id") or "" for e in members)
        block.run_attr_sets = tuple(frozenset(e.keys()) for e in members)
        block.run_depth = depth
        self._add_block(block)

    def _run_hiding(self, elements: list) -> str:
        """How the outermost elements of a run hide it (an off-screen wrapper of noise), '' when visible."""
        kinds = (hidden_kind(e, e.tag, self.rules) for e in elements if isinstance(e.tag, str))
        return next((kind for kind in kinds if kind), "")

    def _add_block(self, block: Block) -> None:
        """Append a finished block."""
        self.blocks.append(block)


def _link_text(pieces: list[tuple[str, bool, str]]) -> str:
    """The text of a block's pieces that sit inside links, spaces normalized."""
    in_links = [piece for piece, in_link, _ in pieces if in_link]
    return normalize_space(" ".join(in_links)) if in_links else ""


def _majority_hiding(pieces: list[tuple[str, bool, str]]) -> str:
    """How most of a block's text is hidden ('' when most of it is visible)."""
    first = pieces[0][2]
    if all(hidden == first for _, _, hidden in pieces):
        return first
    chars: dict[str, int] = {}
    for text, _, hidden in pieces:
        chars[hidden] = chars.get(hidden, 0) + len(text.strip())
    return max(chars, key=chars.get)


def _elements_holding_content(root) -> set:
    """Elements whose subtree holds non-blank text (a tail counts for the parent) or media and form controls
    (`SUBSTANTIVE_TAGS`, the element itself included): the others are empty, members of runs of tag noise."""
    marked: set = set()
    for element in root.iter():
        owner = None
        text = element.text
        if text and not text.isspace() and isinstance(element.tag, str):
            owner = element
        else:
            tail = element.tail
            if tail and not tail.isspace():
                owner = element.getparent()
        _mark_with_ancestors(owner, marked)
    for element in root.iter(*SUBSTANTIVE_TAGS):
        _mark_with_ancestors(element, marked)
    return marked


def _mark_with_ancestors(element, marked: set) -> None:
    """Add an element and its ancestors to `marked`, up to the first one already in it."""
    while element is not None and element not in marked:
        marked.add(element)
        element = element.getparent()


def _depth_below(element) -> int:
    """Nesting depth of an element's subtree (1 for a leaf)."""
    deepest, frontier = 1, [(element, 1)]
    while frontier:
        node, depth = frontier.pop()
        deepest = max(deepest, depth)
        frontier.extend((child, depth + 1) for child in node if isinstance(child.tag, str))
    return deepest


def _markup_start(elements: list, limit: int) -> str:
    """The first `limit` characters of the elements' joined markup, serializing only as many as that needs."""
    parts, length = [], 0
    for element in elements:
        if length >= limit:
            break
        parts.append(_outer_html(element))
        length += len(parts[-1])
    return "".join(parts)[:limit]


def _outer_html(element) -> str:
    """Markup of an element without its tail."""
    return etree.tostring(element, encoding="unicode", with_tail=False, method="html")


ATTR_TOKEN_RE = re.compile(r"[a-z]{3,}")
CAMEL_BOUNDARY_RE = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _attr_tokens(attributes) -> tuple[str, ...]:
    """Lower-case word tokens of an element's class and id (`main-content` -> main, content); `attributes` is
    the element's `attrib` or a dict of it."""
    values = " ".join(filter(None, map(attributes.get, TOKEN_ATTRIBUTES)))
    return _words_of_attributes(values) if values else ()


@page_cache(16384)
def _words_of_attributes(values: str) -> tuple[str, ...]:
    """Words of class/id/role values, camelCase split (cached: templates repeat them)."""
    lowered = values.lower()
    if lowered != values:
        lowered = CAMEL_BOUNDARY_RE.sub(" ", values).lower()
    return tuple(ATTR_TOKEN_RE.findall(lowered))


def page_domain(page: ParsedPage, url: str | None) -> str:
    """Registrable domain of the page: from its URL, its canonical link, or its most linked domain."""
    if url:
        return registrable_domain(url)
    for xpath in ('//link[@rel="canonical"]/@href', '//meta[@property="og:url"]/@content'):
        found = page.root.xpath(xpath)
        if found:
            return registrable_domain(found[0])
    counts: dict[str, int] = {}
    for href in page.root.xpath("//a/@href")[:500]:
        domain = registrable_domain(href)
        if domain:
            counts[domain] = counts.get(domain, 0) + 1
    return max(counts, key=counts.get) if counts else ""

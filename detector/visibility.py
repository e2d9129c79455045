"""Is an element hidden from readers? Inline styles, `<style>` rules, attributes and `<marquee>`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from detector.pagecache import page_cache
from detector.selectors import StepsExhausted, TreeMatcher, parse_selector

DISPLAY_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")
OFFSCREEN_RE = re.compile(r"(?:left|top|right|bottom|margin-left|margin-top|text-indent)\s*:\s*-\s*\d{3,}")
ZERO_RE = re.compile(
    r"(?:^|;|\s)(?:width|height|max-height|max-width)\s*:\s*[01](?:px)?\s*(?:;|$|!)|font-size\s*:\s*0(?:px|em|pt)?\s*(?:;|$|!)"
    r"|opacity\s*:\s*0?\.?0+\s*(?:;|$|!)|clip\s*:\s*rect\(\s*0|clip-path\s*:\s*inset\(\s*(?:50|100)%"
)
SEMANTIC_CLASSES = frozenset(
    (
        "sr-only",
        "visually-hidden",
        "screen-reader-text",
        "visuallyhidden",
        "a11y-hidden",
        "hidden",
        "hide",
        "collapse",
        "collapsed",
        "dropdown-menu",
        "modal",
        "tab-pane",
        "cookie",
        "offcanvas",
    )
)
HIDING_ATTRIBUTES = ("style", "class", "id", "hidden", "aria-hidden")
"""The attributes `hidden_kind` reads: an element without them is visible (but a `<marquee>`)."""
STYLE_RULE_RE = re.compile(r"(?:^|(?<=[{}@]))([^{}@]++)\{([^{}]*+)\}")
"""A CSS rule: selectors, then declarations without braces (a rule nested in `@media` too). Selectors start only
after a brace or `@` (where every match starts anyway) and nothing backtracks, so an unclosed rule costs one scan:
unanchored, every position of it was rescanned to its end (20 KB of style text took 1.5 s)."""
MEDIA_RE = re.compile(r"@media\b([^{};@]*+)\{", re.I)
"""An `@media` block's opening and its query (up to the next `@`, so a run of openings is read once)."""
BRACE_RE = re.compile(r"[{}]")
MAX_WIDTH_RE = re.compile(r"max-(?:device-)?width\s*:\s*(\d{1,5}(?:\.\d+)?)px")
DESKTOP_WIDTH = 1280
"""The screen width (CSS pixels) whose `@media` rules count: what a reader on a desktop sees."""
SELECTOR_NAME_RE = re.compile(r"[.#]([\w-]+)")
NOT_NAMES_RE = re.compile(r":not\([^()]*\)|\[[^\]]*\]")
"""What in a selector names no class or id the element must have: negations, attribute tests (`[href="#top"]`)."""
SHOWN_INLINE_RE = re.compile(r"display\s*:\s*(?!none)[a-z]")
"""An inline style that sets a display other than none: it overrides the stylesheet's `display:none`."""
STYLESHEET_DISPLAY = "stylesheet-display"
PAGE_TAGS = frozenset(("html", "head", "body"))
"""Elements a stylesheet hides only while a script runs (`body{display:none}` against clickjacking): not read."""
CLASS_AND_ID_PATH = etree.XPath("//@class | //@id")
SIMPLE_SELECTOR_RE = re.compile(r"([.#])([\w-]+)")
"""A selector of one class or one id, looked up per element by attribute; any other is matched against the tree."""
MAX_MATCHED_SELECTORS = 400
"""Hiding selectors matched against a tree at most, of those naming only classes and ids it has."""
MAX_SELECTOR_CHARS = 300
"""Longer selectors are not read."""


def shown_inline(style: str | None) -> bool:
    """Whether an inline style sets a display other than none (overriding a stylesheet's `display:none`)."""
    return bool(style) and SHOWN_INLINE_RE.search(style.lower()) is not None


@page_cache(8192)
def style_hidden_kind(style: str) -> str:
    """Which way an inline style or a CSS declaration block hides: display, offscreen, zero-size, or ''."""
    style = style.lower()
    if DISPLAY_RE.search(style):
        return "display"
    if OFFSCREEN_RE.search(style):
        return "offscreen"
    if ZERO_RE.search(style):
        return "zero-size"
    return ""


@dataclass
class HiddenRules:
    """What the page's own `<style>` blocks hide: classes and ids named alone, and the elements that any other
    selector (`.featured-posts > .widget`, `div.ad`) matches in the page's trees."""

    classes: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    elements: dict = field(default_factory=dict)

    @classmethod
    def from_tree(cls, root, *others) -> HiddenRules:
        """Collect hiding rules from every `<style>` element of the page, and match the contextual ones against
        `root` and `others` (the trees of what stands before `<html>` and after `</html>`)."""
        rules = cls()
        contextual: list[tuple[str, str]] = []
        for style in root.iter("style"):
            for selectors, declarations in STYLE_RULE_RE.findall(_without_print_media(style.text or "")):
                kind = style_hidden_kind(declarations)
                if kind:
                    rules._add_selectors(selectors, "stylesheet-" + kind, contextual)
        for tree in (root, *others):
            if tree is not None and contextual:
                rules._add_matches(tree, contextual)
        return rules

    def _add_selectors(self, selectors: str, kind: str, contextual: list[tuple[str, str]]) -> None:
        """File each selector of a hiding rule under its class or id, or as contextual."""
        for selector in selectors.split(","):
            selector = selector.strip()
            simple = SIMPLE_SELECTOR_RE.fullmatch(selector)
            if simple:
                target = self.classes if simple.group(1) == "." else self.ids
                target[simple.group(2).lower()] = kind
            elif selector and len(selector) <= MAX_SELECTOR_CHARS:
                contextual.append((kind, selector))

    def _add_matches(self, tree, contextual: list[tuple[str, str]]) -> None:
        """Record the elements of `tree` that the contextual selectors the tree may hold match: the shortest
        selectors first, until the tree's budget of element tests is spent."""
        names = _class_and_id_names(tree)
        wanted = [(kind, parse_selector(text)) for kind, text in contextual if _may_match(text, names)]
        wanted = [(kind, selector) for kind, selector in wanted if selector is not None][:MAX_MATCHED_SELECTORS]
        if not wanted:
            return
        wanted.sort(key=lambda pair: len(pair[1].compounds))
        matcher = TreeMatcher(tree)
        try:
            for kind, selector in wanted:
                for element in matcher.matches(selector):
                    if element.tag not in PAGE_TAGS and not (
                        kind == STYLESHEET_DISPLAY and shown_inline(element.get("style"))
                    ):
                        self.elements.setdefault(element, kind)
        except StepsExhausted:
            return


def _without_print_media(css: str) -> str:
    """The style text without the `@media` blocks that do not apply to a desktop screen: print-only ones
    (`@media print { body * {visibility:hidden} }`) and those for narrow screens (`(max-width: 767px)`)."""
    lowered = css.lower()
    if "print" not in lowered and "max-" not in lowered:
        return css
    kept, position = [], 0
    for match in MEDIA_RE.finditer(css):
        if match.start() < position or _applies_to_desktop(match.group(1).lower()):
            continue
        kept.append(css[position : match.start()])
        position = _block_end(css, match.end())
    kept.append(css[position:])
    return "".join(kept)


def _applies_to_desktop(query: str) -> bool:
    """Whether an `@media` query holds on a desktop screen (1,280 pixels wide): not print-only, and no maximum
    width below that."""
    if "print" in query and "screen" not in query and "not" not in query:
        return False
    widths = MAX_WIDTH_RE.findall(query)
    return not any(float(width) < DESKTOP_WIDTH for width in widths)


def _block_end(css: str, start: int) -> int:
    """The position after the brace that closes the block opened just before `start` (the end when unclosed)."""
    depth = 1
    for brace in BRACE_RE.finditer(css, start):
        depth += 1 if brace.group() == "{" else -1
        if depth == 0:
            return brace.end()
    return len(css)


def _class_and_id_names(tree) -> frozenset[str]:
    """Every class word and id of a tree's elements, lower-cased."""
    return frozenset(" ".join(CLASS_AND_ID_PATH(tree)).lower().split())


def _may_match(selector: str, names: frozenset[str]) -> bool:
    """False when the selector requires a class or id that no element of the tree has (most of a framework's
    stylesheet): matching it would find nothing."""
    if "\\" in selector:
        return True
    required = SELECTOR_NAME_RE.findall(NOT_NAMES_RE.sub("", selector.lower()))
    return all(name in names for name in required)


def hidden_kind(element, tag: str, rules: HiddenRules) -> str:
    """How an element itself is hidden ('' when visible); ARIA and a11y classes count as 'semantic'."""
    kind = hidden_kind_of_attributes(tag, element.attrib, rules)
    if kind in ("", "semantic") and rules.elements:
        return rules.elements.get(element, kind)
    return kind


def hidden_kind_of_attributes(tag: str, attributes: Mapping, rules: HiddenRules) -> str:
    """`hidden_kind` of an element with this tag and these attributes (its `attrib`, or a dict of it)."""
    if tag == "marquee":
        return "marquee"
    style = attributes.get("style")
    if style:
        kind = style_hidden_kind(style)
        if kind:
            return kind
    classes = (attributes.get("class") or "").lower().split()
    if rules.classes or rules.ids:
        element_id = (attributes.get("id") or "").lower()
        kind = next((rules.classes[name] for name in classes if name in rules.classes), rules.ids.get(element_id))
        if kind and not (kind == STYLESHEET_DISPLAY and shown_inline(style)):
            return kind
    if attributes.get("hidden") is not None or attributes.get("aria-hidden") == "true":
        return "semantic"
    if not SEMANTIC_CLASSES.isdisjoint(classes):
        return "semantic"
    return ""

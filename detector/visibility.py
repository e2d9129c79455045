"""Is an element hidden from readers? Inline styles, `<style>` rules, attributes and `<marquee>`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from detector.pagecache import page_cache
from detector.selectors import Selector, StepsExhausted, TreeMatcher, parse_selector

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
NOT_DISPLAYED = frozenset(("display", STYLESHEET_DISPLAY))
"""Hiding that no descendant undoes: `display:none` and `visibility:hidden` (inline or from a `<style>` rule)."""
SHOWN_RULE_RE = re.compile(r"display\s*:\s*(?!none)[a-z]|visibility\s*:\s*visible", re.I)
"""Declarations that show an element a rule of lower rank hides."""
IMPORTANT_RE = re.compile(r"!\s*important", re.I)
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


Rank = tuple[bool, int, int, int, int]
"""Which of two rules wins the cascade: `!important`, then specificity (ids, classes and attributes, tags), then
the later one."""


@dataclass
class HiddenRules:
    """What the page's own `<style>` blocks hide: classes and ids named alone, the elements that any other
    selector (`.featured-posts > .widget`, `div.ad`) matches in the page's trees, and the elements a later or more
    specific rule shows again (`.tab-pane{display:none} .tab-pane.active{display:block}`)."""

    classes: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    elements: dict = field(default_factory=dict)
    shown: set = field(default_factory=set)

    @classmethod
    def from_tree(cls, root, *others) -> HiddenRules:
        """Collect hiding rules from every `<style>` element of the page, and match the contextual ones and the
        showing ones against `root` and `others` (the trees of what stands before `<html>` and after `</html>`)."""
        rules, reader = cls(), _RuleReader()
        for style in root.iter("style"):
            for selectors, declarations in STYLE_RULE_RE.findall(_without_print_media(style.text or "")):
                reader.read(selectors, declarations, rules)
        for tree in (root, *others):
            if tree is not None and (reader.contextual or (reader.showing and reader.display_names)):
                _TreeRules(tree, rules, reader).match()
        return rules


@dataclass
class _RuleReader:
    """The rules read so far, in source order, with what the cascade needs of them."""

    contextual: list[tuple[str, str, bool, int]] = field(default_factory=list)
    showing: list[tuple[str, bool, int]] = field(default_factory=list)
    simple_ranks: dict[str, Rank] = field(default_factory=dict)
    display_names: set[str] = field(default_factory=set)
    order: int = 0

    def read(self, selectors: str, declarations: str, rules: HiddenRules) -> None:
        """File one rule: a hiding one under its classes and ids or as contextual, a showing one apart."""
        self.order += 1
        kind = style_hidden_kind(declarations)
        if kind:
            important = IMPORTANT_RE.search(declarations) is not None
            for selector in _selectors_of(selectors):
                self._add_hiding(selector, "stylesheet-" + kind, important, rules)
                if kind == "display":
                    self.display_names.update(_names_in(selector))
        elif _may_show(declarations) and SHOWN_RULE_RE.search(declarations):
            important = IMPORTANT_RE.search(declarations) is not None
            self.showing += [(selector, important, self.order) for selector in _selectors_of(selectors)]

    def _add_hiding(self, selector: str, kind: str, important: bool, rules: HiddenRules) -> None:
        """File one hiding selector under its class or id, or as contextual."""
        simple = SIMPLE_SELECTOR_RE.fullmatch(selector)
        if not simple:
            self.contextual.append((kind, selector, important, self.order))
            return
        name = simple.group(2).lower()
        is_class = simple.group(1) == "."
        (rules.classes if is_class else rules.ids)[name] = kind
        if kind == STYLESHEET_DISPLAY:
            self.simple_ranks[simple.group(1) + name] = (important, int(not is_class), int(is_class), 0, self.order)


class _TreeRules:
    """Matches a page's contextual and showing rules against one of its trees, within one budget of element
    tests (the shortest selectors first)."""

    def __init__(self, tree, rules: HiddenRules, reader: _RuleReader) -> None:
        self.tree, self.rules, self.reader = tree, rules, reader
        self.names = _class_and_id_names(tree)
        self.ranks: dict = {}
        self.matcher: TreeMatcher | None = None

    def match(self) -> None:
        """Record what the contextual rules hide, then which of the elements hidden from display a showing rule
        that wins the cascade shows again."""
        hiding = self._parsed(self.reader.contextual)
        showing = self._parsed(
            ("", text, important, order)
            for text, important, order in self.reader.showing
            if not self.reader.display_names.isdisjoint(_names_in(text))
        )
        try:
            for kind, selector, rank in hiding:
                for element in self._matches(selector):
                    self._hide(element, kind, rank)
            if showing:
                self._show_again(showing)
        except StepsExhausted:
            return

    def _show_again(self, showing: list[tuple[str, Selector, Rank]]) -> None:
        """Mark as shown the elements hidden from display that a showing rule of higher rank matches."""
        hidden = {element: rank for element in self._display_hidden() if (rank := self._hiding_rank(element))}
        if not hidden:
            return
        matcher = TreeMatcher(hidden)
        for _, selector, rank in showing:
            self.rules.shown.update(element for element in matcher.matches(selector) if rank > hidden[element])

    def _display_hidden(self) -> list:
        """The elements of the tree some rule hides from display: by their class or id, or by context."""
        index, found = self._index(), list(self.ranks)
        for key in self.reader.simple_ranks:
            found += (index.by_class if key[0] == "." else index.by_id).get(key[1:], [])
        return found

    def _hiding_rank(self, element) -> Rank | None:
        """The rank of the strongest rule that hides an element from display (None when an inline style shows it)."""
        if shown_inline(element.get("style")):
            return None
        return max(filter(None, (self.ranks.get(element), self._simple_rank(element))), default=None)

    def _parsed(self, rules) -> list[tuple[str, Selector, Rank]]:
        """The rules whose selector the tree may match, parsed and ranked, the shortest selectors first."""
        parsed = []
        for kind, text, important, order in rules:
            selector = parse_selector(text) if _may_match(text, self.names) else None
            if selector is not None:
                parsed.append((kind, selector, (important, *selector.specificity(), order)))
        return sorted(parsed[:MAX_MATCHED_SELECTORS], key=lambda rule: len(rule[1].compounds))

    def _matches(self, selector: Selector) -> list:
        """The elements of the tree the selector matches."""
        return self._index().matches(selector)

    def _index(self) -> TreeMatcher:
        """The matcher over the whole tree, built on first use."""
        if self.matcher is None:
            self.matcher = TreeMatcher.of_tree(self.tree)
        return self.matcher

    def _hide(self, element, kind: str, rank: Rank) -> None:
        """Record an element a contextual rule hides (not the page itself, nor one an inline style shows)."""
        if element.tag in PAGE_TAGS or (kind == STYLESHEET_DISPLAY and shown_inline(element.get("style"))):
            return
        self.rules.elements.setdefault(element, kind)
        if kind == STYLESHEET_DISPLAY:
            self.ranks[element] = max(rank, self.ranks.get(element, rank))

    def _simple_rank(self, element) -> Rank | None:
        """The rank of the strongest one-class or one-id rule that hides the element from display, if any."""
        keys = ["." + word for word in (element.get("class") or "").lower().split()]
        keys.append("#" + (element.get("id") or "").lower())
        return max(filter(None, map(self.reader.simple_ranks.get, keys)), default=None)


def _may_show(declarations: str) -> bool:
    """Whether declarations name display or visibility at all (substring tests: most rules name neither)."""
    return any(part in declarations for part in ("isplay", "ISPLAY", "isib", "ISIB"))


def _names_in(selector: str) -> list[str]:
    """The class words and ids a selector names (lower-cased)."""
    return SELECTOR_NAME_RE.findall(selector.lower())


def _selectors_of(selectors: str) -> list[str]:
    """The selectors of a rule's comma-separated list, blank and overlong ones left out."""
    return [s for s in (part.strip() for part in selectors.split(",")) if s and len(s) <= MAX_SELECTOR_CHARS]


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
    return with_matched_rules(element, kind, rules) if rules.elements or rules.shown else kind


def with_matched_rules(element, kind: str, rules: HiddenRules) -> str:
    """An element's hiding by its attributes (`kind`), with what the rules matched against its tree say: a
    contextual rule hides it (when nothing stronger does), a showing rule that wins the cascade shows it."""
    if kind in ("", "semantic"):
        kind = rules.elements.get(element, kind)
    if kind == STYLESHEET_DISPLAY and element in rules.shown:
        return ""
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

"""Is an element hidden from readers? Inline styles, `<style>` rules, attributes and `<marquee>`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from detector.pagecache import page_cache

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
SELECTOR_TAIL_RE = re.compile(r"([.#])([\w-]+)\s*$")


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
    """Classes and ids that the page's own `<style>` blocks hide."""

    classes: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_tree(cls, root) -> HiddenRules:
        """Collect hiding rules from every `<style>` element of the page."""
        rules = cls()
        for style in root.iter("style"):
            for selectors, declarations in STYLE_RULE_RE.findall(style.text or ""):
                kind = style_hidden_kind(declarations)
                if not kind:
                    continue
                for selector in selectors.split(","):
                    match = SELECTOR_TAIL_RE.search(selector.strip())
                    if match:
                        target = rules.classes if match.group(1) == "." else rules.ids
                        target[match.group(2).lower()] = "stylesheet-" + kind
        return rules


def hidden_kind(element, tag: str, rules: HiddenRules) -> str:
    """How an element itself is hidden ('' when visible); ARIA and a11y classes count as 'semantic'."""
    return hidden_kind_of_attributes(tag, element.attrib, rules)


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
        for name in classes:
            if name in rules.classes:
                return rules.classes[name]
        element_id = (attributes.get("id") or "").lower()
        if element_id in rules.ids:
            return rules.ids[element_id]
    if attributes.get("hidden") is not None or attributes.get("aria-hidden") == "true":
        return "semantic"
    if not SEMANTIC_CLASSES.isdisjoint(classes):
        return "semantic"
    return ""

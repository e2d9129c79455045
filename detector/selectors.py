"""Match the CSS selectors of a page's `<style>` rules against its tree, right to left as browsers do, with a
bounded amount of work on any page (an XPath translation rescans subtrees once per descendant combinator: a page
of 8 KB with `.a .a .a .a{display:none}` over nested `.a` boxes took half a second)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from cssselect import parse
from cssselect.parser import Attrib, Class, CombinedSelector, Element, Hash
from lxml import etree

MAX_COMPOUNDS = 12
"""Selectors chaining more compound selectors than this are not matched."""
MAX_STEPS = 100_000
"""Element tests per tree at most; matching stops there (the selectors matched in full so far stay)."""
ELEMENTS_WITH_NAMES = etree.XPath("//*[@class or @id]")
SUPPORTED_COMBINATORS = frozenset((" ", ">", "+", "~"))
ATTRIBUTE_NAME_RE = re.compile(r"[a-z_:][a-z0-9_:.-]*")
"""An attribute name lxml can look up (it refuses `{a}`, NUL bytes and the like)."""


@dataclass(frozen=True, slots=True)
class Compound:
    """One compound selector: a tag (None for any), class words, ids and attributes (name, or name and value)."""

    tag: str | None
    classes: frozenset[str]
    ids: frozenset[str]
    attributes: tuple[tuple[str, str | None], ...]


@dataclass(frozen=True, slots=True)
class Selector:
    """A complex selector, subject first: `combinators[i]` joins `compounds[i + 1]` (to its left) to
    `compounds[i]`."""

    compounds: tuple[Compound, ...]
    combinators: tuple[str, ...]

    def specificity(self) -> tuple[int, int, int]:
        """CSS specificity: ids, then classes and attribute tests, then tags."""
        ids = sum(len(compound.ids) for compound in self.compounds)
        classes = sum(len(compound.classes) + len(compound.attributes) for compound in self.compounds)
        return ids, classes, sum(1 for compound in self.compounds if compound.tag)


@lru_cache(maxsize=4096)
def parse_selector(text: str) -> Selector | None:
    """A selector of tags, classes, ids and attribute tests joined by any combinator; None for one with a
    pseudo-class (a state such as `:hover`, or `:not`), a pseudo-element, or that cannot be read."""
    try:
        parsed = parse(text)
    except Exception:  # noqa: BLE001 - cssselect fails in several ways (SelectorError, RuntimeError) on bad input
        return None
    if len(parsed) != 1 or parsed[0].pseudo_element is not None:
        return None
    compounds: list[Compound] = []
    combinators: list[str] = []
    tree = parsed[0].parsed_tree
    while isinstance(tree, CombinedSelector):
        if tree.combinator not in SUPPORTED_COMBINATORS:
            return None
        compounds.append(_compound(tree.subselector))
        combinators.append(tree.combinator)
        tree = tree.selector
    compounds.append(_compound(tree))
    if None in compounds or len(compounds) > MAX_COMPOUNDS:
        return None
    return Selector(tuple(compounds), tuple(combinators))


def _compound(tree) -> Compound | None:
    """The compound selector of a parsed tree without combinators; None when it holds anything else."""
    classes, ids, attributes = set(), set(), []
    while not isinstance(tree, Element):
        if isinstance(tree, Class):
            classes.add(tree.class_name.lower())
        elif isinstance(tree, Hash):
            ids.add(tree.id.lower())
        elif _is_plain_attribute_test(tree):
            attributes.append((tree.attrib.lower(), None if tree.value is None else tree.value.value))
        else:
            return None
        tree = tree.selector
    tag = tree.element.lower() if tree.element and tree.element != "*" else None
    return Compound(tag, frozenset(classes), frozenset(ids), tuple(attributes))


def _is_plain_attribute_test(tree) -> bool:
    """An attribute test `[name]` or `[name=value]` on a name lxml can look up."""
    return (
        isinstance(tree, Attrib)
        and tree.namespace is None
        and tree.operator in ("exists", "=")
        and ATTRIBUTE_NAME_RE.fullmatch(tree.attrib.lower()) is not None
    )


class StepsExhausted(Exception):
    """The page's budget of element tests is spent."""


class TreeMatcher:
    """Matches selectors against one tree: candidates of a selector's subject come from an index of the tree's
    class words, ids and tags; the rest is checked upwards and sideways from each, remembering per element and
    compound whether what lies to its left matches, so no subtree is read twice."""

    def __init__(self, elements: Iterable) -> None:
        """Index `elements` (some of a tree's elements: only those are matched); `of_tree` indexes a whole tree."""
        self.steps = 0
        self.root = None
        self.by_class: dict[str, list] = defaultdict(list)
        self.by_id: dict[str, list] = defaultdict(list)
        self.by_tag: dict[str, list] = defaultdict(list)
        self.elements = [element for element in elements if isinstance(element.tag, str)]
        for element in self.elements:
            self.by_tag[element.tag].append(element)
        self._index_names(self.elements)

    @classmethod
    def of_tree(cls, root) -> TreeMatcher:
        """A matcher over a whole tree: its class words and ids indexed from the elements that have them, its tags
        looked up when a selector's subject names one."""
        matcher = cls(())
        matcher.root = root
        matcher._index_names(ELEMENTS_WITH_NAMES(root))
        return matcher

    def _index_names(self, elements: Iterable) -> None:
        """File elements under their class words and ids."""
        by_class, by_id = self.by_class, self.by_id
        for element in elements:
            for word in dict.fromkeys((element.get("class") or "").lower().split()):
                by_class[word].append(element)
            element_id = element.get("id")
            if element_id:
                by_id[element_id.lower()].append(element)

    def matches(self, selector: Selector) -> list:
        """The elements `selector` matches; raises StepsExhausted when the tree's budget runs out."""
        memo: dict = {}
        subject = selector.compounds[0]
        return [
            element
            for element in self._candidates(subject)
            if self._is(element, subject) and self._left_matches(element, selector, 0, memo)
        ]

    def _candidates(self, compound: Compound) -> list:
        """The elements that may match a compound: those with its rarest class word, its id or its tag."""
        if compound.classes:
            return min((self.by_class.get(word, []) for word in compound.classes), key=len)
        if compound.ids:
            return self.by_id.get(next(iter(compound.ids)), [])
        if self.root is None:
            return self.by_tag.get(compound.tag, []) if compound.tag else self.elements
        if not compound.tag:
            return [element for element in self.root.iter() if isinstance(element.tag, str)]
        if compound.tag not in self.by_tag:
            self.by_tag[compound.tag] = list(self.root.iter(compound.tag))
        return self.by_tag[compound.tag]

    def _is(self, element, compound: Compound) -> bool:
        """Whether an element matches a compound selector (one step of the page's budget)."""
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise StepsExhausted
        if not isinstance(element.tag, str) or (compound.tag and element.tag.lower() != compound.tag):
            return False
        if compound.ids and {(element.get("id") or "").lower()} != compound.ids:
            return False
        if compound.classes and not compound.classes.issubset((element.get("class") or "").lower().split()):
            return False
        for name, value in compound.attributes:
            found = element.get(name)
            if found is None or (value is not None and found != value):
                return False
        return True

    def _left_matches(self, element, selector: Selector, index: int, memo: dict) -> bool:
        """Whether the compounds left of `index` match, relative to `element` (which matches compound `index`)."""
        if index + 1 == len(selector.compounds):
            return True
        combinator = selector.combinators[index]
        if combinator == ">":
            parent = element.getparent()
            return parent is not None and self._at(parent, selector, index + 1, memo)
        if combinator == "+":
            previous = _previous_element(element)
            return previous is not None and self._at(previous, selector, index + 1, memo)
        step = _previous_element if combinator == "~" else _parent
        return self._any_along(step(element), step, selector, index + 1, memo, combinator)

    def _at(self, element, selector: Selector, index: int, memo: dict) -> bool:
        """Whether `element` matches compound `index` and what lies to its left."""
        return self._is(element, selector.compounds[index]) and self._left_matches(element, selector, index, memo)

    def _any_along(self, element, step, selector: Selector, index: int, memo: dict, combinator: str) -> bool:
        """Whether `element` or any element `step` reaches from it (ancestors, or previous siblings) matches
        compound `index` and what lies to its left; every element passed remembers the answer."""
        passed, found = [], False
        while element is not None:
            known = memo.get((element, index, combinator))
            if known is not None:
                found = known
                break
            passed.append(element)
            if self._at(element, selector, index, memo):
                found = True
                break
            element = step(element)
        for seen in passed:
            memo[(seen, index, combinator)] = found
        return found


def _parent(element):
    """The element's parent (None at the root)."""
    return element.getparent()


def _previous_element(element):
    """The nearest preceding sibling that is an element (not a comment), or None."""
    previous = element.getprevious()
    while previous is not None and not isinstance(previous.tag, str):
        previous = previous.getprevious()
    return previous

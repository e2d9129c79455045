"""CSS selectors of `<style>` rules matched against a page's tree, right to left (detector/selectors.py)."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from detector.selectors import MAX_STEPS, StepsExhausted, TreeMatcher, parse_selector

PAGE = """<html><body>
<div class="outer" id="Main"><div class="b"><div class="b" data-x="1"><p class="c">deep</p></div></div></div>
<div class="b"><p class="c">shallow</p></div>
<ul class="menu"><li class="first">one</li><li class="item">two</li><!-- note --><li class="item">three</li></ul>
<a href="/x" class="ad">link</a><a class="ad">anchor</a>
</body></html>"""


def matched_texts(selector: str) -> list[str]:
    """The text of each element of PAGE the selector matches, in document order."""
    parsed = parse_selector(selector)
    assert parsed is not None, selector
    root = lxml_html.document_fromstring(PAGE)
    return [element.text_content().strip() for element in TreeMatcher.of_tree(root).matches(parsed)]


@pytest.mark.parametrize(
    ("selector", "texts"),
    [
        (".c", ["deep", "shallow"]),
        (".outer .c", ["deep"]),
        ("#main .c", ["deep"]),
        (".outer > .b > .b > .c", ["deep"]),
        (".outer > .b .c", ["deep"]),
        (".outer > .c", []),
        ("div.b[data-x] p", ["deep"]),
        ('[data-x="2"] p', []),
        (".first + .item", ["two"]),
        (".item + .item", ["three"]),
        (".first ~ .item", ["two", "three"]),
        ("ul li.item", ["two", "three"]),
        ("a.ad[href]", ["link"]),
        (".menu *", ["one", "two", "three"]),
    ],
)
def test_selectors_match_what_a_browser_matches(selector, texts):
    """Descendant, child, adjacent and general sibling combinators, tags, classes, ids and attribute tests; a
    comment between two siblings does not break `+`."""
    assert matched_texts(selector) == texts


def test_a_child_combinator_left_of_a_descendant_one_looks_past_the_nearest_ancestor():
    """`.outer > .b .c`: the nearest `.b` above `deep` is not a child of `.outer`; the farther one is."""
    assert matched_texts(".outer > .b .c") == ["deep"]
    assert matched_texts(".outer > .b > .c") == []


@pytest.mark.parametrize("selector", ["a:hover .x", ".x::before", ".collapse:not(.show)", ".x:is(.a", ".x >", ""])
def test_states_pseudo_elements_and_broken_selectors_are_not_matched(selector):
    """What depends on a state or a pseudo-element, what cannot be read: no selector."""
    assert parse_selector(selector) is None


def test_matching_stops_at_the_page_budget():
    """A page built so that chained descendant selectors test every ancestor of every box gives up at the
    budget instead of running on."""
    depth = 200
    body = ('<div class="a">' * depth + "x" + "</div>" * depth) * 10
    root = lxml_html.document_fromstring(f"<html><body>{body}</body></html>")
    matcher = TreeMatcher.of_tree(root)
    with pytest.raises(StepsExhausted):
        for length in range(2, 12):
            matcher.matches(parse_selector(" ".join([".a"] * length)))
    assert matcher.steps == MAX_STEPS + 1

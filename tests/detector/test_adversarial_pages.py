"""Pages built to be slow: content shaped so that a pattern rescans it from every position must still be read
in one pass (a quadratic scan of a few MB takes hours, so these tests would hang, not merely run long)."""

from __future__ import annotations

from detector.features import LITERAL_TAG_RE
from detector.parse import parse_html, split_around_html
from detector.segment import segment_html
from detector.visibility import HiddenRules

FARM = '<div class="farm"><a href="http://casino.example/">casino bonus</a> <a href="http://pills.example/">pills</a></div>'


def test_stylesheet_rules_are_read_in_media_queries_and_beside_broken_ones():
    """Rules inside `@media`, after `@charset` and after an unclosed rule are all read."""
    css = '@charset "UTF-8";@media screen{.farm{display:none}}#gone{left:-9999px}.open{color:red'
    rules = HiddenRules.from_tree(parse_html(f"<html><head><style>{css}</style></head><body></body></html>").root)
    assert rules.classes == {"farm": "stylesheet-display"} and rules.ids == {"gone": "stylesheet-offscreen"}


def test_chained_descendant_selectors_over_deeply_nested_boxes_are_matched_in_bounded_work():
    """`.a .a .a ... {display:none}` over 200-deep nested `.a` boxes, 50 times: matched right to left with each
    element's answer remembered (an XPath translation rescans every subtree once per combinator and ran for
    minutes); the text inside is hidden, an `.a` outside every box is not."""
    depth = 200
    box = '<div class="a"><p class="a">x</p>' * depth + "</div>" * depth
    css = " ".join(".a " * length + "{display:none}" for length in range(2, 12))
    page = f'<html><head><style>{css}</style></head><body><p class="a">The council met.</p>{box * 50}</body></html>'
    blocks = segment_html(parse_html(page))
    assert {block.hidden for block in blocks if block.text == "x"} == {"stylesheet-display"}
    assert [block.hidden for block in blocks if block.text == "The council met."] == [""]


def test_an_unclosed_style_rule_of_megabytes_is_read_in_one_pass():
    """A `<style>` whose last rule never closes (2 MB of it) still yields the rules before it, and the link farm
    it hides is seen as hidden."""
    style = "<style>.farm{display:none} .tail{" + "x" * 2_000_000 + "</style>"
    page = f"<html><head>{style}</head><body><p>The council met on Tuesday.</p>{FARM}</body></html>"
    blocks = segment_html(parse_html(page))
    farm = next(block for block in blocks if "casino" in block.text)
    assert farm.hidden == "stylesheet-display"


def test_megabytes_of_title_openings_that_never_close_are_read_in_one_pass(scorer):
    """`<title ` repeated over 3 MB with no `>`: the article before it is still scored and kept."""
    page = "<html><body><p>The council approved the harbour budget on Tuesday after a long debate.</p>"
    result = scorer.score(page + "<title " * 450_000 + "<")
    assert "harbour budget" in result.text


def test_megabytes_of_document_openings_inside_a_script_are_read_in_one_pass():
    """A script before the page writing `<html>` 500,000 times: the document still opens after it."""
    script = "<script>" + "<html>" * 500_000 + "</script>"
    prefix, main, _ = split_around_html(script + "<!DOCTYPE html><html><body><p>Harbour news.</p></body></html>")
    assert prefix.startswith("<script>") and main.startswith("<!DOCTYPE html>")


def test_a_tag_name_followed_by_a_megabyte_of_spaces_is_no_literal_tag_and_is_read_in_one_pass():
    """`<a` and a million spaces: no literal tag, found in one pass; real literal tags still are."""
    assert LITERAL_TAG_RE.search("<a" + " " * 1_000_000) is None
    assert [m.group(2) for m in LITERAL_TAG_RE.finditer('text <var id="qx3k"> more </var>')] == ["var", "var"]

"""Pages built to be slow: content shaped so that a pattern rescans it from every position must still be read
in one pass (a quadratic scan of a few MB takes hours, so these tests would hang, not merely run long)."""

from __future__ import annotations

from detector.parse import parse_html
from detector.segment import segment_html
from detector.visibility import HiddenRules

FARM = '<div class="farm"><a href="http://casino.example/">casino bonus</a> <a href="http://pills.example/">pills</a></div>'


def test_stylesheet_rules_are_read_in_media_queries_and_beside_broken_ones():
    """Rules inside `@media`, after `@charset` and after an unclosed rule are all read."""
    css = '@charset "UTF-8";@media screen{.farm{display:none}}#gone{left:-9999px}.open{color:red'
    rules = HiddenRules.from_tree(parse_html(f"<html><head><style>{css}</style></head><body></body></html>").root)
    assert rules.classes == {"farm": "stylesheet-display"} and rules.ids == {"gone": "stylesheet-offscreen"}


def test_an_unclosed_style_rule_of_megabytes_is_read_in_one_pass():
    """A `<style>` whose last rule never closes (2 MB of it) still yields the rules before it, and the link farm
    it hides is seen as hidden."""
    style = "<style>.farm{display:none} .tail{" + "x" * 2_000_000 + "</style>"
    page = f"<html><head>{style}</head><body><p>The council met on Tuesday.</p>{FARM}</body></html>"
    blocks = segment_html(parse_html(page))
    farm = next(block for block in blocks if "casino" in block.text)
    assert farm.hidden == "stylesheet-display"

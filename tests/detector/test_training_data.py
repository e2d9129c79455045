"""The training-data builders: honest look-alikes of injections, lexicon dropout, and what counts as dirty."""

from __future__ import annotations

import random

import lxml.html
import pytest
import zhconv

from detector.basedata import contaminated_copy, is_traditional, with_enforcement_story, with_template_negatives
from detector.dataset import LEXICON_KEYS, WORD_KEYS, LabelledPage, page_rows, without_keys
from detector.inject import Injection

PAGE = (
    "<html><head><title>Budget passes</title></head><body>"
    '<ul><li><a href="/home">Home page</a></li><li><a href="/sport">Sports news</a></li>'
    '<li><a href="/world">World affairs</a></li></ul>'
    "<p>The council approved the new budget on Tuesday after a long debate about schools.</p>"
    "</body></html>"
)


def test_template_negatives_are_hidden_copies_of_the_page_own_links_or_pixels():
    """Every added hidden menu reuses the page's own labels; pixels are 1x1; the article is untouched."""
    changed = 0
    for seed in range(60):
        html = with_template_negatives(PAGE, random.Random(seed))
        assert "The council approved the new budget" in html
        if html == PAGE:
            continue
        changed += 1
        root = lxml.html.document_fromstring(html)
        for menu in root.xpath('//*[contains(@class, "menu") or contains(@class, "nav") or contains(@class, "pop")]'):
            labels = {a.text_content() for a in menu.iter("a")} | {p.text_content() for p in menu.iter("p")}
            assert labels <= {"Home page", "Sports news", "World affairs"}
        for img in root.iter("img"):
            assert img.get("width") == "1" or img.get("src") == "/images/qr.png"
    assert 20 <= changed <= 45


def test_feature_dropout_removes_only_the_dropped_kinds():
    """Lexicon dropout removes `lex=` keys of the block and its neighbours; word dropout the hashed words."""
    lexicon = {"lex=1": 1.0, "prev:lex=2": 1.0, "next:lex=1": 1.0, "lexc=2": 1.0, "next:lexc=1": 1.0, "cta=1": 1.0}
    row = {**lexicon, "len=3": 1.0, "w=lexicon": 0.5}
    assert without_keys(row, LEXICON_KEYS) == {"len=3": 1.0, "w=lexicon": 0.5}
    assert without_keys(row, WORD_KEYS) == {**lexicon, "len=3": 1.0}


def test_lexicon_dropout_page_rows_have_no_lexicon_features():
    """A page marked `lexicon=False` is featurized without any lexicon hit even when it has spam words."""
    text = "The council approved the budget.\ncheap viagra casino online poker\n"
    page = LabelledPage(text, "text", None, text, "example.com", "train/text/clean", lexicon=False)
    rows, _ = page_rows(page)
    assert rows and not any("lex=" in key for row in rows for key in row)
    page.lexicon = True
    rows, _ = page_rows(page)
    assert any(key.startswith("lex=") for row in rows for key in row)


@pytest.mark.parametrize(
    ("article", "traditional"),
    [
        ("警方今天表示，案件仍在調查，將依法處理相關業者。", True),
        ("警方今天表示，案件仍在调查，将依法处理相关业者。", False),
    ],
)
def test_the_enforcement_story_is_written_in_the_article_script(article, traditional):
    """Hard-negative paragraphs added to a Chinese article, and a topical title, use the article's script."""
    html = f"<html><head><title>新闻</title></head><body><p>{article}</p></body></html>"
    titles = set()
    for seed in range(8):
        new_html, new_article = with_enforcement_story(html, article, random.Random(seed), "zh")
        added = new_article.replace(article, "").strip()
        assert added and is_traditional(added) == traditional
        title = lxml.html.document_fromstring(new_html).findtext(".//title")
        titles.add(title)
        headline = title.split(" - ")[0]
        assert title == "新闻" or zhconv.convert(headline, "zh-hant" if traditional else "zh-hans") == headline
    assert len(titles) > 1


def test_a_scraped_copy_without_any_trace_of_the_injection_is_clean():
    """Empty tag noise vanishes from scraped text: that copy is not counted as contaminated."""
    noise = Injection("tag-noise", "tag-noise", "tag-noise", "body-start", ids=["qxzkv"], markup='<var id="qxzkv">')
    common = {"url": None, "site": "example.com"}
    clean = contaminated_copy("Article line.\n", "text", "Article line.", "test/text-dump/x", [noise], common)
    assert not clean.contaminated
    dirty = contaminated_copy('<var id="qxzkv"></var>\nArticle.\n', "text", "Article.", "g", [noise], common)
    assert dirty.contaminated

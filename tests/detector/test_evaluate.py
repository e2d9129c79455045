"""The evaluation's page figures: article recall against the ground truth, and the clean copy's text kept by its
contaminated copies (paired by URL and form)."""

from __future__ import annotations

import zhconv

from detector.dataset import LabelledPage
from detector.evaluate import evaluate_pages

URL = "https://news.example.org/2025/harbour-ferry"
PARAGRAPHS = [
    "The island ferry will run two fewer crossings a day from next month, the operator said on Tuesday.",
    "Fuel prices rose by a third over the winter, and the company has struggled to hire qualified deck crew.",
    "Commuters who rely on the early boat said the change would add an hour to their journey to the mainland.",
    "The council said it would ask the operator to restore the first morning sailing before the summer season.",
]
SPAM = "buy cheap viagra online no prescription casino bonus 500 free spins click www.pills-casino-bonus.top now"


def page_text(paragraphs: list[str]) -> str:
    """Already-scraped article text: one paragraph a line."""
    return "\n".join(paragraphs)


def copy(data: str, family: str, url: str = URL, texts: list[str] | None = None) -> LabelledPage:
    """A text copy of the page in the group `test/text/<family>`."""
    return LabelledPage(
        data, "text", url, page_text(PARAGRAPHS), "example.org", f"test/text/{family}", texts=list(texts or [])
    )


def test_a_contaminated_copy_that_keeps_the_article_keeps_all_of_its_clean_copys_text(scorer):
    pages = [
        copy(page_text(PARAGRAPHS), "clean"),
        copy(page_text(PARAGRAPHS[:2] + [SPAM] + PARAGRAPHS[2:]), "holdout-families", texts=[SPAM]),
    ]
    groups = evaluate_pages(pages, scorer)["groups"]
    assert groups["test/text/holdout-families"]["spam_removed"] == 1.0
    assert groups["test/text/holdout-families"]["article_kept"] == 1.0
    assert groups["test/text/clean"]["article_kept"] is None


def test_a_copy_missing_a_paragraph_of_its_clean_copy_keeps_less_of_it(scorer):
    pages = [
        copy(page_text(PARAGRAPHS), "clean"),
        copy(page_text(PARAGRAPHS[:2] + [SPAM]), "holdout-families", texts=[SPAM]),
    ]
    figures = evaluate_pages(pages, scorer)["groups"]["test/text/holdout-families"]
    assert 0.3 < figures["article_kept"] < 0.7
    assert figures["article_recall"] < 0.7


def test_copies_pair_only_with_the_clean_copy_of_their_url(scorer):
    pages = [
        copy(page_text(PARAGRAPHS), "clean"),
        copy(page_text(PARAGRAPHS[:2] + [SPAM]), "holdout-families", url=URL + "-other", texts=[SPAM]),
    ]
    figures = evaluate_pages(pages, scorer)["groups"]["test/text/holdout-families"]
    assert figures["article_kept"] is None
    assert figures["article_recall"] is not None


def test_a_mirror_copy_in_traditional_characters_keeps_its_simplified_clean_copys_text(scorer):
    article = [
        "记者从市交通局获悉，地铁五号线南延段今天上午正式开通试运营，新线全长十二公里，设车站八座。",
        "市交通局表示，新线开通后，南部新城到市中心的通勤时间将从一个小时缩短到三十分钟左右。",
        "不少市民一早就来到车站体验新线，有乘客说，以后上班再也不用在路上堵车了。",
    ]
    mirrored = [zhconv.convert(line, "zh-hant") for line in article]
    dirty = page_text(mirrored[:2] + [SPAM] + mirrored[2:])
    pages = [
        LabelledPage(page_text(article), "text", URL, page_text(article), "example.org", "test/text/clean"),
        LabelledPage(dirty, "text", URL, page_text(mirrored), "example.org", "test/text/train-families", texts=[SPAM]),
    ]
    assert mirrored != article
    figures = evaluate_pages(pages, scorer)["groups"]["test/text/train-families"]
    assert figures["spam_removed"] == 1.0 and figures["article_kept"] == 1.0


def test_copies_without_a_url_pair_by_the_page_they_were_made_from(scorer):
    def copy_of(source: str, data: str, family: str, texts: list[str]) -> LabelledPage:
        article = page_text(PARAGRAPHS)
        return LabelledPage(data, "text", None, article, "example.org", f"test/text/{family}", texts, source=source)

    pages = [
        copy_of("corpus/1", page_text(PARAGRAPHS), "clean", []),
        copy_of("corpus/1", page_text(PARAGRAPHS[:2] + [SPAM]), "holdout-families", [SPAM]),
        copy_of("corpus/2", page_text(PARAGRAPHS + [SPAM]), "holdout-families", [SPAM]),
    ]
    figures = evaluate_pages(pages, scorer)["groups"]["test/text/holdout-families"]
    assert 0.3 < figures["article_kept"] < 0.7

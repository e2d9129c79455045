"""The labelled pages behind the shipped model: real corpus pages, clean and contaminated by the generator,
in HTML and as scraped text, split by site; held-out sites also get injection families never trained on."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from pathlib import Path

import lxml.html

from detector.corpora import EVALUATION_ONLY, CorpusPage, iter_corpus
from detector.dataset import LabelledPage, is_test_site
from detector.decode import decode_page
from detector.errors import InputError
from detector.hardneg import enforcement_paragraph
from detector.inject import (
    HOLDOUT_FAMILIES,
    TRAIN_FAMILIES,
    SpamVocabulary,
    article_after,
    contaminate,
    contaminate_text,
    to_scraped_text,
)
from detector.labels import article_index, is_article_block
from detector.parse import strip_xml_declaration
from detector.text import normalize_space

TRAIN_CORPORA = ("zyte-aeb", "cwced-zh", "daniel-multilingual")
HARD_NEGATIVE_SHARE = 0.25


def page_rng(seed: int, page: CorpusPage, variant: str) -> random.Random:
    """A generator seeded by the page and the variant, so any page can be rebuilt alone, in any order."""
    key = f"{seed}/{page.corpus}/{page.page_id}/{variant}".encode()
    return random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))


def base_pages(
    shared: Path, seed: int, vocab: SpamVocabulary, split: str, corpora=TRAIN_CORPORA
) -> Iterator[LabelledPage]:
    """Labelled variants of every page of the training corpora on the `train` or `test` side of the site split."""
    for corpus in corpora:
        if corpus in EVALUATION_ONLY and split == "train":
            continue
        for page in iter_corpus(shared, corpus):
            if ("test" if is_test_site(page.site) else "train") != split:
                continue
            try:
                html = strip_xml_declaration(decode_page(page.data).text)
            except InputError:
                continue
            yield from page_variants(page, html, seed, vocab, split)


def page_variants(page: CorpusPage, html: str, seed: int, vocab: SpamVocabulary, split: str) -> Iterator[LabelledPage]:
    """Clean and contaminated copies of one page, in HTML and text form."""
    article = page.article
    common = {"url": page.url, "site": page.site}
    hard_rng = page_rng(seed, page, "hard-negative")
    if hard_rng.random() < HARD_NEGATIVE_SHARE:
        html, article = with_enforcement_paragraph(html, article, hard_rng, page.lang)
    yield LabelledPage(html, "html", article=article, group=f"{split}/html/clean", **common)
    family_sets = [("train-families", TRAIN_FAMILIES)]
    if split == "test":
        family_sets.append(("holdout-families", HOLDOUT_FAMILIES))
    for name, families in family_sets:
        rng = page_rng(seed, page, name)
        dirty, injections = contaminate(html, rng, families, vocab, article_text=article)
        dirty_article = article_after(article, injections)
        yield _labelled(dirty, "html", dirty_article, f"{split}/html/{name}", injections, common)
        scraped = to_scraped_text(dirty)
        yield _labelled(scraped, "text", dirty_article, f"{split}/text-dump/{name}", injections, common)
        text, text_injections = contaminate_text(article, rng, families, vocab)
        text_article = article_after(article, text_injections)
        yield _labelled(text, "text", text_article, f"{split}/text/{name}", text_injections, common)
    yield LabelledPage(article, "text", article=article, group=f"{split}/text/clean", **common)


def _labelled(data: str, fmt: str, article: str, group: str, injections, common: dict) -> LabelledPage:
    """A contaminated page with the generator's record of what it inserted."""
    return LabelledPage(
        data,
        fmt,
        article=article,
        group=group,
        texts=[t for inj in injections for t in inj.texts],
        ids=[i for inj in injections for i in inj.ids],
        markups=[inj.markup for inj in injections if inj.markup],
        families=[inj.family for inj in injections],
        **common,
    )


def with_enforcement_paragraph(html: str, article: str, rng: random.Random, lang: str) -> tuple[str, str]:
    """Insert a news paragraph about gambling/porn/pharma enforcement after an article paragraph."""
    try:
        root = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return html, article
    index = article_index(article)
    anchors = [p for p in root.iter("p") if is_article_block(normalize_space(p.text_content()), index)]
    if not anchors:
        return html, article
    anchor = rng.choice(anchors)
    traditional = lang == "zh" and rng.random() < 0.5
    paragraph = enforcement_paragraph(rng, lang, traditional)
    new = lxml.html.Element("p")
    new.text = paragraph
    anchor.addnext(new)
    anchor_text = normalize_space(anchor.text_content())
    position = article.find(anchor_text[-30:]) if anchor_text else -1
    if position >= 0:
        cut = position + len(anchor_text[-30:])
        article = article[:cut] + "\n" + paragraph + article[cut:]
    else:
        article = article + "\n" + paragraph
    return lxml.html.tostring(root, encoding="unicode"), article

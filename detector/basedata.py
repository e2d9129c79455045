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
from detector.hardneg import enforcement_story, hidden_menu, tracking_pixel, trailing_junk
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
from detector.text import han_variant_counts, normalize_space

TRAIN_CORPORA = ("zyte-aeb", "cwced-zh", "daniel-multilingual")
HARD_NEGATIVE_SHARE = 0.25
TOPICAL_TITLE_SHARE = 0.5
TEMPLATE_NEGATIVE_SHARE = 0.2
"""Share of training pages given each honest look-alike: a hidden menu, a tracking pixel, junk after `</html>`."""
LEXICON_DROPOUT = 0.5
"""Share of training pages featurized as if the lexicon knew none of their words, so it stays a weak feature."""
WORD_DROPOUT = 0.5
"""Share of training pages featurized without hashed words, so spam in unseen wording is caught by its shape."""
MENU_LABELS = (2, 8)


def page_rng(seed: int, page: CorpusPage, variant: str) -> random.Random:
    """A generator seeded by the page and the variant, so any page can be rebuilt alone, in any order."""
    key = f"{seed}/{page.corpus}/{page.page_id}/{variant}".encode()
    return random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))


def base_pages(
    shared: Path, seed: int, vocab: SpamVocabulary, split: str, corpora=TRAIN_CORPORA
) -> Iterator[LabelledPage]:
    """Labelled variants of every page of the training corpora on the `train` or `test` side of the site split."""
    for page, html in split_pages(shared, split, corpora):
        if split == "train":
            html = with_template_negatives(html, page_rng(seed, page, "template-negatives"))
        for labelled in page_variants(page, html, seed, vocab, split):
            if split == "train":
                labelled.lexicon = page_rng(seed, page, f"lexicon/{labelled.group}").random() >= LEXICON_DROPOUT
                labelled.words = page_rng(seed, page, f"words/{labelled.group}").random() >= WORD_DROPOUT
            yield labelled


def split_pages(shared: Path, split: str, corpora=TRAIN_CORPORA) -> Iterator[tuple[CorpusPage, str]]:
    """The corpus pages on the `train` or `test` side of the site split, with their decoded HTML (evaluation-only
    corpora never on the `train` side; pages that cannot be decoded left out)."""
    for corpus in corpora:
        if corpus in EVALUATION_ONLY and split == "train":
            continue
        for page in iter_corpus(shared, corpus):
            if ("test" if is_test_site(page.site) else "train") != split:
                continue
            try:
                yield page, strip_xml_declaration(decode_page(page.data).text)
            except InputError:
                continue


def page_variants(page: CorpusPage, html: str, seed: int, vocab: SpamVocabulary, split: str) -> Iterator[LabelledPage]:
    """Clean and contaminated copies of one page, in HTML and text form."""
    article = page.article
    common = {"url": page.url, "site": page.site, "source": f"{page.corpus}/{page.page_id}"}
    hard_rng = page_rng(seed, page, "hard-negative")
    if hard_rng.random() < HARD_NEGATIVE_SHARE:
        html, article = with_enforcement_story(html, article, hard_rng, page.lang)
    yield LabelledPage(html, "html", article=article, group=f"{split}/html/clean", **common)
    if split == "test":
        yield LabelledPage(to_scraped_text(html), "text", article=article, group=f"{split}/text-dump/clean", **common)
    family_sets = [("train-families", TRAIN_FAMILIES)]
    if split == "test":
        family_sets.append(("holdout-families", HOLDOUT_FAMILIES))
    for name, families in family_sets:
        rng = page_rng(seed, page, name)
        dirty, injections = contaminate(html, rng, families, vocab, article_text=article)
        dirty_article = article_after(article, injections)
        yield contaminated_copy(dirty, "html", dirty_article, f"{split}/html/{name}", injections, common)
        scraped = to_scraped_text(dirty)
        yield contaminated_copy(scraped, "text", dirty_article, f"{split}/text-dump/{name}", injections, common)
        text, text_injections = contaminate_text(article, rng, families, vocab)
        text_article = article_after(article, text_injections)
        yield contaminated_copy(text, "text", text_article, f"{split}/text/{name}", text_injections, common)
    yield LabelledPage(article, "text", article=article, group=f"{split}/text/clean", **common)


def contaminated_copy(data: str, fmt: str, article: str, group: str, injections, common: dict) -> LabelledPage:
    """A contaminated page with the generator's record of what it inserted; in text, only what left a trace
    (empty tag noise vanishes from a scrape: such a copy is a clean page)."""
    texts = [t for inj in injections for t in inj.texts]
    ids = [i for inj in injections for i in inj.ids]
    if fmt == "text":
        ids = [i for i in ids if i and i in data]
    markups = [inj.markup for inj in injections if inj.markup] if texts or ids else []
    return LabelledPage(
        data,
        fmt,
        article=article,
        group=group,
        texts=texts,
        ids=ids,
        markups=markups,
        families=[inj.family for inj in injections],
        **common,
    )


def is_traditional(text: str) -> bool:
    """True when a Chinese text holds more Traditional-only than Simplified-only characters."""
    simplified, traditional = han_variant_counts(text)
    return traditional > simplified


def with_template_negatives(html: str, rng: random.Random) -> str:
    """Add, each with its own chance, a hidden menu of the page's own links, a tracking pixel and junk after
    `</html>`: honest template parts the model must not take for injections."""
    menu, pixel, junk = (rng.random() < TEMPLATE_NEGATIVE_SHARE for _ in range(3))
    if menu or pixel:
        html = _with_hidden_parts(html, rng, menu, pixel)
    return html + trailing_junk(rng) if junk else html


def _with_hidden_parts(html: str, rng: random.Random, menu: bool, pixel: bool) -> str:
    """The page with a hidden menu and/or a tracking pixel added."""
    try:
        root = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return html
    body = root.find("body")
    if body is None:
        return html
    if menu:
        _add_hidden_menu(root, body, rng)
    if pixel:
        at_start = rng.random() < 0.5
        for element in lxml.html.fragments_fromstring(tracking_pixel(rng)):
            if at_start:
                body.insert(0, element)
            else:
                body.append(element)
    return lxml.html.tostring(root, encoding="unicode")


def _add_hidden_menu(root, body, rng: random.Random) -> None:
    """Insert a hidden dropdown or popup made of the page's own short link labels after one of its lists."""
    labels = [normalize_space(a.text_content()) for a in body.iter("a")]
    labels = [label for label in dict.fromkeys(labels) if 2 <= len(label) <= 30]
    if len(labels) < MENU_LABELS[0]:
        return
    start = rng.randrange(len(labels))
    markup, rule = hidden_menu(rng, labels[start : start + rng.randint(*MENU_LABELS)])
    anchors = list(body.iter("ul", "nav")) or [body]
    anchor = rng.choice(anchors)
    menu = lxml.html.fragment_fromstring(markup)
    if anchor is body:
        body.append(menu)
    else:
        anchor.addnext(menu)
    head = root.find("head")
    if rule and head is not None:
        style = lxml.html.Element("style")
        style.text = rule
        head.append(style)


def with_enforcement_story(html: str, article: str, rng: random.Random, lang: str) -> tuple[str, str]:
    """Insert news paragraphs about gambling/porn/pharma enforcement after an article paragraph, in the article's
    own script (Traditional on a Traditional Chinese page); half of such pages also get the story's headline as
    their `<h1>` and at the head of their `<title>`."""
    try:
        root = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return html, article
    index = article_index(article)
    anchors = [p for p in root.iter("p") if is_article_block(normalize_space(p.text_content()), index)]
    if not anchors:
        return html, article
    anchor = rng.choice(anchors)
    headline, paragraphs = enforcement_story(rng, lang, lang == "zh" and is_traditional(article))
    for paragraph in reversed(paragraphs):
        new = lxml.html.Element("p")
        new.text = paragraph
        anchor.addnext(new)
    story = "\n".join(paragraphs)
    anchor_text = normalize_space(anchor.text_content())
    position = article.find(anchor_text[-30:]) if anchor_text else -1
    if position >= 0:
        cut = position + len(anchor_text[-30:])
        article = article[:cut] + "\n" + story + article[cut:]
    else:
        article = article + "\n" + story
    title = root.find(".//title")
    if title is not None and rng.random() < TOPICAL_TITLE_SHARE:
        title.text = f"{headline} - {title.text or ''}".rstrip(" -")
        article = _with_headline(root, article, headline)
    return lxml.html.tostring(root, encoding="unicode"), article


def _with_headline(root, article: str, headline: str) -> str:
    """Make the page's first `<h1>` the story's headline (an honest title repeats the headline); the article
    text follows when it holds the old one."""
    h1 = root.find(".//h1")
    if h1 is None:
        return article
    old = normalize_space(h1.text_content())
    for child in list(h1):
        h1.remove(child)
    h1.text = headline
    return article.replace(old, headline, 1) if old else article

"""Assemble the clean article text from the blocks the model kept as content: steps after the model that each
change content/boilerplate calls for one reason (never a contamination label), then the text itself."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from lxml import etree

from detector.features import CTA_BINS, LEX_BINS, LEXC_BINS, SCRIPT_MISMATCH, literal_markup_share
from detector.segment import Block
from detector.settings import CONTAMINATION_LABELS
from detector.text import text_size, token_tuple
from detector.visibility import NOT_DISPLAYED

PROSE_KINDS = ("text", "line")
HEADING_TAGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
WRITTEN_URL_RE = re.compile(r"\s*(?:https?://|www\.)\S+\s*$", re.I)
"""Link text that is a web address written out: an article citing a source, not a menu label."""
SENTENCE_END_RE = re.compile(r"[.!?。！？…」』”\"]\s*$")
LITERAL_MARKUP_SHARE = 0.6
"""Text this much of which is literal tags is leaked markup, never article text."""
MAX_LINK_SHARE = 0.3
CLOSING_VOCABULARY_SHARE = 0.3
"""A closing sentence must share this much of its vocabulary with the article (trailing spam does not)."""
SUSPICION = 0.1
"""Contamination probability from which a block is never promoted to content."""
SHORT_ARTICLE_CHARS = 1000
"""Kept article text shorter than this is looked at again (the model missed the article, or most of it). This and
the lengths below but OUTSIDE_REGION_CHARS are `text_size`s: a Han, kana or Hangul character counts as three."""
SECOND_LOOK_CONTENT = 0.3
"""On that second look, prose the model gave at least this probability of content is kept too..."""
SECOND_LOOK_MIN_CHARS = 30
"""...when it is at least this long."""
LAST_RESORT_CHARS = 100
"""Under this many characters of kept text (a headline at most), the page's longest paragraph is kept."""
LAST_RESORT_MIN_CHARS = 150
"""The shortest paragraph the last resort keeps."""
LINK_LABEL_TOKENS = 8
"""A kept block this short, mostly link text and no sentence, is a tag, kicker or menu link, not article text."""
LINK_LABEL_SHARE = 0.5
"""The share of its text in links that makes a short block a link label."""
COMMENT_WORDS = frozenset(("comment", "comments"))
"""Class and id words of readers' comment sections."""
MAIN_REGION_SHARE = 0.75
"""The article's region is the deepest element holding this share of the kept text's characters..."""
OUTSIDE_REGION_CHARS = 150
"""...and kept text this short outside it (a teaser, a credit, a widget line) is not article text. Counted in
characters, not `text_size`: the step is also a safety net for keyword lines the model kept (a 79-character Chinese
gambling line counted as long slipped through)."""
MIN_REGION_BLOCKS = 2
"""A region holds at least this many kept blocks."""
FIGURE_TAGS = ("figure", "figcaption")
"""Elements whose text (captions, embedded quotes and posts) is not article text."""
SPAM_TERM_FEATURES = frozenset(LEX_BINS.names[1:] + LEXC_BINS.names[1:] + CTA_BINS.names[1:])
"""Features of a text holding spam-lexicon terms or calls to action (one hit or more): such text is never promoted
(boilerplate is how spam the model left unflagged stays out of the text)."""


def settle_content(
    blocks: list[Block], labels: list[str], content: Sequence[float], contamination: Sequence[float], fmt: str
) -> list[str]:
    """The final labels: text a style does not display, link labels and comment sections dropped, a second look at
    a short HTML article (and its longest paragraph when no more than a headline is kept), the gaps between content
    blocks closed, then short text outside the article's region and captions dropped."""
    labels = drop_comment_sections(blocks, drop_link_labels(blocks, drop_hidden_text(blocks, labels)))
    if fmt == "html":
        labels = recover_short_article(blocks, labels, content, contamination)
        labels = keep_longest_paragraph(blocks, labels, contamination)
    labels = fill_content_gaps(blocks, labels, contamination)
    if fmt == "html":
        labels = drop_figure_captions(blocks, drop_short_text_outside_region(blocks, labels))
    return labels


def never_content(block: Block) -> bool:
    """Structural blocks, title and meta, and text that is mostly literal markup are never article text."""
    if block.kind not in PROSE_KINDS:
        return True
    return "<" in block.text and literal_markup_share(block.text) >= LITERAL_MARKUP_SHARE


def fill_content_gaps(blocks: list[Block], labels: list[str], contamination: Sequence[float]) -> list[str]:
    """Relabel as content the prose between two content blocks, and a sentence that closes the article in the
    same container as its last paragraph (short last lines and quotes the model tends to drop), if it may be
    promoted at all (`_may_be_promoted`)."""
    prose = [
        i
        for i, (b, label) in enumerate(zip(blocks, labels))
        if b.kind in PROSE_KINDS and label not in CONTAMINATION_LABELS
    ]
    filled = list(labels)
    for position, index in enumerate(prose):
        if labels[index] != "boilerplate" or not _may_be_promoted(blocks[index], contamination[index]):
            continue
        before = prose[position - 1] if position > 0 else None
        after = prose[position + 1] if position + 1 < len(prose) else None
        if before is None or labels[before] != "content":
            continue
        if (after is not None and labels[after] == "content") or _closes_article(blocks[before], blocks[index]):
            filled[index] = "content"
    return filled


def recover_short_article(
    blocks: list[Block], labels: list[str], content: Sequence[float], contamination: Sequence[float]
) -> list[str]:
    """Under SHORT_ARTICLE_CHARS of kept text, also keep the plain prose in the page's writing system that the
    model thought possibly content and not at all suspicious (extractors fall back when they find too little),
    inside the region of the kept text, headings aside, when it has one (not a footer far from the article)."""
    if kept_chars(blocks, labels) >= SHORT_ARTICLE_CHARS:
        return labels
    region = article_region(blocks, _without_headings(blocks, labels))
    return [
        "content"
        if label == "boilerplate"
        and _deserves_second_look(block, p_content, p_dirty)
        and (region is None or block.element is None or _is_inside(block.element, region))
        else label
        for block, label, p_content, p_dirty in zip(blocks, labels, content, contamination)
    ]


def _without_headings(blocks: list[Block], labels: list[str]) -> list[str]:
    """The labels with the kept headings turned to boilerplate."""
    return [
        "boilerplate" if label == "content" and block.tag in HEADING_TAGS else label
        for block, label in zip(blocks, labels)
    ]


def keep_longest_paragraph(blocks: list[Block], labels: list[str], contamination: Sequence[float]) -> list[str]:
    """With no more than a headline kept, keep the page's longest paragraph that may be promoted, in the page's
    writing system (a last resort, as extractors have: the model gave every paragraph a low P(content))."""
    if kept_chars(blocks, labels) >= LAST_RESORT_CHARS:
        return labels
    candidates = [
        index
        for index, (block, label) in enumerate(zip(blocks, labels))
        if label == "boilerplate"
        and text_size(block.text) >= LAST_RESORT_MIN_CHARS
        and _may_fill_short_article(block, contamination[index])
    ]
    if not candidates:
        return labels
    longest = max(candidates, key=lambda index: text_size(blocks[index].text))
    return [*labels[:longest], "content", *labels[longest + 1 :]]


def kept_chars(blocks: list[Block], labels: list[str]) -> int:
    """Characters of the blocks labelled content, as `text_size` counts them (Chinese ones count more)."""
    return sum(text_size(block.text) for block, label in zip(blocks, labels) if label == "content")


def _deserves_second_look(block: Block, p_content: float, p_dirty: float) -> bool:
    """Text of some length, in the page's writing system, that the model thought possibly content and that may be
    promoted."""
    return (
        p_content >= SECOND_LOOK_CONTENT
        and text_size(block.text) >= SECOND_LOOK_MIN_CHARS
        and _may_fill_short_article(block, p_dirty)
    )


def _may_fill_short_article(block: Block, p_dirty: float) -> bool:
    """What may be promoted and is in the page's writing system: what the short-article steps may add."""
    return SCRIPT_MISMATCH not in block.features and _may_be_promoted(block, p_dirty)


def may_become_article(block: Block, p_dirty: float) -> bool:
    """Not at all suspicious, free of spam terms, and text that can be article text at all: what the article stage
    may turn from boilerplate into content."""
    return p_dirty < SUSPICION and SPAM_TERM_FEATURES.isdisjoint(block.features) and not never_content(block)


def _may_be_promoted(block: Block, p_dirty: float) -> bool:
    """What the article stage may promote, if also visible plain prose outside comment sections: what the steps
    may turn from boilerplate into content."""
    return may_become_article(block, p_dirty) and _is_plain_prose(block) and COMMENT_WORDS.isdisjoint(block.attr_tokens)


def drop_short_text_outside_region(blocks: list[Block], labels: list[str]) -> list[str]:
    """Relabel as boilerplate the short kept text, headings aside, outside the article's region (the deepest
    element holding MAIN_REGION_SHARE of the kept text and two kept blocks): teasers, credits and widget lines."""
    region = article_region(blocks, labels)
    if region is None:
        return labels
    return [
        "boilerplate"
        if label == "content"
        and len(block.text) <= OUTSIDE_REGION_CHARS
        and block.tag not in HEADING_TAGS
        and block.element is not None
        and not _is_inside(block.element, region)
        else label
        for block, label in zip(blocks, labels)
    ]


def article_region(blocks: list[Block], labels: list[str]) -> etree._Element | None:
    """The deepest element holding MAIN_REGION_SHARE of the characters of the kept text and at least two kept blocks
    (one long paragraph is no region; None when nothing is kept). The share is over half, so the elements holding
    it are nested in one another."""
    held: dict[etree._Element, int] = {}
    blocks_held: dict[etree._Element, int] = {}
    total = 0
    for block, label in zip(blocks, labels):
        if label != "content" or block.element is None:
            continue
        total += len(block.text)
        element = block.element
        while element is not None:
            held[element] = held.get(element, 0) + len(block.text)
            blocks_held[element] = blocks_held.get(element, 0) + 1
            element = element.getparent()
    holding = [
        element
        for element, chars in held.items()
        if chars >= MAIN_REGION_SHARE * total and blocks_held[element] >= MIN_REGION_BLOCKS
    ]
    return max(holding, key=_depth, default=None) if total else None


def _depth(element: etree._Element) -> int:
    """How many ancestors an element has."""
    return sum(1 for _ in element.iterancestors())


def _is_inside(element: etree._Element, region: etree._Element) -> bool:
    """Whether the element is the region or one of its descendants."""
    while element is not None:
        if element is region:
            return True
        element = element.getparent()
    return False


def drop_figure_captions(blocks: list[Block], labels: list[str]) -> list[str]:
    """Relabel as boilerplate the kept text of figures and their captions (`<figure>`, `<figcaption>`: captions,
    credits, embedded quotes and posts)."""
    return ["boilerplate" if label == "content" and _in_figure(b) else label for b, label in zip(blocks, labels)]


def _in_figure(block: Block) -> bool:
    """Whether the block stands in a figure or its caption."""
    element = block.element
    if element is None:
        return False
    return element.tag in FIGURE_TAGS or next(element.iterancestors(*FIGURE_TAGS), None) is not None


def drop_link_labels(blocks: list[Block], labels: list[str]) -> list[str]:
    """Relabel as boilerplate the short link labels kept as content (topic tags, section kickers, menu items)."""
    return ["boilerplate" if label == "content" and _is_link_label(b) else label for b, label in zip(blocks, labels)]


def _is_link_label(block: Block) -> bool:
    """A few words, mostly inside links, that end no sentence, head nothing and are no web address written out
    (a linked headline, and the link an article gives as `http://…`, stay)."""
    return (
        block.link_chars >= LINK_LABEL_SHARE * len(block.text)
        and block.tag not in HEADING_TAGS
        and len(token_tuple(block.text)) <= LINK_LABEL_TOKENS
        and not SENTENCE_END_RE.search(block.text)
        and not WRITTEN_URL_RE.match(block.text)
    )


def drop_comment_sections(blocks: list[Block], labels: list[str]) -> list[str]:
    """Relabel as boilerplate the kept text of readers' comments (a comment word in the containers' class or id),
    unless what is left would be too short for an article (`<div class="post has-comments">` holds it)."""
    return _drop_kept_unless_short(
        blocks, labels, lambda block: not COMMENT_WORDS.isdisjoint(block.attr_tokens), SHORT_ARTICLE_CHARS
    )


def drop_hidden_text(blocks: list[Block], labels: list[str]) -> list[str]:
    """Relabel as boilerplate the kept text that a `display:none` or `visibility:hidden` hides, inline or by a
    `<style>` rule (a hidden copy of the story, a print version), unless that would leave next to nothing: a story
    hidden whole sits in a tab or a "read more" box that a script opens. Not text hidden the other ways: off-screen,
    zero-size and transparent boxes also carry scroll-reveal and layout tricks around visible stories."""
    return _drop_kept_unless_short(blocks, labels, lambda block: block.hidden in NOT_DISPLAYED, LAST_RESORT_CHARS)


def _drop_kept_unless_short(
    blocks: list[Block], labels: list[str], drops: Callable[[Block], bool], min_chars: int
) -> list[str]:
    """Relabel as boilerplate the content blocks `drops` picks, unless fewer than `min_chars` of kept text would
    be left (then the labels stay as they are)."""
    picked = [index for index, (block, label) in enumerate(zip(blocks, labels)) if label == "content" and drops(block)]
    if not picked:
        return labels
    dropped = list(labels)
    for index in picked:
        dropped[index] = "boilerplate"
    return dropped if kept_chars(blocks, dropped) >= min_chars else labels


def _is_plain_prose(block: Block) -> bool:
    """Visible text that is not mostly links."""
    return not block.hidden and block.link_chars <= MAX_LINK_SHARE * len(block.text)


def _closes_article(last: Block, block: Block) -> bool:
    """A sentence on the article's topic right after its last paragraph, in the same container (or next line)."""
    if not SENTENCE_END_RE.search(block.text) or block.features.get("main_sim", 0.0) < CLOSING_VOCABULARY_SHARE:
        return False
    if block.lines is not None:
        return True
    if last.element is None or block.element is None:
        return False
    return last.element.getparent() is block.element.getparent()


def clean_text(blocks: list[Block], labels: list[str]) -> str:
    """Content blocks in page order, one paragraph a line, without immediate repeats."""
    paragraphs: list[str] = []
    for block, label in zip(blocks, labels):
        if label != "content" or block.kind not in PROSE_KINDS:
            continue
        if paragraphs and paragraphs[-1] == block.text:
            continue
        paragraphs.append(block.text)
    return "\n".join(paragraphs)

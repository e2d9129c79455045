"""Assemble the clean article text from the blocks the model kept as content."""

from __future__ import annotations

import re

from detector.segment import Block
from detector.settings import CONTAMINATION_LABELS
from detector.text import tokens

PROSE_KINDS = ("text", "line")
SENTENCE_END_RE = re.compile(r"[.!?。！？…」』”\"]\s*$")
MAX_LINK_SHARE = 0.3
CLOSING_VOCABULARY_SHARE = 0.3
"""A closing sentence must share this much of its vocabulary with the article (trailing spam does not)."""
SUSPICION = 0.1
"""Contamination probability from which a block is never promoted to content."""
SHORT_ARTICLE_CHARS = 1000
"""Kept article text shorter than this is looked at again (the model missed the article, or most of it)."""
SECOND_LOOK_CONTENT = 0.3
"""On that second look, prose the model gave at least this probability of content is kept too."""
SECOND_LOOK_MIN_CHARS = 30
LINK_LABEL_TOKENS = 8
"""A kept block this short, mostly link text and no sentence, is a tag, kicker or menu link, not article text."""
LINK_LABEL_SHARE = 0.5
COMMENT_WORDS = frozenset(("comment", "comments"))
COMMENTS_AT_MOST = 0.9
"""Comment sections are dropped unless they would take this share of the kept text (an article wrapper named for
its comments, not a comment section)."""


def fill_content_gaps(blocks: list[Block], labels: list[str], contamination) -> list[str]:
    """Relabel as content the prose between two content blocks, and a sentence that closes the article in the
    same container as its last paragraph (short last lines and quotes the model tends to drop), unless the
    model found it even a little suspicious."""
    prose = [
        i
        for i, (b, label) in enumerate(zip(blocks, labels))
        if b.kind in PROSE_KINDS and label not in CONTAMINATION_LABELS
    ]
    filled = list(labels)
    for position, index in enumerate(prose):
        suspicious = contamination[index] >= SUSPICION
        if labels[index] != "boilerplate" or suspicious or not _is_plain_prose(blocks[index]):
            continue
        before = prose[position - 1] if position > 0 else None
        after = prose[position + 1] if position + 1 < len(prose) else None
        if before is None or labels[before] != "content":
            continue
        if (after is not None and labels[after] == "content") or _closes_article(blocks[before], blocks[index]):
            filled[index] = "content"
    return filled


def recover_short_article(blocks: list[Block], labels: list[str], content, contamination) -> list[str]:
    """When the kept text of an HTML page is shorter than SHORT_ARTICLE_CHARS, also keep the plain prose the
    model thought possibly content (`content` >= SECOND_LOOK_CONTENT) and not at all suspicious, as extractors
    fall back when their first pass finds too little (in scraped text it would keep menu lines)."""
    kept = sum(len(b.text) for b, label in zip(blocks, labels) if label == "content" and b.kind in PROSE_KINDS)
    if kept >= SHORT_ARTICLE_CHARS:
        return labels
    return [
        "content" if label == "boilerplate" and _deserves_second_look(block, p_content, p_dirty) else label
        for block, label, p_content, p_dirty in zip(blocks, labels, content, contamination)
    ]


def _deserves_second_look(block: Block, content: float, contamination: float) -> bool:
    """Plain prose of some length that the model found possibly content and not suspicious."""
    return (
        block.kind in PROSE_KINDS
        and content >= SECOND_LOOK_CONTENT
        and contamination < SUSPICION
        and len(block.text) >= SECOND_LOOK_MIN_CHARS
        and _is_plain_prose(block)
    )


def drop_link_labels(blocks: list[Block], labels: list[str]) -> list[str]:
    """Relabel as boilerplate the short link labels kept as content (topic tags, section kickers, menu items)."""
    return [
        "boilerplate" if label == "content" and _is_link_label(block) else label for block, label in zip(blocks, labels)
    ]


def drop_comment_sections(blocks: list[Block], labels: list[str]) -> list[str]:
    """Relabel as boilerplate the kept text of readers' comments (a comment or comments class/id word among the
    block's containers), unless that would leave almost nothing of the article."""
    in_comments = [
        index
        for index, (block, label) in enumerate(zip(blocks, labels))
        if label == "content" and not COMMENT_WORDS.isdisjoint(block.attr_tokens)
    ]
    if not in_comments:
        return labels
    kept = sum(len(block.text) for block, label in zip(blocks, labels) if label == "content")
    if sum(len(blocks[index].text) for index in in_comments) > COMMENTS_AT_MOST * kept:
        return labels
    dropped = list(labels)
    for index in in_comments:
        dropped[index] = "boilerplate"
    return dropped


def _is_link_label(block: Block) -> bool:
    """A few words, mostly inside links, that end no sentence."""
    return (
        block.link_chars >= LINK_LABEL_SHARE * len(block.text)
        and len(tokens(block.text)) <= LINK_LABEL_TOKENS
        and not SENTENCE_END_RE.search(block.text)
    )


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

"""Assemble the clean article text from the blocks the model kept as content."""

from __future__ import annotations

import re

from detector.segment import Block
from detector.settings import CONTAMINATION_LABELS

PROSE_KINDS = ("text", "line")
SENTENCE_END_RE = re.compile(r"[.!?。！？…」』”\"]\s*$")
MAX_LINK_SHARE = 0.3
CLOSING_VOCABULARY_SHARE = 0.3
"""A closing sentence must share this much of its vocabulary with the article (trailing spam does not)."""
SUSPICION = 0.1
"""Contamination probability from which a block is never promoted to content."""


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

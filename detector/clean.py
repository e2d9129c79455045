"""Assemble the clean article text from the blocks the model kept as content."""

from __future__ import annotations

from detector.segment import Block

PROSE_KINDS = ("text", "line")


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

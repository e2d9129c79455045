"""Gold labels for blocks: content from the ground-truth article text, tag-noise and spam from what the
contamination generator says it injected."""

from __future__ import annotations

from collections.abc import Iterable

from detector.segment import Block
from detector.text import normalize_space, tokens

SHINGLE = 3
CONTENT_COVERAGE = 0.5
INJECTED_SHARE = 0.4


def article_index(article: str) -> tuple[set, str]:
    """Token shingles and the whitespace-free text of an article, for fast membership tests."""
    toks = tokens(article)
    grams = {tuple(toks[i : i + SHINGLE]) for i in range(max(len(toks) - SHINGLE + 1, 0))}
    return grams, "".join(article.split()).lower()


def is_article_block(text: str, index: tuple[set, str]) -> bool:
    """A block belongs to the article when most of its shingles (or, if short, its text) occur there."""
    grams, flat = index
    toks = tokens(text)
    if len(toks) < SHINGLE:
        compact = "".join(text.split()).lower()
        return len(compact) >= 4 and compact in flat
    block_grams = [tuple(toks[i : i + SHINGLE]) for i in range(len(toks) - SHINGLE + 1)]
    return sum(g in grams for g in block_grams) / len(block_grams) >= CONTENT_COVERAGE


def injected_label(block: Block, texts: Iterable[str], ids: Iterable[str], markups: Iterable[str]) -> str | None:
    """'tag-noise' or 'spam' when the block is made of injected material, else None."""
    ids = [i for i in ids if i]
    if block.kind == "markup":
        if any(i in block.run_ids for i in ids) or any(block.text[:60] in m for m in markups if m):
            return "tag-noise"
        return None
    if block.kind == "script":
        return "tag-noise" if any(block.text[:80] in normalize_space(m) for m in markups if m) else None
    if any(f'"{i}"' in block.text or f"={i}" in block.text for i in ids):
        return "tag-noise"
    covered = _covered_chars(block.text, texts)
    if covered >= INJECTED_SHARE * len(block.text):
        return "spam"
    return None


def _covered_chars(text: str, texts: Iterable[str]) -> int:
    """How many characters of `text` come from the injected strings."""
    covered = 0
    for injected in texts:
        injected = normalize_space(injected)
        if not injected:
            continue
        if injected in text:
            covered += len(injected) * text.count(injected)
        elif len(text) >= 8 and text in injected:
            return len(text)
    return covered


def gold_labels(blocks: list[Block], article: str | None, texts=(), ids=(), markups=()) -> list[str | None]:
    """Label every block; None where the truth is unknown (no article given and the block was not injected)."""
    index = article_index(article) if article else None
    labels: list[str | None] = []
    for block in blocks:
        label = injected_label(block, texts, ids, markups)
        if label is None and (block.is_structural() or block.kind in ("title", "meta")):
            label = "boilerplate"
        elif label is None and index is not None:
            label = "content" if is_article_block(block.text, index) else "boilerplate"
        labels.append(label)
    return labels

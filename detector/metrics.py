"""Clean-text quality as the article-extraction benchmark measures it: 4-token shingle F1."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from detector.text import tokens

SHINGLE_SIZE = 4


def shingles(text: str, size: int = SHINGLE_SIZE) -> Counter:
    """Multiset of `size`-token shingles (a text shorter than `size` tokens is one shingle)."""
    toks = tokens(text)
    if len(toks) < size:
        return Counter([tuple(toks)]) if toks else Counter()
    return Counter(tuple(toks[i : i + size]) for i in range(len(toks) - size + 1))


def page_prf(predicted: str, truth: str) -> tuple[float, float]:
    """Per-page precision and recall of predicted text against the ground truth, over shingle multisets."""
    pred, gold = shingles(predicted), shingles(truth)
    tp = sum((pred & gold).values())
    fp = sum(pred.values()) - tp
    fn = sum(gold.values()) - tp
    if not pred and not gold:
        return 1.0, 1.0
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall


@dataclass
class ShingleScore:
    """Precision and recall averaged over pages, and F1 as the harmonic mean of the two averages."""

    precision: float
    recall: float
    f1: float
    pages: int


def corpus_f1(pairs: Iterable[tuple[str, str]]) -> ShingleScore:
    """Benchmark F1 over `(predicted, truth)` pairs."""
    precisions, recalls = [], []
    for predicted, truth in pairs:
        precision, recall = page_prf(predicted, truth)
        precisions.append(precision)
        recalls.append(recall)
    if not precisions:
        return ShingleScore(0.0, 0.0, 0.0, 0)
    p, r = sum(precisions) / len(precisions), sum(recalls) / len(recalls)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return ShingleScore(p, r, f1, len(precisions))

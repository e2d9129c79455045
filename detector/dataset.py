"""Labelled pages -> labelled block rows, through exactly the segmentation and features used for scoring."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction import FeatureHasher

from detector.errors import InputError
from detector.features import featurize_page
from detector.labels import gold_labels
from detector.score import read_page, segment_page
from detector.settings import LABELS, N_HASHED_FEATURES

HASHER = FeatureHasher(n_features=N_HASHED_FEATURES, input_type="dict", alternate_sign=False)
TEST_SITE_SHARE = 0.2
LEXICON_KEYS = ("lex=", "lexc=", "cta=", "prev:lex=", "prev:lexc=", "next:lex=", "next:lexc=")
WORD_KEYS = ("w=",)


@dataclass
class LabelledPage:
    """A page with what is known about it: the article text and what was injected."""

    data: bytes | str
    fmt: str
    url: str | None
    article: str | None
    site: str
    group: str
    texts: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    markups: list[str] = field(default_factory=list)
    families: list[str] = field(default_factory=list)
    weight: float = 1.0
    source: str | None = None
    """The page its copies were made from (`corpus/page id`), when it has no URL to tell them by."""
    lexicon: bool = True
    """False on the training pages whose blocks are featurized as if the lexicon knew none of their words."""
    words: bool = True
    """False on the training pages featurized without hashed words, so that shape features learn on their own."""

    @property
    def contaminated(self) -> bool:
        """True when anything was injected into (or labelled as contamination in) the page."""
        return bool(self.texts or self.ids or self.markups)


@dataclass
class BlockRows:
    """Hashed features, labels and bookkeeping of many blocks."""

    X: sp.csr_matrix
    y: np.ndarray
    weights: np.ndarray
    groups: np.ndarray

    @classmethod
    def concat(cls, parts: Iterable[BlockRows]) -> BlockRows:
        """Stack several row sets."""
        parts = [p for p in parts if p.X.shape[0]]
        if not parts:
            return cls(sp.csr_matrix((0, N_HASHED_FEATURES)), np.array([]), np.array([]), np.array([]))
        return cls(
            sp.vstack([p.X for p in parts]).tocsr(),
            np.concatenate([p.y for p in parts]),
            np.concatenate([p.weights for p in parts]),
            np.concatenate([p.groups for p in parts]),
        )


def is_test_site(site: str) -> bool:
    """Stable site-level split: about 20% of sites are held out, whatever the page."""
    digest = hashlib.sha1(site.encode("utf-8")).digest()
    return digest[0] / 256 < TEST_SITE_SHARE


def page_rows(page: LabelledPage) -> tuple[list[dict], list[str | None]]:
    """Feature dicts and gold labels of one page's blocks."""
    text, fmt, _ = read_page(page.data, page.fmt)
    blocks, title, domain, _ = segment_page(text, fmt, page.url)
    rows = featurize_page(blocks, domain, title, fmt)
    dropped = (LEXICON_KEYS if not page.lexicon else ()) + (WORD_KEYS if not page.words else ())
    if dropped:
        rows = [without_keys(row, dropped) for row in rows]
    return rows, gold_labels(blocks, page.article, page.texts, page.ids, page.markups)


def without_keys(row: dict, prefixes: tuple[str, ...]) -> dict:
    """A feature row without the features of the given prefixes (lexicon hits, hashed words: feature dropout)."""
    return {key: value for key, value in row.items() if not key.startswith(prefixes)}


def rows_of_page(page: LabelledPage) -> BlockRows:
    """Hashed, labelled rows of one page; blocks of unknown label are left out; unreadable pages give none."""
    try:
        rows, labels = page_rows(page)
    except InputError:
        rows, labels = [], []
    return labelled_rows(rows, labels, page)


def labelled_rows(rows: list[dict], labels: list[str | None], page: LabelledPage) -> BlockRows:
    """Hash the feature dicts of the blocks that have a label, with the page's weight and group."""
    keep = [i for i, label in enumerate(labels) if label in LABELS]
    X = HASHER.transform([rows[i] for i in keep]) if keep else sp.csr_matrix((0, N_HASHED_FEATURES))
    return BlockRows(
        X.astype(np.float32),
        np.array([labels[i] for i in keep], dtype=object),
        np.full(len(keep), page.weight, dtype=np.float32),
        np.array([page.group] * len(keep), dtype=object),
    )


def rows_of_pages(pages: Iterable[LabelledPage], workers: int = 1) -> BlockRows:
    """Rows of many pages, featurized over `workers` processes."""
    if workers <= 1:
        return BlockRows.concat(rows_of_page(p) for p in pages)
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return BlockRows.concat(pool.imap(rows_of_page, pages, chunksize=8))

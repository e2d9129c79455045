"""Which prose blocks of a page are its article: a second stage after the block classifier.

The block classifier judges each block by its own features and a glimpse of its two neighbours. This stage reads
the page's layout around a block as well: the classifier's P(content) over a window of blocks, how far the
nearest confident article paragraph stands, how much of the page's text and of the classifier's article its
grandparent holds (HTML), how many siblings of the same tag it has (a list of teasers), its length against the
page's longest. 100 gradient-boosted trees of depth 3 (`HistGradientBoostingClassifier`) weigh these, one model
for HTML pages and one for scraped text (whole-page dumps and article text), trained on the block classifier's
own training pages, clean and contaminated. It only moves blocks between content and boilerplate: contamination
labels, page scores and flags are the block classifier's alone."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

from detector.clean import HEADING_TAGS, PROSE_KINDS, SENTENCE_END_RE, may_become_article
from detector.segment import Block
from detector.settings import RANDOM_STATE

FORMATS = ("html", "text")
"""The page formats the stage has a model for."""
ARTICLE_THRESHOLD = 0.5
"""P(article) from which a prose block is article text."""
WINDOW = 5
"""Blocks on each side whose P(content) a block sees."""
CONFIDENT_CONTENT = 0.9
"""P(content) of the paragraphs a block measures its distance to."""
MAX_DISTANCE = 20
"""The distance a block reports when no paragraph is that confident, and the most any block reports."""
TREE_DEPTH = 3
"""Depth of the trees: shallow trees weigh the layout; deep ones learnt the training sites."""
TAG_COLUMNS = ("p", "div", "li", "td", "h1", "h2", "h3", "span", "a", "dd", "th", "option", "blockquote", "section")
FEATURE_NAMES = (
    "p_content",
    "p_contamination",
    "log_chars",
    "log_chars_vs_longest",
    "link_density",
    "links",
    "prev_p_content",
    "next_p_content",
    "prev2_p_content",
    "next2_p_content",
    "prev_log_chars",
    "next_log_chars",
    "window_max_p_content",
    "window_mean_p_content",
    "window_content_blocks",
    "distance_to_confident_content",
    "position",
    "chars_before_share",
    "grandparent_chars_share",
    "grandparent_blocks",
    "grandparent_p_content",
    "grandparent_link_density",
    "grandparent_sentence_share",
    "grandparent_content_share",
    "same_tag_siblings",
    "same_tag_sibling_chars_vs_own",
    "log_page_chars",
    "hidden",
    "ends_sentence",
    "classifier_says_content",
    "main_vocabulary_share",
    "in_main_container",
    "before_or_after_main",
    "heading",
    *(f"tag={tag}" for tag in TAG_COLUMNS),
)


def build_article_model() -> HistGradientBoostingClassifier:
    """The second stage's estimator: shallow boosted trees, no early stopping (whose validation split would cut
    across sites and pages), fixed seed."""
    return HistGradientBoostingClassifier(
        max_iter=100,
        learning_rate=0.3,
        max_depth=TREE_DEPTH,
        max_leaf_nodes=2**TREE_DEPTH,
        min_samples_leaf=100,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=RANDOM_STATE,
    )


def article_rows(
    blocks: list[Block], labels: Sequence[str], content: Sequence[float], contamination: Sequence[float]
) -> tuple[np.ndarray, list[int]]:
    """The features (`FEATURE_NAMES`) of every prose block of a page (text blocks of HTML, lines of scraped text,
    whose element features are 0), and the blocks' indexes; `labels` are the block classifier's
    content/boilerplate calls."""
    at = [index for index, block in enumerate(blocks) if block.kind in PROSE_KINDS]
    if not at:
        return np.zeros((0, len(FEATURE_NAMES))), at
    prose = [blocks[index] for index in at]
    chars = np.array([len(block.text) for block in prose], dtype=np.float64)
    p = np.asarray(content, dtype=np.float64)[at]
    kept = np.array([labels[index] == "content" for index in at])
    sentences = np.array([bool(SENTENCE_END_RE.search(block.text)) for block in prose])
    link_chars = np.array([block.link_chars for block in prose], dtype=np.float64)
    log_chars = np.log1p(chars)
    total = chars.sum() or 1.0
    parents = [_parent(block.element) for block in prose]
    grandparents = _group_sums(
        [_parent(parent) for parent in parents],
        [chars, np.ones(len(at)), p * chars, link_chars, sentences, chars * kept],
    )
    siblings = _group_sums(
        [(parent, block.tag) if parent is not None else None for parent, block in zip(parents, prose)],
        [np.ones(len(at)), chars],
    )
    features = [block.features for block in prose]
    columns = [
        p,
        np.asarray(contamination, dtype=np.float64)[at],
        log_chars,
        log_chars / (log_chars.max() or 1.0),
        link_chars / np.maximum(chars, 1),
        [block.n_links for block in prose],
        *(_shifted(p, offset) for offset in (-1, 1, -2, 2)),
        _shifted(log_chars, -1),
        _shifted(log_chars, 1),
        *_window_figures(p),
        _distance_to(np.flatnonzero(p >= CONFIDENT_CONTENT), len(at)),
        np.arange(len(at)) / len(at),
        (np.cumsum(chars) - chars) / total,
        grandparents[0] / total,
        grandparents[1],
        grandparents[2] / np.maximum(grandparents[0], 1),
        grandparents[3] / np.maximum(grandparents[0], 1),
        grandparents[4] / np.maximum(grandparents[1], 1),
        grandparents[5] / (float(chars[kept].sum()) or 1.0),
        siblings[0],
        siblings[1] / np.maximum(siblings[0], 1) / np.maximum(chars, 1),
        np.full(len(at), math.log1p(total)),
        [1.0 if block.hidden else 0.0 for block in prose],
        sentences,
        kept,
        [found.get("main_sim", 0.0) for found in features],
        [1.0 if "in_main" in found else 0.0 if "out_main" in found else -1.0 for found in features],
        [1.0 if "pos_before" in found else 2.0 if "pos_after" in found else 0.0 for found in features],
        [block.tag in HEADING_TAGS for block in prose],
    ]
    tags = np.array([block.tag for block in prose])
    return np.column_stack([*columns, tags[:, None] == np.array(TAG_COLUMNS)]).astype(np.float64), at


def _parent(element):
    """An element's parent (None for None)."""
    return element.getparent() if element is not None else None


def _group_sums(keys: list, values: list[np.ndarray]) -> list[np.ndarray]:
    """For each row, the sums of `values` over the rows of its group (rows of the same key); 0 for key None."""
    numbers: dict = {None: 0}
    index = np.array([numbers.setdefault(key, len(numbers)) for key in keys])
    sums = []
    for value in values:
        per_group = np.bincount(index, weights=np.asarray(value, dtype=np.float64), minlength=len(numbers))
        per_group[0] = 0.0
        sums.append(per_group[index])
    return sums


def _shifted(values: np.ndarray, offset: int) -> np.ndarray:
    """`values[i + offset]` for every i, -1 where that falls outside."""
    shifted = np.full(len(values), -1.0)
    if offset < 0:
        shifted[-offset:] = values[:offset]
    else:
        shifted[: len(values) - offset] = values[offset:]
    return shifted


def _window_figures(p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Over the WINDOW blocks on each side of every block (itself left out): the highest P(content), the mean and
    how many reach 0.5 (-1, -1, 0 with no neighbour)."""
    padded = np.concatenate((np.full(WINDOW, np.nan), p, np.full(WINDOW, np.nan)))
    around = np.delete(np.lib.stride_tricks.sliding_window_view(padded, 2 * WINDOW + 1), WINDOW, axis=1)
    present = ~np.isnan(around)
    count = present.sum(axis=1)
    filled = np.where(present, around, 0.0)
    highest = np.where(count > 0, np.where(present, around, -1.0).max(axis=1), -1.0)
    mean = np.where(count > 0, filled.sum(axis=1) / np.maximum(count, 1), -1.0)
    return highest, mean, (filled >= 0.5).sum(axis=1)


def _distance_to(targets: np.ndarray, n: int) -> np.ndarray:
    """Each position's distance to the nearest of `targets` (sorted positions), at most MAX_DISTANCE."""
    if not len(targets):
        return np.full(n, float(MAX_DISTANCE))
    positions = np.arange(n)
    after = np.searchsorted(targets, positions)
    right = np.abs(targets[np.minimum(after, len(targets) - 1)] - positions)
    left = np.abs(positions - targets[np.maximum(after - 1, 0)])
    return np.minimum(np.minimum(left, right), MAX_DISTANCE).astype(np.float64)


class ArticleModel:
    """A fitted second stage, one estimator per page format: P(article) of prose blocks, from its trees' split
    tables (the estimator's own `predict_proba` for estimators whose trees cannot be read)."""

    def __init__(self, estimators: dict[str, HistGradientBoostingClassifier]) -> None:
        self.estimators = estimators
        self.trees = {fmt: _TreeTables.of(estimator) for fmt, estimator in estimators.items()}

    def probabilities(self, rows: np.ndarray, fmt: str) -> np.ndarray:
        """P(article) of each row of a page in format `fmt`."""
        if not len(rows):
            return np.zeros(0)
        trees = self.trees[fmt]
        if trees is None:
            return self.estimators[fmt].predict_proba(rows)[:, 1]
        return trees.probabilities(rows)

    def relabel(
        self,
        blocks: list[Block],
        labels: list[str],
        content: Sequence[float],
        contamination: Sequence[float],
        fmt: str,
    ) -> list[str]:
        """The classifier's content/boilerplate calls of a page's prose blocks, revised: a block becomes
        boilerplate below ARTICLE_THRESHOLD, and content above it if it may (`may_become_article`)."""
        rows, at = article_rows(blocks, labels, content, contamination)
        revised = list(labels)
        for index, probability in zip(at, self.probabilities(rows, fmt).tolist()):
            if probability < ARTICLE_THRESHOLD:
                if labels[index] == "content":
                    revised[index] = "boilerplate"
            elif labels[index] == "boilerplate" and may_become_article(blocks[index], contamination[index]):
                revised[index] = "content"
        return revised


class _TreeTables:
    """All trees of a binary boosted model of depth TREE_DEPTH or less, each laid out as a complete binary tree
    (node k's children at 2k+1 and 2k+2; a leaf above the last level passes every row on to the left): every
    split of every tree is tested for every row at once, then each row walks down each tree."""

    CHUNK_ROWS = 2000
    """Rows walked at once (the split tests of a chunk take trees × 7 × rows values)."""

    def __init__(
        self, baseline: float, features: np.ndarray, thresholds: np.ndarray, nan_left: np.ndarray, leaves: np.ndarray
    ) -> None:
        self.baseline = baseline
        self.features, self.thresholds, self.nan_left, self.leaves = features, thresholds, nan_left, leaves

    @classmethod
    def of(cls, estimator: HistGradientBoostingClassifier) -> _TreeTables | None:
        """The tables of a fitted binary model of numeric splits no deeper than TREE_DEPTH; None for other models."""
        try:
            nodes = [trees[0].nodes for trees in estimator._predictors]
            baseline = float(np.ravel(estimator._baseline_prediction)[0])
        except (AttributeError, IndexError, TypeError):
            return None
        if len(estimator.classes_) != 2 or any(
            n["is_categorical"].any() or n["depth"].max() > TREE_DEPTH for n in nodes
        ):
            return None
        splits = 2**TREE_DEPTH - 1
        features = np.zeros((len(nodes), splits), dtype=np.intp)
        thresholds = np.full((len(nodes), splits), np.inf)
        nan_left = np.ones((len(nodes), splits), dtype=bool)
        leaves = np.zeros((len(nodes), splits + 1))
        for tree, tree_nodes in enumerate(nodes):
            cls._lay_out(tree_nodes, 0, 0, (features[tree], thresholds[tree], nan_left[tree], leaves[tree]))
        return cls(baseline, features, thresholds, nan_left, leaves)

    @classmethod
    def _lay_out(cls, nodes, node: int, slot: int, tables: tuple) -> None:
        """Write the subtree under `node` into one tree's tables (features, thresholds, which way a missing value
        goes, leaf values) from `slot` on."""
        features, thresholds, nan_left, leaves = tables
        splits = len(features)
        if slot >= splits:
            leaves[slot - splits] = nodes[node]["value"]
            return
        if not nodes[node]["is_leaf"]:
            features[slot], thresholds[slot] = nodes[node]["feature_idx"], nodes[node]["num_threshold"]
            nan_left[slot] = nodes[node]["missing_go_to_left"]
            left, right = nodes[node]["left"], nodes[node]["right"]
        else:
            left = right = node  # passes on to the left; the right side is filled alike and never reached
        cls._lay_out(nodes, left, 2 * slot + 1, tables)
        cls._lay_out(nodes, right, 2 * slot + 2, tables)

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """Sigmoid of the baseline plus every tree's leaf value, CHUNK_ROWS rows at a time."""
        return np.concatenate(
            [
                self._chunk_probabilities(rows[start : start + self.CHUNK_ROWS])
                for start in range(0, len(rows), self.CHUNK_ROWS)
            ]
        )

    def _chunk_probabilities(self, rows: np.ndarray) -> np.ndarray:
        """`probabilities` of a few rows: a missing value goes the way its split sends missing values."""
        n_trees, splits = self.features.shape
        n_rows = len(rows)
        values = rows.T.take(self.features.ravel(), axis=0)
        goes_left = values <= self.thresholds.reshape(-1, 1)
        missing = np.isnan(values)
        if missing.any():
            goes_left |= missing & self.nan_left.reshape(-1, 1)
        goes_left = goes_left.ravel()
        first_split = (np.arange(n_trees) * splits)[:, None]
        slot = np.zeros((n_trees, n_rows), dtype=np.intp)
        for _ in range(TREE_DEPTH):
            slot = 2 * slot + 2 - goes_left[(first_split + slot) * n_rows + np.arange(n_rows)]
        first_leaf = (np.arange(n_trees) * (splits + 1))[:, None]
        raw = self.baseline + self.leaves.ravel()[first_leaf + slot - splits].sum(axis=0)
        return 1.0 / (1.0 + np.exp(-raw))

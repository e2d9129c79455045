"""Classify a page's blocks: class probabilities from their features, as the model's pipeline computes them.

The shipped pipeline hashes each block's whole feature dict (own features, hashed words, and what it sees of
its neighbours) and applies a multinomial logistic regression: linear scores, then a softmax. A linear score is
a sum over features, so a block's score is its own features' weights plus the weights its neighbours' features
carry under their `prev:`/`next:` names. Scoring adds those up from a table of each feature name's weights in
all three roles (filled once per name, bounded), instead of merging every block's neighbours into its dict and
hashing the lot: the same probabilities (to rounding), several times cheaper. Hashed words, which only their
own block sees and whose vocabulary has no end, are hashed page by page as before. Other pipelines get the
joined dicts.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
from sklearn.feature_extraction import FeatureHasher
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from detector.features import NO_FOLLOWING, NO_PREVIOUS, PageFeatures, joined_rows, neighbour_names

MAX_TABLE_NAMES = 50_000
"""Feature names whose weights are kept; past this the table starts afresh (a few thousand names fill it on real
pages, but invented tag names are unbounded), so memory stays flat."""


def block_classifier(pipeline: Pipeline) -> Callable[[PageFeatures], np.ndarray]:
    """A function from a page's features to its blocks' class probabilities (rows: blocks, columns: classes)."""
    hasher, classifier = pipeline.steps[0][1], pipeline.steps[-1][1]
    if len(pipeline.steps) == 2 and isinstance(hasher, FeatureHasher) and _is_multinomial(classifier):
        return _SummedLinearScores(pipeline)
    return _pipeline_probabilities(pipeline)


def _pipeline_probabilities(pipeline: Pipeline) -> Callable[[PageFeatures], np.ndarray]:
    """The pipeline's own `predict_proba` of the page's joined rows."""
    return lambda page: pipeline.predict_proba(joined_rows(page))


def _is_multinomial(classifier: object) -> bool:
    """True for a logistic regression whose probabilities are one softmax over all classes (not one-vs-rest)."""
    if not isinstance(classifier, LogisticRegression):
        return False
    one_vs_rest = classifier.solver == "liblinear" or getattr(classifier, "multi_class", "auto") == "ovr"
    return len(classifier.classes_) > 2 and not one_vs_rest


class _SummedLinearScores:
    """Softmax of linear scores summed from a table of feature-name weights (own, as seen by the previous block,
    as seen by the next block)."""

    def __init__(self, pipeline: Pipeline) -> None:
        hasher, classifier = pipeline.steps[0][1], pipeline.steps[-1][1]
        self.hasher = hasher
        self.by_pipeline = _pipeline_probabilities(pipeline)
        self.weights = np.ascontiguousarray(classifier.coef_.T, dtype=np.float64)
        self.intercept = np.asarray(classifier.intercept_, dtype=np.float64)
        self.n_classes = len(classifier.classes_)
        self.start_scores = self._weights_of([next(iter(NO_PREVIOUS))])[0]
        self.end_scores = self._weights_of([next(iter(NO_FOLLOWING))])[0]
        self.lock = threading.Lock()
        self._clear()

    def __call__(self, page: PageFeatures) -> np.ndarray:
        """Class probabilities of every block of the page."""
        if not page.shapes:
            return np.zeros((0, self.n_classes))
        if not all(page.shapes):
            return self.by_pipeline(page)  # a block without own features: the per-block sums below need one
        names, values, starts = [], [], []
        for shape in page.shapes:
            starts.append(len(names))
            names += shape
            values += shape.values()
        weighted = self._weights_in_table(names)
        weighted *= np.asarray(values)[:, None]
        sums = np.add.reduceat(weighted, starts, axis=0)
        k = self.n_classes
        scores = sums[:, :k] + np.asarray(self.hasher.transform(page.words) @ self.weights) + self.intercept
        scores[:-1] += sums[1:, 2 * k :]
        scores[1:] += sums[:-1, k : 2 * k]
        scores[0] += self.start_scores
        scores[-1] += self.end_scores
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return scores

    def _weights_in_table(self, names: list[str]) -> np.ndarray:
        """A copy of the table rows of these names, in their order. Locked: threads sharing a scorer must not
        grow or empty the table while another one reads or grows it."""
        with self.lock:
            rows = self._rows_of(names)
            return self.table.take(rows, axis=0)

    def _rows_of(self, names: list[str]) -> list[int]:
        """Table rows of feature names, adding the names not yet in the table."""
        rows = list(map(self.rows.get, names))
        if None in rows:
            missing = list(dict.fromkeys(name for name, row in zip(names, rows) if row is None))
            if len(self.rows) + len(missing) > MAX_TABLE_NAMES:
                self._clear()
                missing = list(dict.fromkeys(names))
            self._add(missing)
            rows = list(map(self.rows.get, names))
        return rows

    def _clear(self) -> None:
        """Start an empty table."""
        self.rows: dict[str, int] = {}
        self.table = np.zeros((0, 3 * self.n_classes))

    def _add(self, names: list[str]) -> None:
        """Add names to the table: each one's weights as its own, as `prev:` (seen by the next block) and as
        `next:` (seen by the previous block); zero where neighbours don't see it. Rows past the table's end are
        spare room (the table doubles when full)."""
        k, used = self.n_classes, len(self.rows)
        if used + len(names) > len(self.table):
            grown = np.zeros((max(2 * len(self.table), used + len(names), 1024), 3 * k))
            grown[:used] = self.table[:used]
            self.table = grown
        added = self.table[used : used + len(names)]
        added[:, :k] = self._weights_of(names)
        seen = [(at, pair) for at, pair in enumerate(map(neighbour_names, names)) if pair]
        if seen:
            ats = [at for at, _ in seen]
            added[ats, k : 2 * k] = self._weights_of([pair[1] for _, pair in seen])
            added[ats, 2 * k :] = self._weights_of([pair[0] for _, pair in seen])
        self.rows.update(zip(names, range(used, used + len(names))))

    def _weights_of(self, names: list[str]) -> np.ndarray:
        """The weights of these names (one row per name): their hashed column's, times the sign the hasher
        gives them."""
        hashed = self.hasher.transform([{name: 1.0} for name in names])
        return self.weights[hashed.indices] * hashed.data[:, None]

"""Adaptation changes only what the new rows speak to, and learns them."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from detector.adapt import adapt, one_hot
from detector.dataset import BlockRows
from detector.retrain import load_base, user_rows, weighted_user_rows
from detector.samples import load_samples


def cross_entropy(pipeline, rows: BlockRows) -> float:
    """Mean cross-entropy of a pipeline's classifier on labelled rows."""
    classifier = pipeline.named_steps["classify"]
    probabilities = classifier.predict_proba(rows.X)
    targets = one_hot(rows.y, list(classifier.classes_))
    return float(-(np.log(probabilities + 1e-12) * targets).sum(axis=1).mean())


def test_adapting_changes_only_the_new_rows_features(small_model: Path, story_files):
    base = load_base(small_model)
    pages = load_samples([story_files["test"]])
    new, _ = weighted_user_rows(user_rows(pages, base.model.pipeline)[0], base)
    adapted = adapt(base.model.pipeline, base.rows, new)
    before, after = base.model.pipeline.named_steps["classify"], adapted.named_steps["classify"]
    touched = np.zeros(before.coef_.shape[1], dtype=bool)
    touched[np.unique(new.X.tocsr().indices)] = True
    assert np.array_equal(before.coef_[:, ~touched], after.coef_[:, ~touched])
    assert not np.array_equal(before.coef_[:, touched], after.coef_[:, touched])
    assert np.array_equal(before.intercept_, after.intercept_)
    assert cross_entropy(adapted, new) < cross_entropy(base.model.pipeline, new)
    assert adapted is not base.model.pipeline and list(after.classes_) == list(before.classes_)

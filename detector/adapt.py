"""Adapt a trained block classifier to newly labelled rows without forgetting what it knew.

The new coefficients start at the base model's, and only those of features present in the new rows may
change. The base's own training rows take part with the base model's probabilities as targets, so they hold
the model where it was; and each weight's change is penalised in proportion to how common its feature is in
the base rows (an elastic-weight-consolidation style prior): new vocabulary and new cues move freely, cues
that are everywhere (position, length, tag) only with strong evidence.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize
from scipy.special import logsumexp
from sklearn.pipeline import Pipeline

from detector.dataset import BlockRows

STIFFNESS = 10000.0
"""How much harder it is to move the weight of a feature present in every base row than of one never seen."""
MAX_ITERATIONS = 500


@dataclass
class Problem:
    """The adaptation as an optimisation over the weight changes of the active columns."""

    X: sp.csr_matrix
    offset: np.ndarray
    targets: np.ndarray
    weights: np.ndarray
    precision: np.ndarray

    def objective(self, flat: np.ndarray) -> tuple[float, np.ndarray]:
        """Weighted cross-entropy against the targets plus the stiffness prior; value and gradient."""
        delta = flat.reshape(self.offset.shape[1], self.X.shape[1])
        logits = self.offset + np.asarray(self.X @ delta.T)
        log_p = logits - logsumexp(logits, axis=1, keepdims=True)
        loss = -float((self.weights * (log_p * self.targets).sum(axis=1)).sum())
        residual = (np.exp(log_p) - self.targets) * self.weights[:, None]
        gradient = np.asarray((self.X.T @ residual).T) + delta * self.precision
        return loss + 0.5 * float((delta * delta * self.precision).sum()), gradient.ravel()


def adapt(pipeline: Pipeline, base: BlockRows, new: BlockRows, on_iteration: Callable | None = None) -> Pipeline:
    """A copy of `pipeline` whose classifier has learnt the labelled `new` rows, anchored by the `base` rows."""
    classifier = pipeline.named_steps["classify"]
    columns = np.unique(new.X.tocsr().indices)
    both = BlockRows.concat([base, new])
    X = both.X.tocsr().astype(np.float64)
    problem = Problem(
        X=X[:, columns],
        offset=classifier.decision_function(X),
        targets=np.vstack([classifier.predict_proba(base.X), one_hot(new.y, list(classifier.classes_))]),
        weights=both.weights.astype(np.float64),
        precision=1.0 + STIFFNESS * feature_share(base, columns),
    )
    start = np.zeros(len(classifier.classes_) * len(columns))
    options = {"maxiter": MAX_ITERATIONS}
    found = minimize(problem.objective, start, jac=True, method="L-BFGS-B", options=options, callback=on_iteration)
    adapted = copy.deepcopy(pipeline)
    coef = adapted.named_steps["classify"].coef_
    coef[:, columns] += found.x.reshape(len(classifier.classes_), len(columns))
    return adapted


def one_hot(labels: np.ndarray, classes: list[str]) -> np.ndarray:
    """Rows of 0/1 targets, one column per class."""
    targets = np.zeros((len(labels), len(classes)))
    targets[np.arange(len(labels)), [classes.index(label) for label in labels.astype(str)]] = 1.0
    return targets


def feature_share(rows: BlockRows, columns: np.ndarray) -> np.ndarray:
    """For each column, the weighted share of rows in which its feature is present."""
    present = (rows.X.tocsr()[:, columns] != 0).astype(np.float64)
    weights = rows.weights.astype(np.float64)
    return np.asarray(present.T @ weights).ravel() / max(float(weights.sum()), 1.0)

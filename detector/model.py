"""The one scikit-learn Pipeline (hashed block features -> classifier) and its joblib artifact + metadata.

A model file is loaded only when the JSON beside it vouches for it: same sha256, same feature version.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
from dataclasses import dataclass
from pathlib import Path

import joblib
import lxml
import numpy
import sklearn
from sklearn.feature_extraction import FeatureHasher
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from detector.errors import ModelError
from detector.modelfile import default_model_path, file_sha256, metadata_path, verified_metadata
from detector.settings import (
    FEATURE_VERSION,
    LABELS,
    N_HASHED_FEATURES,
    RANDOM_STATE,
)


def build_pipeline(c: float = 1.0, class_weight: str | dict | None = None) -> Pipeline:
    """Hash the feature dicts of blocks, then a multinomial logistic regression over the four labels."""
    return Pipeline(
        [
            ("hash", FeatureHasher(n_features=N_HASHED_FEATURES, input_type="dict", alternate_sign=False)),
            (
                "classify",
                LogisticRegression(C=c, max_iter=500, class_weight=class_weight, random_state=RANDOM_STATE),
            ),
        ]
    )


@dataclass
class LoadedModel:
    """A verified pipeline with its metadata."""

    pipeline: Pipeline
    metadata: dict
    path: Path

    @property
    def version(self) -> str:
        return self.metadata.get("version", "unknown")

    @property
    def sha256(self) -> str:
        return self.metadata.get("sha256", "")

    def label_index(self) -> dict[str, int]:
        """Column of each label in `predict_proba` output."""
        return {label: i for i, label in enumerate(self.pipeline.classes_)}


def load_model(path: str | Path | None = None) -> LoadedModel:
    """Load a model after checking its sha256 and feature version against its metadata."""
    model_path = Path(path) if path else default_model_path()
    metadata = verified_metadata(model_path)
    try:
        pipeline = joblib.load(model_path)
    except Exception as exc:  # a vouched-for file that still fails to unpickle: report, don't trace back
        raise ModelError(f"{model_path}: cannot load ({type(exc).__name__}: {exc})") from None
    if not isinstance(pipeline, Pipeline) or set(getattr(pipeline, "classes_", [])) - set(LABELS):
        raise ModelError(f"{model_path}: not a scraper-hygiene block classifier")
    return LoadedModel(pipeline, metadata, model_path)


def library_versions() -> dict[str, str]:
    """Versions of what a model depends on, recorded in its metadata."""
    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
        "joblib": joblib.__version__,
        "lxml": ".".join(map(str, lxml.etree.LXML_VERSION)),
    }


def _current_umask() -> int:
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def make_shareable(path: Path) -> None:
    """Give a temporary file the mode a plainly created file would have (temporary files are owner-only)."""
    os.chmod(path, 0o666 & ~_current_umask())


def save_model(pipeline: Pipeline, path: Path, metadata: dict) -> dict:
    """Write the model and its metadata atomically (temporary files renamed into place); return the metadata."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for target in (path, metadata_path(path)):
        if target.is_dir():
            raise ModelError(f"{target}: is a directory, cannot write a model there")
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".joblib.part", delete=False) as handle:
        tmp_model = Path(handle.name)
    tmp_meta = tmp_model.with_suffix(".json.part")
    try:
        joblib.dump(pipeline, tmp_model, compress=3)
        make_shareable(tmp_model)
        full = {
            **metadata,
            "sha256": file_sha256(tmp_model),
            "feature_version": FEATURE_VERSION,
            "labels": list(pipeline.classes_),
            "libraries": library_versions(),
            "file": path.name,
        }
        tmp_meta.write_text(json.dumps(full, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp_model, path)
        os.replace(tmp_meta, metadata_path(path))
    finally:
        tmp_model.unlink(missing_ok=True)
        tmp_meta.unlink(missing_ok=True)
    return full

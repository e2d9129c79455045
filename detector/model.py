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
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction import FeatureHasher
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from detector.article import FEATURE_NAMES, ArticleModel
from detector.article import FORMATS as ARTICLE_FORMATS
from detector.errors import ModelError
from detector.modelfile import article_path, default_model_path, file_sha256, metadata_path, verified_metadata
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
    article: ArticleModel | None = None
    """The second stage that settles which prose blocks of a page are article text (None: the block classifier's
    calls stand)."""

    @property
    def version(self) -> str:
        return self.metadata.get("version", "unknown")

    @property
    def sha256(self) -> str:
        return self.metadata.get("sha256", "")

    def label_index(self) -> dict[str, int]:
        """Column of each label in `predict_proba` output."""
        return {label: i for i, label in enumerate(self.pipeline.classes_)}


def load_model(path: str | Path | None = None, article: bool = True) -> LoadedModel:
    """Load a model after checking its sha256 and feature version against its metadata (`article=False` leaves
    its article stage unchecked and unloaded: to fit a new one)."""
    model_path = Path(path) if path else default_model_path()
    metadata = verified_metadata(model_path, article)
    pipeline = _unpickled(model_path)
    if not _is_block_classifier(pipeline):
        raise ModelError(
            f"{model_path}: not a scraper-hygiene block classifier (a fitted pipeline over the four labels)"
        )
    return LoadedModel(pipeline, metadata, model_path, load_article_model(model_path, metadata) if article else None)


def _is_block_classifier(pipeline: object) -> bool:
    """A fitted pipeline whose classes are the four labels and that answers a trial block's features."""
    if not isinstance(pipeline, Pipeline) or sorted(map(str, getattr(pipeline, "classes_", []))) != sorted(LABELS):
        return False
    try:
        pipeline.predict_proba([{"bias": 1.0}])
    except Exception:  # a vouched-for pipeline that cannot predict: refuse it at load, not on every page
        return False
    return True


def load_article_model(model_path: Path, metadata: dict) -> ArticleModel | None:
    """The article stage the metadata names (its sha256 checked by `verified_metadata`), or None."""
    if metadata.get("article_model") is None:
        return None
    path = article_path(model_path)
    estimators = _unpickled(path)
    if not isinstance(estimators, dict) or set(estimators) != set(ARTICLE_FORMATS):
        raise ModelError(f"{path}: not a scraper-hygiene article stage (one model per format: html, text)")
    for fmt, estimator in estimators.items():
        if not _is_article_estimator(estimator):
            raise ModelError(
                f"{path}: its {fmt} model is not an article stage (article or not, {len(FEATURE_NAMES)} features)"
            )
    return ArticleModel(estimators)


def _unpickled(path: Path) -> object:
    """The object a joblib file holds; a file its metadata vouched for that still fails is a ModelError."""
    try:
        return joblib.load(path)
    except Exception as exc:  # report, don't trace back
        raise ModelError(f"{path}: cannot load ({type(exc).__name__}: {exc})") from None


def _is_article_estimator(estimator: object) -> bool:
    """A fitted binary article estimator over FEATURE_NAMES that answers (one trial row)."""
    if (
        not isinstance(estimator, HistGradientBoostingClassifier)
        or getattr(estimator, "n_features_in_", None) != len(FEATURE_NAMES)
        or list(getattr(estimator, "classes_", [])) != [False, True]
    ):
        return False
    try:
        estimator.predict_proba(numpy.zeros((1, len(FEATURE_NAMES))))
    except Exception:  # a vouched-for estimator that cannot predict: refuse it at load, not on every page
        return False
    return True


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


def save_model(pipeline: Pipeline, path: Path, metadata: dict, article: ArticleModel | None = None) -> dict:
    """Write the model, its article stage (if any, with what `metadata["article_model"]` says of it) and its
    metadata atomically (temporary files renamed into place, the metadata last); return the metadata."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for target in (path, metadata_path(path), article_path(path)):
        if target.is_dir():
            raise ModelError(f"{target}: is a directory, cannot write a model there")
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".joblib.part", delete=False) as handle:
        tmp_model = Path(handle.name)
    tmp_meta = tmp_model.with_suffix(".json.part")
    tmp_article = tmp_model.with_suffix(".article.part")
    try:
        full = {key: value for key, value in metadata.items() if key != "article_model"}
        if article is not None:
            full["article_model"] = _dumped_article(article, tmp_article, path, metadata.get("article_model", {}))
        joblib.dump(pipeline, tmp_model, compress=3)
        make_shareable(tmp_model)
        full.update(
            sha256=file_sha256(tmp_model),
            feature_version=FEATURE_VERSION,
            labels=list(pipeline.classes_),
            libraries=library_versions(),
            file=path.name,
        )
        tmp_meta.write_text(json.dumps(full, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if article is not None:
            os.replace(tmp_article, article_path(path))
        os.replace(tmp_model, path)
        os.replace(tmp_meta, metadata_path(path))
        if article is None:
            article_path(path).unlink(missing_ok=True)  # an earlier model's stage, which no metadata names now
    finally:
        for tmp in (tmp_model, tmp_meta, tmp_article):
            tmp.unlink(missing_ok=True)
    return full


def save_article_stage(model_path: Path, metadata: dict, article: ArticleModel) -> dict:
    """Write an article stage beside an existing model file and its metadata (`metadata["article_model"]` says
    what it is), both renamed into place, the metadata last; return the metadata. The version gains the stage's
    sha256 (`hygiene-base-2026.11.30+article-67fd4244`): the clean text changes, so stored pages are re-scored."""
    model_path = Path(model_path)
    with tempfile.NamedTemporaryFile(dir=model_path.parent, suffix=".article.part", delete=False) as handle:
        tmp_article = Path(handle.name)
    tmp_meta = tmp_article.with_suffix(".json.part")
    try:
        entry = _dumped_article(article, tmp_article, model_path, metadata["article_model"])
        version = f"{str(metadata.get('version', model_path.stem)).split('+')[0]}+article-{entry['sha256'][:8]}"
        full = {**metadata, "version": version, "article_model": entry}
        tmp_meta.write_text(json.dumps(full, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp_article, article_path(model_path))
        os.replace(tmp_meta, metadata_path(model_path))
    finally:
        for tmp in (tmp_article, tmp_meta):
            tmp.unlink(missing_ok=True)
    return full


def _dumped_article(article: ArticleModel, tmp: Path, model_path: Path, summary: dict) -> dict:
    """Dump an article stage's estimators to a temporary file; return its metadata entry."""
    joblib.dump(article.estimators, tmp, compress=3)
    make_shareable(tmp)
    return {
        **summary,
        "file": article_path(model_path).name,
        "sha256": file_sha256(tmp),
        "features": list(FEATURE_NAMES),
    }

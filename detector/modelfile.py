"""A model's files on disk: where they are, their sha256, and the metadata check that vouches for them.

No scikit-learn here: a process that only hands a model to its workers (`hygiene clean --workers N`) checks it
without paying for the import and the unpickling.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from detector.errors import ModelError
from detector.settings import DEFAULT_MODEL_NAME, FEATURE_VERSION, MODELS_DIR


def default_model_path() -> Path:
    """The shipped model, overridable with the HYGIENE_MODEL environment variable."""
    return Path(os.environ.get("HYGIENE_MODEL") or shipped_model_path())


def shipped_model_path() -> Path:
    """The model shipped in `models/`."""
    return MODELS_DIR / f"{DEFAULT_MODEL_NAME}.joblib"


def metadata_path(model_path: Path) -> Path:
    """The metadata JSON that sits beside a model file."""
    return model_path.with_suffix(".json")


def article_path(model_path: Path) -> Path:
    """The article stage's estimator that sits beside a model file (`detector.article`)."""
    return model_path.with_suffix(".article.joblib")


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verified_metadata(model_path: Path, article: bool = True) -> dict:
    """The metadata of a model file whose sha256 and feature version it vouches for, and its article stage's
    sha256 unless `article` is False; ModelError otherwise."""
    meta_path = metadata_path(model_path)
    if model_path.is_dir():
        raise ModelError(f"{model_path}: is a folder, not a model file")
    if model_path.suffix != ".joblib":
        raise ModelError(f"{model_path}: not a model file (a model is a .joblib file, its .json metadata beside it)")
    if not model_path.is_file():
        raise ModelError(f"{model_path}: no such model file")
    try:
        metadata = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{model_path}: no metadata file {meta_path.name} beside it, refusing to load") from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"{meta_path}: unreadable metadata ({exc})") from None
    except RecursionError:
        raise ModelError(f"{meta_path}: unreadable metadata (nested too deeply)") from None
    if not isinstance(metadata, dict):
        raise ModelError(f"{meta_path}: metadata is not a JSON object")
    actual = _sha256_of_readable(model_path)
    if metadata.get("sha256") != actual:
        raise ModelError(f"{model_path}: sha256 {actual[:12]}… does not match its metadata, refusing to load")
    if article:
        _verify_article_file(model_path, metadata)
    if metadata.get("feature_version") != FEATURE_VERSION:
        raise ModelError(
            f"{model_path}: built for feature version {metadata.get('feature_version')!r}, "
            f"this code computes version {FEATURE_VERSION!r}"
        )
    if not isinstance(metadata.get("version", ""), str):
        raise ModelError(f"{meta_path}: its version is not a string")
    return metadata


def _verify_article_file(model_path: Path, metadata: dict) -> None:
    """ModelError unless the article stage the metadata names is there with the sha256 it records."""
    entry = metadata.get("article_model")
    if entry is None:
        return
    path = article_path(model_path)
    if not isinstance(entry, dict):
        raise ModelError(f"{metadata_path(model_path)}: its article_model entry is not a JSON object")
    if not path.is_file():
        raise ModelError(f"{model_path}: its metadata names an article stage, but {path.name} is not beside it")
    actual = _sha256_of_readable(path)
    if entry.get("sha256") != actual:
        raise ModelError(
            f"{path}: sha256 {actual[:12]}… does not match the metadata of {model_path.name}, refusing to load"
        )


def _sha256_of_readable(path: Path) -> str:
    """`file_sha256`, a file that cannot be read being a ModelError."""
    try:
        return file_sha256(path)
    except OSError as exc:
        raise ModelError(f"{path}: cannot read ({exc.strerror or exc})") from None

"""Retrain the block classifier on users' labelled samples, on top of a base model and the rows behind it.

The base model is adapted (`detector.adapt`) to the user's rows, which together carry `USER_SHARE` of the
training weight: a few dozen pages change behaviour without undoing what the base model learned. Sample blocks
that are neither contamination nor known article text (pages without `article`) take the base model's
content/boilerplate judgement. A part of the user's sites is held out and measured, as are the shipped
held-out pages. `--no-base` fits on the samples alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.pipeline import Pipeline
from tqdm import tqdm

from detector.adapt import MAX_ITERATIONS, STIFFNESS, adapt
from detector.dataset import BlockRows, LabelledPage, labelled_rows, page_rows
from detector.errors import InputError, ModelError, SampleError
from detector.evaluate import evaluate_pages
from detector.heldout_pages import HELDOUT_SAMPLES_PATH, evaluate_heldout_samples
from detector.labels import INJECTED_SHARE
from detector.model import RANDOM_STATE, LoadedModel, file_sha256, load_model, make_shareable, save_model
from detector.samples import SampleFile, load_sample_files
from detector.score import Scorer
from detector.settings import (
    CONTAMINATION_LABELS,
    DEFAULT_THRESHOLD,
    FEATURE_VERSION,
    HOLDOUT_SITE_SHARE,
    LABELS,
    N_HASHED_FEATURES,
)
from detector.train import fit_pipeline, load_compact_rows, save_compact_rows

USER_SHARE = 0.02
"""Share of the total training weight that the user's rows carry when training on top of a base model."""
UNMATCHED_WARNING = (
    f"no block is labelled contamination: a substring must make up at least {INJECTED_SHARE:.0%} of the text "
    "of a block, or be markup"
)


@dataclass
class Base:
    """The model retraining starts from: its verified pipeline and the rows it was trained on."""

    model: LoadedModel
    rows: BlockRows
    rows_path: Path


def rows_path_of(model_path: Path) -> Path:
    """The compact training rows kept beside a model file."""
    return Path(model_path).with_suffix(".rows.npz")


def load_base(path: Path | None) -> Base:
    """Load (and verify) a base model and the training rows beside it."""
    model = load_model(path)
    rows_path = rows_path_of(model.path)
    if not rows_path.is_file():
        raise ModelError(f"{model.path}: no training rows {rows_path.name} beside it, cannot retrain on it")
    expected = model.metadata.get("data", {}).get("compact_rows", {})
    if expected.get("sha256") and expected["sha256"] != file_sha256(rows_path):
        raise ModelError(f"{rows_path}: sha256 does not match the metadata of {model.path.name}")
    try:
        rows = load_compact_rows(rows_path)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"{rows_path}: unreadable training rows ({exc})") from None
    if expected.get("rows") not in (None, rows.X.shape[0]) or rows.X.shape[1] != N_HASHED_FEATURES:
        raise ModelError(f"{rows_path}: {rows.X.shape[0]} rows of {rows.X.shape[1]} columns, not what the model says")
    return Base(model, rows, rows_path)


def split_by_site(
    pages: list[LabelledPage], share: float, seed: int, trained: frozenset[str] = frozenset()
) -> tuple[list[LabelledPage], list[LabelledPage]]:
    """(training, held-out) pages: a stable `share` of the sites (at least one, never all) is held out; sites in
    `trained` (those the base model's samples trained on) are never held out, their pages train."""
    sites = sorted({page.site for page in pages})
    candidates = [site for site in sites if site not in trained]
    held = round(share * len(sites))
    if share <= 0 or len(sites) < 2 or not candidates:
        return pages, []
    ranked = sorted(candidates, key=lambda site: hashlib.sha256(f"{seed}/{site}".encode()).hexdigest())
    heldout_sites = set(ranked[: min(max(held, 1), len(sites) - 1, len(candidates))])
    return [p for p in pages if p.site not in heldout_sites], [p for p in pages if p.site in heldout_sites]


def trained_sites(base: Base | None) -> frozenset[str]:
    """The sample sites a base model (and the bases it was trained on) trained on, from its metadata."""
    if base is None:
        return frozenset()
    return frozenset(base.model.metadata.get("data", {}).get("train_sites", []))


def sample_rows(page: LabelledPage, judge: Pipeline | None) -> BlockRows:
    """Hashed, labelled rows of one sample page; blocks of unknown label get the judge's content/boilerplate
    call (or are left out without a judge); InputError when the page cannot be read as one."""
    rows, labels = page_rows(page)
    if judge is not None and any(label is None for label in labels):
        labels = judged_labels(rows, labels, judge)
    return labelled_rows(rows, labels, page)


def judged_labels(rows: list[dict], labels: list[str | None], judge: Pipeline) -> list[str]:
    """Fill unknown labels with the more likely of content and boilerplate (the user said they are not
    contamination)."""
    probabilities = judge.predict_proba(rows)
    column = {label: i for i, label in enumerate(judge.classes_)}
    return [
        label
        if label is not None
        else ("content" if row[column["content"]] > row[column["boilerplate"]] else "boilerplate")
        for label, row in zip(labels, probabilities)
    ]


def user_rows(
    pages: list[LabelledPage], judge: Pipeline | None, where: dict[int, str] | None = None
) -> tuple[BlockRows, list[LabelledPage]]:
    """Rows of the user's training pages and the pages they come from, with a progress bar; a warning for each page
    that cannot be read (it is left out) and each contaminated page on which no block came out as contamination
    (`where` maps id(page) to its place in the sample files)."""
    parts, used = [], []
    with tqdm(pages, desc="featurizing samples", unit=" pages", disable=None, file=sys.stderr) as progress:
        for page in progress:
            place = (where or {}).get(id(page), page.url or "a sample page")
            try:
                parts.append(sample_rows(page, judge))
            except InputError as exc:
                progress.write(f"hygiene: warning: {place}: left out, the page cannot be read ({exc})", file=sys.stderr)
                continue
            used.append(page)
            if page.contaminated and not set(parts[-1].y.astype(str)) & set(CONTAMINATION_LABELS):
                progress.write(f"hygiene: warning: {place}: {UNMATCHED_WARNING}", file=sys.stderr)
    return BlockRows.concat(parts), used


def user_weight(user: BlockRows, base: BlockRows | None, share: float = USER_SHARE) -> float:
    """Weight of each user row: together `share` of all training weight (at least 1 each)."""
    if base is None or not len(user.y):
        return 1.0
    base_total = float(base.weights.sum())
    return max(1.0, share * base_total / ((1.0 - share) * len(user.y)))


def with_every_label(rows: BlockRows) -> BlockRows:
    """Add one zero-weight, featureless row for each label the rows lack: the classifier must know all four
    labels to score pages, and a label never seen gets a vanishing probability."""
    missing = [label for label in LABELS if label not in set(rows.y.astype(str))]
    if not missing:
        return rows
    pad = BlockRows(
        sp.csr_matrix((len(missing), N_HASHED_FEATURES), dtype=np.float32),
        np.array(missing, dtype=object),
        np.zeros(len(missing), dtype=np.float32),
        np.array(["padding"] * len(missing), dtype=object),
    )
    return BlockRows.concat([rows, pad])


def weighted_user_rows(user: BlockRows, base: Base | None) -> tuple[BlockRows, float]:
    """The user's rows weighted against the base rows, and the weight used."""
    weight = user_weight(user, base.rows if base else None)
    return BlockRows(user.X, user.y, (user.weights * weight).astype(np.float32), user.groups), weight


def fit(user: BlockRows, base: Base | None) -> Pipeline:
    """Adapt the base model to the user's rows or, without a base, fit on them alone; with a progress bar."""
    if base is None:
        if len(set(user.y.astype(str))) < 2:
            raise SampleError("samples: need at least two kinds of labelled blocks to train without a base model")
        with tqdm(total=1, desc=f"fitting on {len(user.y)} blocks", disable=None, file=sys.stderr) as progress:
            pipeline = fit_pipeline(with_every_label(user))
            progress.update(1)
        return pipeline
    desc = f"adapting to {len(user.y)} sample blocks"
    with tqdm(total=MAX_ITERATIONS, desc=desc, unit=" steps", disable=None, file=sys.stderr) as progress:
        return adapt(base.model.pipeline, base.rows, user, on_iteration=lambda _: progress.update(1))


def candidate(training: Training, out: Path) -> LoadedModel:
    """The model being trained, as the scorer loads it: the new pipeline with the base's article stage (none
    without a base)."""
    article = training.base.model.article if training.base is not None else None
    return LoadedModel(training.pipeline, {"version": "candidate"}, out, article)


def evaluate_samples(model: LoadedModel, pages: list[LabelledPage]) -> dict | None:
    """Figures of a candidate model on held-out sample pages (None when there are none)."""
    if not pages:
        return None
    scorer = Scorer(model, DEFAULT_THRESHOLD)
    progress = tqdm(pages, desc="evaluating held-out samples", unit=" pages", disable=None, file=sys.stderr)
    return evaluate_pages(progress, scorer)


@contextmanager
def staged_rows(rows: BlockRows, path: Path) -> Iterator[str]:
    """Write training rows to a temporary file beside `path` and yield their sha256; they are renamed into
    place only when the block completes (after the model), and removed otherwise."""
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".rows.part.npz", delete=False) as handle:
        tmp = Path(handle.name)
    try:
        save_compact_rows(rows, tmp)
        make_shareable(tmp)
        yield file_sha256(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


@dataclass
class Training:
    """What one retraining used and produced, before it is written."""

    files: list[SampleFile]
    base: Base | None
    train_pages: list[LabelledPage]
    heldout_pages: list[LabelledPage]
    user: BlockRows
    rows: BlockRows
    weight: float
    pipeline: Pipeline


def train_on_samples(sample_paths: list[Path], base_path: Path | None, use_base: bool, holdout: float, seed: int):
    """Read the samples and the base, split by site, featurize and fit."""
    files = load_sample_files(sample_paths)
    base = load_base(base_path) if use_base else None
    pages = [page for sample_file in files for page in sample_file.pages]
    train_pages, heldout_pages = split_by_site(pages, holdout, seed, trained_sites(base))
    _warn_of_split(pages, heldout_pages, holdout)
    where = {id(page): place for sample_file in files for page, place in zip(sample_file.pages, sample_file.where)}
    read, train_pages = user_rows(train_pages, base.model.pipeline if base else None, where)
    user, weight = weighted_user_rows(read, base)
    rows = BlockRows.concat([base.rows, user] if base else [user])
    return Training(files, base, train_pages, heldout_pages, user, rows, weight, fit(user, base))


def _warn_of_split(pages: list[LabelledPage], heldout: list[LabelledPage], share: float) -> None:
    """A warning when no site could be held out (one site, or only sites the base trained on): the model then has
    no held-out figures of its own."""
    if share > 0 and not heldout:
        sites = len({page.site for page in pages})
        print(
            f"hygiene: warning: no site held out ({sites} site{'s' * (sites != 1)} in the samples, none that the "
            "base did not train on, or only one): the model has no held-out figures of its own",
            file=sys.stderr,
        )


def retrain(
    sample_paths: list[Path],
    out: Path,
    base_path: Path | None = None,
    use_base: bool = True,
    holdout_share: float = HOLDOUT_SITE_SHARE,
    seed: int = RANDOM_STATE,
) -> dict:
    """Train a model from sample files (and a base model's rows), measure it, write it; return its metadata."""
    started = dt.datetime.now(dt.timezone.utc)
    training = train_on_samples(sample_paths, base_path, use_base, holdout_share, seed)
    out = Path(out)
    model = candidate(training, out)
    metadata = {
        "name": out.stem,
        "version": f"{out.stem}-{started:%Y.%m.%d}+{inputs_fingerprint(training, holdout_share, seed)}",
        "created": started.isoformat(timespec="seconds"),
        "threshold": DEFAULT_THRESHOLD,
        "seed": seed,
        "base": base_summary(training.base),
        "data": data_summary(training, holdout_share, out),
        "features": {"version": FEATURE_VERSION, "hashed_dimensions": N_HASHED_FEATURES},
        "classifier": classifier_summary(training),
        "heldout": evaluate_samples(model, training.heldout_pages),
        "heldout_samples": shipped_heldout_figures(model),
    }
    article = model.article
    if article is not None:
        metadata["article_model"] = {**training.base.model.metadata.get("article_model", {}), "from_base": True}
    out.parent.mkdir(parents=True, exist_ok=True)
    with staged_rows(training.rows, rows_path_of(out)) as rows_sha:
        metadata["data"]["compact_rows"]["sha256"] = rows_sha
        return save_model(training.pipeline, out, metadata, article)


def inputs_fingerprint(training: Training, holdout_share: float, seed: int) -> str:
    """8 hex digits naming what a training read (sample files, base model, held-out share, seed): two models of one
    name and day but other inputs get other versions, so stored items tell them apart."""
    parts = [sample_file.sha256 for sample_file in training.files]
    parts += [training.base.model.sha256 if training.base else "no base", f"{holdout_share:g}", str(seed)]
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:8]


def data_summary(training: Training, holdout_share: float, out: Path) -> dict:
    """What the model was trained on, for the metadata."""
    return {
        "samples": [sample_file.summary() for sample_file in training.files],
        "split": f"by site: {holdout_share:.0%} of the samples' sites held out",
        "train_pages": len(training.train_pages),
        "heldout_pages": len(training.heldout_pages),
        "heldout_sites": sorted({page.site for page in training.heldout_pages}),
        "train_sites": sorted(trained_sites(training.base) | {page.site for page in training.train_pages}),
        "sample_blocks": {k: int(v) for k, v in sorted(Counter(training.user.y.astype(str)).items())},
        "sample_row_weight": round(training.weight, 3),
        "compact_rows": {"file": rows_path_of(out).name, "rows": int(training.rows.X.shape[0])},
    }


def shipped_heldout_figures(model: LoadedModel) -> dict | None:
    """Figures on the shipped held-out pages (None when that file is not there)."""
    if not HELDOUT_SAMPLES_PATH.is_file():
        return None
    return evaluate_heldout_samples(model)


def classifier_summary(training: Training) -> dict:
    """How the classifier was obtained, for the metadata."""
    if training.base is None:
        return {"type": "LogisticRegression", "fit": "on the samples alone"}
    return {
        "type": "LogisticRegression",
        "fit": "adapted from the base: weights of the samples' features only, base rows held at the base's "
        "probabilities, changes penalised by how common a feature is in the base rows",
        "stiffness": STIFFNESS,
        "user_share": USER_SHARE,
    }


def base_summary(base: Base | None) -> dict | None:
    """What the base model was, for the metadata (None with --no-base)."""
    if base is None:
        return None
    return {
        "file": base.model.path.name,
        "version": base.model.version,
        "sha256": base.model.sha256,
        "rows": int(base.rows.X.shape[0]),
    }

"""Train the block classifier: the shipped model from `../shared` plus the generator, and user retraining.

python -m detector.train --shared ../shared --out models/hygiene-base.joblib
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from detector.article import ARTICLE_THRESHOLD, ArticleModel, article_rows, build_article_model
from detector.article import FORMATS as ARTICLE_FORMATS
from detector.basedata import (
    HARD_NEGATIVE_SHARE,
    LEXICON_DROPOUT,
    TEMPLATE_NEGATIVE_SHARE,
    TOPICAL_TITLE_SHARE,
    TRAIN_CORPORA,
    WORD_DROPOUT,
    base_pages,
)
from detector.dataset import BlockRows, LabelledPage, rows_of_pages
from detector.errors import InputError
from detector.evaluate import evaluate_pages
from detector.heldout_pages import evaluate_heldout_samples
from detector.inject import HOLDOUT_FAMILIES, TRAIN_FAMILIES, SpamVocabulary, to_scraped_text
from detector.labels import article_index, is_article_block
from detector.model import (
    RANDOM_STATE,
    LoadedModel,
    build_pipeline,
    file_sha256,
    load_model,
    metadata_path,
    save_article_stage,
    save_model,
)
from detector.score import Classified, Scorer, page_rule
from detector.settings import DEFAULT_THRESHOLD, FEATURE_VERSION, LABELS, N_HASHED_FEATURES

BOILERPLATE_KEEP = 0.35
"""Share of boilerplate blocks the fit sees (reweighted); they outnumber all other labels ten to one."""
COMPACT_ROWS = 40000
"""Rows kept beside the shipped model (hashed features only, no page text) so users can retrain without ../shared."""


def fit_pipeline(rows: BlockRows, c: float = 1.0):
    """Fit the shared pipeline's classifier on hashed rows (the hasher is stateless)."""
    pipeline = build_pipeline(c)
    pipeline.named_steps["hash"].fit([{}])
    pipeline.named_steps["classify"].fit(rows.X, rows.y.astype(str), sample_weight=rows.weights)
    return pipeline


def thin_boilerplate(rows: BlockRows, keep: float, seed: int = RANDOM_STATE) -> BlockRows:
    """Keep a random share of boilerplate rows, weighted up to compensate: the fit gets faster, not biased."""
    if keep >= 1.0:
        return rows
    rng = np.random.default_rng(seed)
    boilerplate = rows.y.astype(str) == "boilerplate"
    chosen = ~boilerplate | (rng.random(len(rows.y)) < keep)
    weights = np.where(boilerplate, rows.weights / keep, rows.weights)[chosen].astype(np.float32)
    return BlockRows(rows.X[chosen], rows.y[chosen], weights, rows.groups[chosen])


def compact_rows(rows: BlockRows, limit: int = COMPACT_ROWS, seed: int = RANDOM_STATE) -> BlockRows:
    """A stratified sample of rows: every contamination row kept up to a share, the rest sampled."""
    rng = np.random.default_rng(seed)
    labels = rows.y.astype(str)
    keep = []
    per_label = limit // len(LABELS)
    for label in LABELS:
        index = np.flatnonzero(labels == label)
        if len(index) > per_label:
            index = rng.choice(index, per_label, replace=False)
        keep.append(index)
    order = np.sort(np.concatenate(keep))
    kept = labels[order]
    factor_of = {lab: max(1.0, (labels == lab).sum() / max((kept == lab).sum(), 1)) for lab in LABELS}
    factors = np.array([factor_of[lab] for lab in kept])
    return BlockRows(
        rows.X[order], rows.y[order], (rows.weights[order] * factors).astype(np.float32), rows.groups[order]
    )


def save_compact_rows(rows: BlockRows, path: Path) -> None:
    """Write rows as a compressed .npz (sparse features, labels, weights)."""
    X = rows.X.tocsr()
    np.savez_compressed(
        path,
        data=X.data.astype(np.float16),
        indices=X.indices.astype(np.int32),
        indptr=X.indptr.astype(np.int64),
        shape=np.array(X.shape),
        y=rows.y.astype(str),
        weights=rows.weights.astype(np.float32),
    )


def load_compact_rows(path: Path) -> BlockRows:
    """Read rows written by `save_compact_rows`."""
    with np.load(path, allow_pickle=False) as data:
        X = sp.csr_matrix(
            (data["data"].astype(np.float32), data["indices"], data["indptr"]), shape=tuple(data["shape"])
        )
        y = data["y"].astype(object)
        return BlockRows(X, y, data["weights"], np.array(["base"] * len(y), dtype=object))


def train_base_model(shared: Path, out: Path, seed: int, workers: int, c: float) -> dict:
    """Build the training pages, fit, evaluate on held-out sites and families, and write the artifact."""
    started = time.time()
    vocab = SpamVocabulary.from_lexicons(shared)
    log(f"featurizing training pages from {', '.join(TRAIN_CORPORA)} ({workers} workers)")
    rows = rows_of_pages(base_pages(shared, seed, vocab, "train"), workers)
    log(f"{rows.X.shape[0]} training blocks: {dict(Counter(rows.y.astype(str)))}")
    pipeline = fit_pipeline(thin_boilerplate(rows, BOILERPLATE_KEEP, seed), c)
    log(f"fitted in {time.time() - started:.0f}s; fitting the article stage")
    candidate = LoadedModel(pipeline, {"version": "candidate"}, out)
    article, article_summary = fit_article_model(shared, candidate, seed, vocab)
    log("evaluating on held-out sites")
    scorer = Scorer(replace(candidate, article=article), DEFAULT_THRESHOLD)
    report = evaluate_pages(base_pages(shared, seed, vocab, "test"), scorer)
    shipped_heldout = evaluate_heldout_samples(scorer.model)
    compact = compact_rows(rows)
    compact_path = out.with_suffix(".rows.npz")
    save_compact_rows(compact, compact_path)
    metadata = {
        "name": out.stem,
        "version": f"{out.stem}-{dt.date.today():%Y.%m.%d}",
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "threshold": DEFAULT_THRESHOLD,
        "page_rule": page_rule(),
        "seed": seed,
        "data": {
            "corpora": list(TRAIN_CORPORA),
            "evaluation_only_excluded": ["l3s-gn1"],
            "split": "by site (sha1 of registrable domain, 20% of sites held out)",
            "train_blocks": {k: int(v) for k, v in Counter(rows.y.astype(str)).items()},
            "train_families": [f.name for f in TRAIN_FAMILIES],
            "holdout_families": [f.name for f in HOLDOUT_FAMILIES],
            "hard_negatives": {
                "enforcement_story": HARD_NEGATIVE_SHARE,
                "enforcement_story_topical_title": TOPICAL_TITLE_SHARE,
                "hidden_menu_tracking_pixel_trailing_junk_each": TEMPLATE_NEGATIVE_SHARE,
            },
            "lexicon_dropout": LEXICON_DROPOUT,
            "word_dropout": WORD_DROPOUT,
            "compact_rows": {
                "file": compact_path.name,
                "rows": int(compact.X.shape[0]),
                "sha256": file_sha256(compact_path),
            },
        },
        "features": {"version": FEATURE_VERSION, "hashed_dimensions": N_HASHED_FEATURES},
        "classifier": {"type": "LogisticRegression", "C": c, "boilerplate_sampled": BOILERPLATE_KEEP},
        "heldout": report,
        "heldout_samples": shipped_heldout,
        "training_seconds": round(time.time() - started),
        "article_model": article_summary,
    }
    return save_model(pipeline, out, metadata, article)


ARTICLE_PAGES = {
    "html": "the training sites' pages as HTML, clean and contaminated by the trained families",
    "text": "the training sites' pages as whole-page scraped dumps (clean, and contaminated by the trained families) "
    "and as their article text (clean and contaminated)",
}


def article_training_pages(shared: Path, seed: int, vocab: SpamVocabulary) -> Iterator[LabelledPage]:
    """The training sites' pages the article stage learns from: the block classifier's training pages (clean and
    contaminated, in every format: the stage must keep the article on both), and the whole-page dump of each clean
    HTML page."""
    for labelled in base_pages(shared, seed, vocab, "train"):
        yield labelled
        if labelled.group == "train/html/clean":
            yield replace(labelled, data=to_scraped_text(labelled.data), fmt="text", group="train/text-dump/clean")


@dataclass
class ArticleRows:
    """The article stage's training rows of one format: features, labels (article text or not, from the ground
    truth) and weights (square root of the characters: long paragraphs weigh more in the article's text)."""

    rows: list[np.ndarray] = field(default_factory=list)
    labels: list[bool] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)

    def add(self, classified: Classified, article: str) -> None:
        """Add the prose blocks of one page, as the block classifier saw it."""
        rows, at = article_rows(classified.blocks, classified.labels, classified.content, classified.contamination)
        index = article_index(article)
        self.rows.append(rows)
        self.labels += [is_article_block(classified.blocks[i].text, index) for i in at]
        self.weights += [math.sqrt(len(classified.blocks[i].text)) for i in at]


def article_training_rows(shared: Path, scorer: Scorer, seed: int, vocab: SpamVocabulary) -> dict[str, ArticleRows]:
    """The article stage's training rows per format, as the block classifier of `scorer` sees the pages."""
    found = {fmt: ArticleRows() for fmt in ARTICLE_FORMATS}
    for page in article_training_pages(shared, seed, vocab):
        try:
            found[page.fmt].add(scorer.classified(page.data, page.fmt, page.url), page.article)
        except InputError:
            continue
    return found


def fit_article_model(shared: Path, model: LoadedModel, seed: int, vocab: SpamVocabulary) -> tuple[ArticleModel, dict]:
    """Fit the article stage (a model per format) on top of a block classifier; return it with what its metadata
    records."""
    started = time.time()
    estimators, data = {}, {}
    for fmt, found in article_training_rows(shared, Scorer(replace(model, article=None)), seed, vocab).items():
        y = np.array(found.labels)
        estimators[fmt] = build_article_model().fit(np.vstack(found.rows), y, sample_weight=np.array(found.weights))
        data[fmt] = {"pages": ARTICLE_PAGES[fmt], "blocks": int(len(y)), "article_blocks": int(y.sum())}
    summary = {
        "type": "HistGradientBoostingClassifier, one per format",
        "params": {key: value for key, value in build_article_model().get_params().items() if value is not None},
        "threshold": ARTICLE_THRESHOLD,
        "data": {"corpora": list(TRAIN_CORPORA), "weights": "square root of the block's characters", **data},
        "training_seconds": round(time.time() - started),
    }
    return ArticleModel(estimators), summary


def add_article_stage(shared: Path, model_path: Path, seed: int) -> dict:
    """Fit an article stage on top of the block classifier at `model_path` and write it beside it (the
    classifier's file is unchanged)."""
    model = load_model(model_path, article=False)
    article, summary = fit_article_model(shared, model, seed, SpamVocabulary.from_lexicons(shared))
    return save_article_stage(model_path, {**model.metadata, "article_model": summary}, article)


def refresh_figures(shared: Path, model_path: Path, seed: int) -> dict:
    """Re-measure a model's held-out figures with the current scoring code and rewrite them in its metadata
    (the model file, and so its sha256, is unchanged)."""
    model = load_model(model_path)
    vocab = SpamVocabulary.from_lexicons(shared)
    scorer = Scorer(model, model.metadata.get("threshold", DEFAULT_THRESHOLD))
    metadata = dict(model.metadata)
    metadata["page_rule"] = page_rule()
    metadata["heldout"] = evaluate_pages(base_pages(shared, seed, vocab, "test"), scorer)
    metadata["heldout_samples"] = evaluate_heldout_samples(model)
    metadata["figures_measured"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    metadata_path(model_path).write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return metadata


def log(message: str) -> None:
    """Progress on stderr."""
    print(f"[train] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry for building the shipped model from ../shared."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path("../shared"), help="folder holding corpora/ and lexicons/")
    parser.add_argument("--out", type=Path, default=Path("models/hygiene-base.joblib"))
    parser.add_argument("--seed", type=int, default=RANDOM_STATE)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("-C", dest="c", type=float, default=1.0)
    parser.add_argument(
        "--refresh-figures",
        action="store_true",
        help="re-measure the held-out figures of the model at --out, no training",
    )
    parser.add_argument(
        "--article-only",
        action="store_true",
        help="fit only the article stage of the model at --out (its block classifier unchanged), then re-measure",
    )
    args = parser.parse_args(argv)
    if args.article_only:
        add_article_stage(args.shared, args.out, args.seed)
        log("article stage written; re-measuring the held-out figures")
    if args.refresh_figures or args.article_only:
        metadata = refresh_figures(args.shared, args.out, args.seed)
    else:
        metadata = train_base_model(args.shared, args.out, args.seed, args.workers, args.c)
    print(json.dumps(metadata["heldout"], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

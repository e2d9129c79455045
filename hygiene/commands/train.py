"""`hygiene train SAMPLES... --out PATH`: retrain the block classifier on labelled samples."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from detector.errors import EXIT_CLEAN, ConfigError
from detector.settings import HOLDOUT_SITE_SHARE, RANDOM_STATE
from hygiene.commands.evaluate import headline
from hygiene.parsing import holdout_share

EPILOG = """\
samples: JSON Lines, one page a line: {"url": ..., "html": "<raw page>"} or {"text": "<scraped text>"}, with
"contamination": [exact substrings of the page that are tag noise or spam] ([] = clean page) and optionally
"article": "the clean article text" and "group": "a name to report figures under".

writes PATH (.joblib), its metadata PATH.json (sha256, versions, samples and their sha256, held-out figures),
the training rows PATH.rows.npz (so the new model can itself be a --base) and the base's article stage
PATH.article.joblib, if it has one; each file appears only once complete. Same inputs and seed give the same
model bytes.

exit codes: 0 model written; 2 error (bad samples: file:line and field named; bad base model), nothing written.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `train` sub-command."""
    parser = subparsers.add_parser(
        "train",
        help="retrain the model on labelled sample pages",
        description="Train a model on labelled samples together with the data behind a base model "
        "(the shipped model by default); the samples are weighted so that a few dozen pages change behaviour.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("samples", nargs="+", type=Path, metavar="SAMPLES", help="labelled samples (.jsonl)")
    parser.add_argument("--out", required=True, type=Path, metavar="PATH", help="model file to write (.joblib)")
    base = parser.add_mutually_exclusive_group()
    base.add_argument("--base", type=Path, metavar="MODEL", help="model to start from (default: the shipped model)")
    base.add_argument("--no-base", action="store_true", help="train on the samples alone")
    parser.add_argument(
        "--holdout",
        type=holdout_share,
        default=HOLDOUT_SITE_SHARE,
        metavar="SHARE",
        help=f"share of the samples' sites held out for measuring, 0-0.5 (default {HOLDOUT_SITE_SHARE})",
    )
    parser.add_argument("--seed", type=int, help="seed of the held-out site choice (default: the model's fixed seed)")
    parser.set_defaults(func=run)


def model_files(model: Path) -> list[Path]:
    """The files a model is made of: the .joblib, its metadata JSON, its training rows and its article stage."""
    from detector.modelfile import article_path, metadata_path
    from detector.retrain import rows_path_of

    return [model, metadata_path(model), rows_path_of(model), article_path(model)]


def check_outputs_spare_inputs(args: argparse.Namespace) -> None:
    """ConfigError when a file `train` writes would be a folder, or would replace a sample file or the base model
    it reads (`my.json` samples beside `--out my.joblib` would become its metadata)."""
    from detector.modelfile import default_model_path, shipped_model_path

    inputs = list(args.samples)
    if not args.no_base:
        inputs += model_files(args.base or default_model_path())
    reads = {path.resolve() for path in inputs}
    defaults = {path.resolve() for model in (default_model_path(), shipped_model_path()) for path in model_files(model)}
    for output in model_files(args.out):
        if output.is_dir():
            raise ConfigError(f"--out {args.out}: {output} is a folder")
        if output.resolve() in reads:
            raise ConfigError(f"--out {args.out}: it would overwrite {output}, which this training reads")
        if output.resolve() in defaults:
            raise ConfigError(f"--out {args.out}: it would overwrite {output}, a file of the default model")


def run(args: argparse.Namespace) -> int:
    """Train, write the model, print where it went and its held-out figures."""
    if args.out.suffix != ".joblib":
        raise ConfigError(f"--out {args.out}: the model file name must end in .joblib")
    if not args.out.parent.is_dir():
        raise ConfigError(f"--out {args.out}: no such folder {args.out.parent}")
    if not os.access(args.out.parent, os.W_OK | os.X_OK):
        raise ConfigError(f"--out {args.out}: the folder {args.out.parent} is not writable")
    from detector.retrain import retrain

    check_outputs_spare_inputs(args)

    seed = RANDOM_STATE if args.seed is None else args.seed
    metadata = retrain(args.samples, args.out, args.base, not args.no_base, args.holdout, seed)
    data = metadata["data"]
    print(f"wrote {args.out} (sha256 {metadata['sha256'][:12]}…)")
    print(f"trained on {data['train_pages']} sample pages, {data['heldout_pages']} held out")
    if metadata["heldout"]:
        print(f"held-out samples: {headline(metadata['heldout'])}")
    if metadata["heldout_samples"]:
        print(f"shipped held-out pages: {headline(metadata['heldout_samples'])}")
    return EXIT_CLEAN

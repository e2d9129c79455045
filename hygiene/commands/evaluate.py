"""`hygiene evaluate SAMPLES...`: measure one model, or several side by side, on labelled samples."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from detector.errors import EXIT_CLEAN
from detector.settings import DEFAULT_THRESHOLD, LABELS
from hygiene.parsing import threshold

if TYPE_CHECKING:
    from detector.score import Scorer

PAGE_FIGURES = (
    ("detected", "contaminated pages detected"),
    ("false_flags", "clean pages flagged"),
    ("spam_removed", "injected text removed"),
    ("article_recall", "article recall"),
    ("article_kept", "clean copy's text kept"),
)
LABEL_WIDTH = 32
MIN_COLUMN_WIDTH = 22

EPILOG = """\
figures: per-label precision/recall/F1 over blocks (blocks of unknown label are not counted); the share of
contaminated pages detected and of clean pages flagged; the share of injected characters removed from the
clean text; the article's recall in it (4-token shingle recall, pages with "article" only); and how much of the
clean text of a page's clean copy (group "FORM/clean") its contaminated copies (groups "FORM/...") keep, paired
by URL.
--json prints {"samples": [...], "models": [{"path", "version", "sha256", "figures": {...}}]}; "figures"
also has them per "group" of samples. exit codes: 0 done; 2 error (bad samples, bad or tampered model).
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `evaluate` sub-command."""
    parser = subparsers.add_parser(
        "evaluate",
        help="measure models on labelled sample pages",
        description="Measure a model (or several, side by side) on labelled samples (see `hygiene train -h`).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("samples", nargs="+", type=Path, metavar="SAMPLES", help="labelled samples (.jsonl)")
    parser.add_argument(
        "--model",
        action="append",
        metavar="PATH",
        help="model file; repeat to compare models side by side (default: the shipped model)",
    )
    parser.add_argument("--threshold", type=threshold, default=DEFAULT_THRESHOLD, help="contamination cut-off (0-1]")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load every model first (any bad one stops the run), then measure each on the samples."""
    from tqdm import tqdm

    from detector.evaluate import evaluate_pages
    from detector.samples import load_sample_files
    from detector.score import Scorer

    files = load_sample_files(args.samples)
    scorers = [Scorer.from_path(path, args.threshold) for path in (args.model or [None])]
    pages = [page for sample_file in files for page in sample_file.pages]
    results = []
    for scorer in scorers:
        desc = f"evaluating {scorer.model.path.name}"
        progress = tqdm(pages, desc=desc, unit=" pages", disable=None, file=sys.stderr)
        results.append({**model_identity(scorer), "figures": evaluate_pages(progress, scorer)})
    if args.json:
        print(json.dumps({"samples": [f.summary() for f in files], "models": results}, ensure_ascii=False))
    else:
        print(report_table(files, results))
    return EXIT_CLEAN


def model_identity(scorer: Scorer) -> dict:
    """Path, version and sha256 of a scorer's model."""
    return {"path": str(scorer.model.path), "version": scorer.model.version, "sha256": scorer.model.sha256}


def report_table(files, results: list[dict]) -> str:
    """Figures of every model in one column each."""
    figures = [result["figures"] for result in results]
    names = [column_name(results, i) for i in range(len(results))]
    width = max(MIN_COLUMN_WIDTH, *(len(name) + 2 for name in names))
    first = figures[0]
    lines = [
        f"samples: {', '.join(str(f.path) for f in files)}",
        f"pages: {first['pages']} ({first['contaminated_pages']} contaminated, {first['clean_pages']} clean, "
        f"{first['unreadable']} unreadable)",
        "",
        _row("", names, width),
    ]
    for key, name in PAGE_FIGURES:
        lines.append(_row(name, [_figure(f[key]) for f in figures], width))
    lines.append("blocks (precision/recall/F1)")
    for label in LABELS:
        support = first["blocks"][label]["support"]
        lines.append(_row(f"  {label} ({support})", [_block_cell(f["blocks"][label]) for f in figures], width))
    return "\n".join(lines)


def column_name(results: list[dict], index: int) -> str:
    """A model's file name, or its whole path when two compared models share a file name."""
    names = [Path(result["path"]).name for result in results]
    name = names[index]
    return results[index]["path"] if names.count(name) > 1 else name


def headline(figures: dict) -> str:
    """The page-level figures in one line."""
    return ", ".join(f"{name} {_figure(figures[key])}" for key, name in PAGE_FIGURES)


def _row(label: str, cells: list[str], width: int) -> str:
    """One table line."""
    return (label.ljust(LABEL_WIDTH) + "".join(cell.ljust(width) for cell in cells)).rstrip()


def _figure(value: float | None) -> str:
    """A share to three decimals, or n/a; a share short of 1 never shows as 1.000 (0.9995 shows 0.999)."""
    if value is None:
        return "n/a"
    return "0.999" if 0.999 < value < 1 else f"{value:.3f}"


def _block_cell(figures: dict) -> str:
    """precision/recall/F1 of one label."""
    cells = [figures[key] for key in ("precision", "recall", "f1")]
    return "n/a" if all(cell is None for cell in cells) else "/".join(map(_figure, cells))

"""`hygiene score SOURCE...`: is a page contaminated, by what and why, and what is its clean text."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from detector.errors import EXIT_CLEAN, EXIT_CONTAMINATED, EXIT_ERROR, InputError
from detector.result import PageResult
from detector.settings import DEFAULT_THRESHOLD, FORMATS
from hygiene.parsing import threshold

if TYPE_CHECKING:
    from detector.score import Scorer

REPORT_TEXT_CHARS = 100


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `score` sub-command."""
    parser = subparsers.add_parser(
        "score",
        help="score pages (file, URL or - for stdin) for tag noise and spam",
        description="Score pages for injected tag noise and spam and print the clean article text. "
        "Exit code 0: every source clean; 1: at least one contaminated; 2: an error.",
    )
    parser.add_argument("sources", nargs="+", metavar="SOURCE", help="file path, http(s) URL, or - for stdin")
    parser.add_argument("--json", action="store_true", help="one JSON object per source per line")
    parser.add_argument("--format", choices=FORMATS, default="auto", help="input is HTML, scraped text, or guess")
    parser.add_argument("--model", help="model .joblib (default: the shipped model, or $HYGIENE_MODEL)")
    parser.add_argument("--threshold", type=threshold, default=DEFAULT_THRESHOLD, help="contamination cut-off (0-1]")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Score every source in order; a source that fails gives an error record and the rest go on."""
    from detector.fetch import read_source

    scorer = None  # loaded (with scikit-learn) at the first source read: a mistyped file name is told at once
    worst = EXIT_CLEAN
    stdin_read = False
    for source in args.sources:
        try:
            if source == "-" and stdin_read:
                raise InputError("standard input was already read by an earlier -")
            stdin_read = stdin_read or source == "-"
            raw = read_source(source)
            scorer = scorer or load_scorer(args.model, args.threshold)
            result = scorer.score(raw.data, fmt=args.format, url=raw.url, content_type=raw.content_type)
        except InputError as exc:
            message = str(exc)
            _print_error(source, message if message.startswith(source) else f"{source}: {message}", args.json)
            worst = EXIT_ERROR
            continue
        _print_result(source, result, args.json)
        if result.contaminated and worst == EXIT_CLEAN:
            worst = EXIT_CONTAMINATED
    return worst


def load_scorer(model: str | None, threshold: float) -> Scorer:
    """The scorer of `--model` and `--threshold` (imported here: scikit-learn takes seconds to load)."""
    from detector.score import Scorer

    return Scorer.from_path(model, threshold)


def _print_error(source: str, message: str, as_json: bool) -> None:
    """One error line: a JSON record on stdout, or a message on stderr."""
    if as_json:
        print(json.dumps({"source": source, "error": message}, ensure_ascii=False), flush=True)
    else:
        print(f"hygiene: error: {message}", file=sys.stderr, flush=True)


def _print_result(source: str, result: PageResult, as_json: bool) -> None:
    """The result as one JSON line or as a readable report."""
    if as_json:
        record = {"source": source, **result.to_dict()}
        print(json.dumps(record, ensure_ascii=False), flush=True)
        return
    print(readable_report(source, result), flush=True)


def readable_report(source: str, result: PageResult) -> str:
    """Verdict, score, flagged blocks with label, probability, place and reasons, then the clean text."""
    verdict = "CONTAMINATED" if result.contaminated else "clean"
    lines = [
        f"== {source}",
        f"verdict: {verdict}   score: {result.score:.4f}   format: {result.format}   model: {result.model['version']}",
    ]
    if result.title:
        lines.append(f"title: {result.title}")
    if result.flagged:
        lines.append(f"flagged blocks: {len(result.flagged)}")
    for flag in result.flagged:
        text = flag.text if len(flag.text) <= REPORT_TEXT_CHARS else flag.text[:REPORT_TEXT_CHARS] + "…"
        lines.append(f"  - {flag.label} p={flag.probability:.2f} at {flag.where or '?'}")
        lines.append(f"    text: {text}")
        lines.append(f"    why: {'; '.join(flag.reasons)}")
    lines.append("clean text:")
    lines.extend("  " + paragraph for paragraph in result.text.splitlines())
    return "\n".join(lines)

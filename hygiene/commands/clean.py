"""`hygiene clean`: score and clean whole corpora (JSON Lines, WARC) over all cores, resumably."""

from __future__ import annotations

import argparse
import os
import signal
import time
from pathlib import Path
from types import FrameType

from detector.errors import ConfigError, HygieneError, InputError
from detector.settings import DEFAULT_THRESHOLD
from hygiene.parsing import positive_int, threshold

EXIT_RECORDS_SKIPPED = 1

EPILOG = """\
output: one JSON line per document, in input order: the input's other fields (id, url, ...), then
"source" {"file", "line"|"offset"}, "title", "text" (clean article text), "score", "contaminated",
"flags". --quarantine also gets contaminated documents, with the raw page in "raw".

resuming: re-run the same command (same inputs, same order) and it continues after the last complete
line of OUTPUT; a partial last line left by a killed run is cut off first.

exit codes: 0 every record cleaned; 1 done, but some records were unreadable or refused (each one is
reported on stderr with its file:line or file@offset, and skipped); 2 error (missing input, bad
model, bad option), nothing more written; 130 interrupted by Ctrl-C or SIGTERM (re-run to resume).
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `clean` sub-command."""
    parser = subparsers.add_parser(
        "clean",
        help="clean JSON Lines or WARC corpora into JSON Lines (parallel, resumable)",
        description="Score and clean every document of JSON Lines or WARC/WARC.gz files.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="*.jsonl[.gz] or *.warc[.gz] files")
    parser.add_argument("-o", "--output", required=True, type=Path, help="JSON Lines output (appended to)")
    parser.add_argument("--format", choices=("jsonl", "warc"), help="input format (default: from the suffix)")
    parser.add_argument(
        "--field",
        metavar="NAME",
        help="JSON field holding the page (default: html if present, else text); a field named html is read as "
        "HTML, text as scraped text, any other as whichever it looks like (as score --format auto)",
    )
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=available_cores(),
        help="worker processes, each loading the model once (default: all cores)",
    )
    parser.add_argument(
        "--quarantine",
        type=Path,
        metavar="FILE",
        help="also write contaminated documents, with their raw page, to this JSON Lines file",
    )
    parser.add_argument("--model", metavar="PATH", help="model file (default: the shipped model)")
    parser.add_argument(
        "--threshold",
        type=threshold,
        default=DEFAULT_THRESHOLD,
        help=f"contamination threshold (default: {DEFAULT_THRESHOLD})",
    )
    parser.set_defaults(func=run)


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def stop_on_signals() -> None:
    """Take SIGTERM as Ctrl-C (unless Ctrl-C is ignored, as in a background job): interrupted, exit 130, resumable."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, interrupted)


def interrupted(signum: int, frame: FrameType | None) -> None:
    """Signal handler: stop the run with KeyboardInterrupt, ignoring any further signal while it stops."""
    for ignored in (signal.SIGINT, signal.SIGTERM):
        signal.signal(ignored, signal.SIG_IGN)
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    """Clean the inputs and return the exit code (see the epilog)."""
    started = time.perf_counter()
    stop_on_signals()
    from hygiene.corpus.clean import clean_corpus, report
    from hygiene.corpus.records import detect_format
    from hygiene.corpus.warc import check_warc_start

    check_options(args)
    if args.workers > available_cores():
        report(f"warning: --workers {args.workers} is more than the {available_cores()} cores here (~210 MB each)")
    formats = [detect_format(path, args.format) for path in args.inputs]
    for path in (path for path, fmt in zip(args.inputs, formats) if fmt == "warc"):
        check_warc_start(path)
    try:
        stats = clean_corpus(
            args.inputs,
            formats,
            args.output,
            field_name=args.field,
            quarantine=args.quarantine,
            workers=args.workers,
            model=args.model,
            threshold=args.threshold,
            started=started,
        )
    except OSError as exc:
        raise HygieneError(f"{exc.filename or 'I/O'}: {exc.strerror or exc}") from None
    report(f"{stats.summary()} -> {args.output}")
    return EXIT_RECORDS_SKIPPED if stats.skipped else 0


def check_options(args: argparse.Namespace) -> None:
    """Refuse missing or repeated inputs, an output that is also an input, and out-of-range numbers."""
    inputs: dict[Path, str] = {}
    for path in args.inputs:
        if os.path.isdir(path):
            raise InputError(f"{path} is a directory, not an input file (give its files)")
        if not os.path.isfile(path):
            raise InputError(f"no such input file: {path}")
        if not os.access(path, os.R_OK):
            raise InputError(f"cannot read input file: {path}")
        resolved = Path(path).resolve()
        if resolved in inputs:
            raise ConfigError(f"{path} is the same file as the input {inputs[resolved]}; give each input once")
        inputs[resolved] = path
    for target in (args.output, args.quarantine):
        if target is not None and target.resolve() in inputs:
            raise ConfigError(f"{target} is one of the inputs; pick another output file")
        if target is not None and not target.resolve().parent.is_dir():
            raise ConfigError(f"no such directory for {target}")
    if args.quarantine is not None and args.quarantine.resolve() == args.output.resolve():
        raise ConfigError("--quarantine must be another file than --output")

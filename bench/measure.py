"""One measuring process: load one tool, extract every page of its shard, report times and peak memory.

Run by `bench/run.py` in a fresh interpreter per tool (and per shard), so load time and peak RSS are the
tool's own. Only the `extract` calls are timed; the texts go to a JSON Lines file for scoring afterwards.

    python bench/measure.py TOOL PAGES.jsonl OUT.jsonl [--shard K --shards N] [--barrier] [--model PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

START = time.perf_counter()

from pages import read_pages  # noqa: E402 - imports after START count towards the load time
from peers import TOOLS, Extraction  # noqa: E402


def parse_args() -> argparse.Namespace:
    """Command-line options of one measuring process."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("tool", choices=sorted(TOOLS))
    parser.add_argument("pages", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--shard", type=int, default=0)
    parser.add_argument("--shards", type=int, default=1)
    parser.add_argument("--barrier", action="store_true", help="print 'ready' after loading, wait for a line on stdin")
    parser.add_argument("--model", help="model file for hygiene (default: the shipped model)")
    parser.add_argument("--cpu", type=int, help="pin this process to one CPU")
    return parser.parse_args()


def wait_for_go() -> None:
    """Tell the parent the tool is loaded, then wait until every shard is, so they all run at the same time."""
    print("ready", flush=True)
    sys.stdin.readline()


def extract_safely(tool, page) -> tuple[Extraction, str | None, float]:
    """The tool's extraction, the error it raised (if any), and the seconds it took."""
    started = time.perf_counter()
    try:
        extraction, error = tool.extract(page), None
    except Exception as exc:  # noqa: BLE001 - a peer failing on a page is a result, not a crash
        extraction, error = Extraction(""), f"{type(exc).__name__}: {str(exc)[:200]}"
    return extraction, error, time.perf_counter() - started


def peak_rss_mb() -> float:
    """This process's own peak resident memory (VmHWM; `ru_maxrss` would carry the parent's over `exec`)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    """Load, (wait,) extract, report one JSON line on stdout."""
    args = parse_args()
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    tool = TOOLS[args.tool]()
    tool.model = args.model
    tool.load()
    load_s = time.perf_counter() - START
    if args.barrier:
        wait_for_go()
    busy_s, pages, errors = 0.0, 0, 0
    started = time.perf_counter()
    with args.out.open("w", encoding="utf-8") as out:
        for page in read_pages(args.pages, args.shard, args.shards):
            extraction, error, seconds = extract_safely(tool, page)
            busy_s += seconds
            pages += 1
            errors += error is not None
            row = {"key": page.key, "text": extraction.text, "flagged": extraction.flagged, "error": error}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    summary = {
        "tool": args.tool,
        "shard": args.shard,
        "pages": pages,
        "errors": errors,
        "load_s": load_s,
        "busy_s": busy_s,
        "wall_s": time.perf_counter() - started,
        "max_rss_mb": peak_rss_mb(),
    }
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()

"""`hygiene stats`: what the store holds: items by status, quarantine, dropped pages by reason, crawls."""

from __future__ import annotations

import argparse
import json

from crawler.store import Store
from crawler.summary import summary, summary_lines

EPILOG = """\
exit codes: 0 printed; 2 error (no database at the path, not a SQLite file, not a store or damaged).
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `stats` sub-command."""
    parser = subparsers.add_parser(
        "stats",
        help="counts of the store: items, quarantine, dropped pages by reason, last crawl",
        description="Print what the SQLite store holds.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", metavar="PATH", help="SQLite store (default: hygiene.db in the user data folder)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def stats_lines(counts: dict) -> list[str]:
    """The store's counts as aligned text lines, then the summary of the last crawl."""
    dropped = counts["dropped"]
    reasons = ", ".join(f"{reason} {count}" for reason, count in sorted(dropped.items()))
    models = ", ".join(f"{version} ({count})" for version, count in sorted(counts["model_versions"].items()))
    lines = [
        f"store          {counts['db']}",
        f"items          {counts['items']:>6}  (clean {counts['clean']}, contaminated {counts['contaminated']})",
        f"quarantine     {counts['quarantine']:>6}",
        f"dropped        {sum(dropped.values()):>6}" + (f"  ({reasons})" if reasons else ""),
        f"models         {models or '-'}",
        f"crawls         {counts['crawls']:>6}",
    ]
    last = counts["last_crawl"]
    if last:
        lines.append(f"last crawl     {last['started_at']} to {last['finished_at']}")
        prefixed = {f"hygiene/{key}": value for key, value in last["stats"].items()}
        lines += ["  " + line for line in summary_lines(summary(prefixed, last["finish_reason"]))]
    return lines


def run(args: argparse.Namespace) -> int:
    """Print the counts."""
    store = Store.open_existing(args.db)
    try:
        store.check_integrity()
        counts = store.counts()
    finally:
        store.close()
    print(json.dumps(counts, sort_keys=True) if args.json else "\n".join(stats_lines(counts)))
    return 0

"""Clean-text F1 of the current code on every clean corpus page, training sites and held-out sites apart.

    python bench/clean_quality.py ../shared [--model PATH] [--pages OUT.json]

The clean-text steps after the model (`detector/clean.py::settle_content`) are chosen on the training sites'
pages and checked on the held-out ones: run this on two versions of the code and compare the rows (`--pages`
writes each page's precision and recall, to compare page by page). F1 is the benchmark's: 4-token shingles,
precision and recall averaged over pages.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

from build import CLEAN_GROUPS, corpus_pages

from detector.errors import InputError
from detector.metrics import corpus_f1
from detector.score import Scorer

CHINESE_GROUPS = ("cwced-zh", "daniel-multilingual/zh")


def rows_of(page_group: str) -> list[str]:
    """The table rows a page counts in: its group, Chinese pages together, and all pages."""
    return [page_group, *(["Chinese"] if page_group in CHINESE_GROUPS else []), "all clean pages"]


def main() -> None:
    """Score every clean corpus page and print F1 per group on training sites, held-out sites and both."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("shared", type=Path, nargs="?", default=Path("../shared"))
    parser.add_argument("--model", help="model file (default: the shipped model)")
    parser.add_argument("--pages", type=Path, help="write each page's precision and recall here (JSON)")
    args = parser.parse_args()
    scorer = Scorer.from_path(args.model)
    pairs: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    per_page = {}
    for corpus, lang in CLEAN_GROUPS:
        for page in corpus_pages(args.shared, corpus, lang, None):
            try:
                text = scorer.score(page.html, fmt="html", url=page.url).text
            except InputError:
                text = ""
            side = "held-out sites" if page.held_out else "training sites"
            for row in rows_of(page.group):
                pairs[(row, side)].append((text, page.article))
                pairs[(row, "both")].append((text, page.article))
            score = corpus_f1([(text, page.article)])
            per_page[page.key] = {"held_out": page.held_out, "precision": score.precision, "recall": score.recall}
    print("| pages | training sites | held-out sites | both |")
    print("|---|---:|---:|---:|")
    groups = sorted({row for row, _ in pairs} - {"Chinese", "all clean pages"})
    for row in [*groups, "Chinese", "all clean pages"]:
        cells = [pairs.get((row, side)) for side in ("training sites", "held-out sites", "both")]
        print(f"| {row} | " + " | ".join(_cell(cell) for cell in cells) + " |")
    if args.pages:
        args.pages.write_text(json.dumps(per_page, indent=1), encoding="utf-8")


def _cell(pairs: list[tuple[str, str]] | None) -> str:
    """F1 and page count of a table cell, or a dash when no page falls in it."""
    if not pairs:
        return "–"
    score = corpus_f1(pairs)
    return f"{score.f1:.4f} ({score.pages})"


if __name__ == "__main__":
    main()

"""Article recall if every block of a page were kept: the ceiling of any block-level cleaner on these ground truths.

    python bench/recall_ceiling.py ../shared [--worst 15]

Reads the clean HTML copies of the held-out sites (the pages behind the README's held-out table), keeps every
prose block (as the cleaner assembles them: immediate repeats once), and prints the mean 4-token-shingle recall of
the ground-truth article and the pages that fall furthest short (their ground truth holds text the HTML does not:
lists loaded by scripts, repeated passages).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from detector.basedata import base_pages
from detector.clean import clean_text
from detector.errors import InputError
from detector.inject import SpamVocabulary
from detector.metrics import page_prf
from detector.score import read_page, segment_page
from detector.settings import RANDOM_STATE

GROUP = "test/html/clean"


def recall_keeping_everything(data: str, article: str, url: str | None) -> float:
    """Shingle recall of the article in the text of all of a page's blocks."""
    text, fmt, _ = read_page(data, "html")
    blocks, _, _, _ = segment_page(text, fmt, url)
    return page_prf(clean_text(blocks, ["content"] * len(blocks)), article)[1]


def main() -> None:
    """Print the mean ceiling and the pages furthest below it."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("shared", type=Path, nargs="?", default=Path("../shared"))
    parser.add_argument("--worst", type=int, default=15)
    args = parser.parse_args()
    vocab = SpamVocabulary.from_lexicons(args.shared)
    recalls = []
    for page in base_pages(args.shared, RANDOM_STATE, vocab, "test"):
        if page.group != GROUP or not page.article:
            continue
        try:
            recalls.append((recall_keeping_everything(page.data, page.article, page.url), page.site))
        except InputError:
            recalls.append((0.0, page.site))
    if not recalls:
        raise SystemExit(f"no {GROUP} pages under {args.shared}")
    recalls.sort()
    mean = sum(recall for recall, _ in recalls) / len(recalls)
    print(f"{GROUP}: {len(recalls)} pages, article recall keeping every block {mean:.4f}")
    for recall, site in recalls[: args.worst]:
        print(f"  {recall:.3f}  {site}")


if __name__ == "__main__":
    main()

"""Clean-text F1 on pages of sites the model never trained on, beside trafilatura's on the same pages.

    python bench/heldout_quality.py ../shared [--model models/hygiene-base.joblib]

Held-out sites are the test side of the training split (`detector.dataset.is_test_site`); l3s-gn1 is never
trained on, so all of it is held out.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import trafilatura

from detector.corpora import iter_corpus
from detector.dataset import is_test_site
from detector.decode import decode_page
from detector.errors import InputError
from detector.metrics import corpus_f1
from detector.score import Scorer

GROUPS = (
    ("zyte-aeb", None),
    ("cwced-zh", None),
    ("daniel-multilingual", "zh"),
    ("daniel-multilingual", None),
    ("l3s-gn1", None),
)


def heldout_pages(shared: Path, corpus: str, lang: str | None):
    """Decoded held-out pages of one corpus group with their ground truth."""
    for page in iter_corpus(shared, corpus, lang):
        if corpus != "l3s-gn1" and not is_test_site(page.site):
            continue
        try:
            yield page, decode_page(page.data).text
        except InputError:
            continue


def main() -> None:
    """Print one Markdown table row per corpus group."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("shared", type=Path, nargs="?", default=Path("../shared"))
    parser.add_argument("--model")
    args = parser.parse_args()
    scorer = Scorer.from_path(args.model)
    print("| corpus (held-out sites) | pages | hygiene F1 | trafilatura F1 | hygiene pages/s | trafilatura pages/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for corpus, lang in GROUPS:
        pages = list(heldout_pages(args.shared, corpus, lang))
        ours, theirs = [], []
        started = time.perf_counter()
        for page, html in pages:
            ours.append((scorer.score(html, fmt="html", url=page.url).text, page.article))
        our_time = time.perf_counter() - started
        started = time.perf_counter()
        for page, html in pages:
            theirs.append((trafilatura.extract(html, url=page.url) or "", page.article))
        their_time = time.perf_counter() - started
        name = corpus + (f" ({lang})" if lang else "")
        print(
            f"| {name} | {len(pages)} | {corpus_f1(ours).f1:.3f} | {corpus_f1(theirs).f1:.3f} "
            f"| {len(pages) / our_time:.0f} | {len(pages) / their_time:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()

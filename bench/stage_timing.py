"""Milliseconds per stage (decode, parse, segment, features, predict, article) and end to end on ~100 KB pages,
one core, beside a bare lxml parse and trafilatura on the same pages.

    python bench/stage_timing.py ../shared [--model PATH] [--pages 60]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import lxml.html
import trafilatura

from detector.corpora import iter_corpus
from detector.decode import decode_page
from detector.features import page_features
from detector.model import load_model
from detector.pagecache import forget_page_caches
from detector.parse import parse_html
from detector.score import Scorer
from detector.segment import page_domain, segment_html

SIZE_RANGE = (70_000, 140_000)


def typical_pages(shared: Path, limit: int) -> list[bytes]:
    """Pages of 70-140 KB from the English and Chinese corpora."""
    found = []
    for corpus in ("zyte-aeb", "cwced-zh", "daniel-multilingual"):
        for page in iter_corpus(shared, corpus):
            if SIZE_RANGE[0] <= len(page.data) <= SIZE_RANGE[1]:
                found.append(page.data)
            if len(found) >= limit:
                return found
    return found


def timed(func, *args):
    """Result of a call and its duration in ms."""
    started = time.perf_counter()
    result = func(*args)
    return result, (time.perf_counter() - started) * 1000


def warm_up(scorer: Scorer, pages: list[bytes]) -> None:
    """One untimed pass of both tools over the pages: what a process keeps across pages (the scorer's table of
    feature weights, trafilatura's own caches) is then as warm as in any long run; what a page caches is
    forgotten before each timed `Scorer.score`."""
    for data in pages:
        scorer.score(data)
        trafilatura.extract(decode_page(data).text)


def main() -> None:
    """Print median ms per stage and the ratios against the bare parse and trafilatura."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("shared", type=Path, nargs="?", default=Path("../shared"))
    parser.add_argument("--model")
    parser.add_argument("--pages", type=int, default=60)
    args = parser.parse_args()
    scorer = Scorer(load_model(args.model))
    stages: dict[str, list[float]] = {
        k: [] for k in ("decode", "parse", "segment", "features", "predict", "article", "score", "bare", "traf")
    }
    pages = typical_pages(args.shared, args.pages)
    warm_up(scorer, pages)
    for data in pages:
        decoded, ms = timed(decode_page, data)
        stages["decode"].append(ms)
        page, ms = timed(parse_html, decoded.text)
        stages["parse"].append(ms)
        blocks, ms = timed(segment_html, page)
        stages["segment"].append(ms)
        features, ms = timed(page_features, blocks, page_domain(page, None), "", "html")
        stages["features"].append(ms)
        _, ms = timed(scorer._probabilities, features)
        stages["predict"].append(ms)
        _, clean_labels, contamination, content = scorer._classify(blocks, features)
        if scorer.model.article is not None:
            _, ms = timed(scorer.model.article.relabel, blocks, clean_labels, content, contamination, "html")
            stages["article"].append(ms)
        forget_page_caches()
        _, ms = timed(scorer.score, data)
        stages["score"].append(ms)
        _, ms = timed(lxml.html.document_fromstring, data)
        stages["bare"].append(ms)
        _, ms = timed(trafilatura.extract, decoded.text)
        stages["traf"].append(ms)
    medians = {k: statistics.median(v) for k, v in stages.items() if v}
    ours = sum(medians.get(k, 0.0) for k in ("decode", "parse", "segment", "features", "predict", "article"))
    print(f"{len(pages)} pages of {SIZE_RANGE[0] // 1000}-{SIZE_RANGE[1] // 1000} KB, median ms per page:")
    for name, value in medians.items():
        print(f"  {name:9s} {value:7.2f}")
    print(
        f"  hygiene stages {ours:.2f} ms = {ours / medians['bare']:.1f}x a bare lxml parse, "
        f"{ours / medians['traf']:.2f}x trafilatura's time on the same pages"
    )
    print(
        f"  hygiene Scorer.score end to end (cleaning and reasons too) "
        f"{medians['score']:.2f} ms = {medians['score'] / medians['traf']:.2f}x trafilatura's time"
    )


if __name__ == "__main__":
    main()

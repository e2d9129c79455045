"""Milliseconds per stage (decode, parse, segment, features, predict, article) and end to end, one core, beside a
bare lxml parse and trafilatura on the same pages.

    python bench/stage_timing.py ../shared [--model PATH] [--pages 60]
    python bench/stage_timing.py --bench-pages WORKDIR/pages.jsonl [--every 3]

The first form takes the median over typical pages (70-140 KB) of the corpora. The second sums each stage over
the benchmark's own pages (`bench/run.py --workdir` keeps them): where one core's time goes, and what the other
stages alone would allow against trafilatura.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import lxml.html
import trafilatura

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from pages import read_pages  # noqa: E402

from detector.corpora import iter_corpus  # noqa: E402
from detector.decode import decode_page  # noqa: E402
from detector.features import page_features  # noqa: E402
from detector.model import load_model  # noqa: E402
from detector.pagecache import forget_page_caches  # noqa: E402
from detector.parse import parse_html  # noqa: E402
from detector.score import Scorer  # noqa: E402
from detector.segment import page_domain, segment_html  # noqa: E402

SIZE_RANGE = (70_000, 140_000)
STAGES = ("decode", "parse", "segment", "features", "predict", "article")
WARM_UP_PAGES = 40


def typical_pages(shared: Path, limit: int) -> list[tuple[bytes, str | None]]:
    """Pages of 70-140 KB from the English and Chinese corpora, as bytes (no URL)."""
    found: list[tuple[bytes, str | None]] = []
    for corpus in ("zyte-aeb", "cwced-zh", "daniel-multilingual"):
        for page in iter_corpus(shared, corpus):
            if SIZE_RANGE[0] <= len(page.data) <= SIZE_RANGE[1]:
                found.append((page.data, None))
            if len(found) >= limit:
                return found
    return found


def bench_pages(path: Path, every: int) -> list[tuple[bytes, str | None]]:
    """Every `every`-th page of a benchmark page file, as UTF-8 bytes with its URL."""
    pages = read_pages(path)
    return [(page.html.encode("utf-8"), page.url) for index, page in enumerate(pages) if index % every == 0]


def timed(times: dict[str, list[float]], stage: str, func: Callable, *args):
    """Call `func(*args)`, add its duration in ms to `times[stage]`, return its result."""
    started = time.perf_counter()
    result = func(*args)
    times[stage].append((time.perf_counter() - started) * 1000)
    return result


def warm_up(scorer: Scorer, pages: list[tuple[bytes, str | None]]) -> None:
    """One untimed pass of both tools: what a process keeps across pages (the scorer's table of feature weights,
    trafilatura's own caches) is then as warm as in any long run; what a page caches is forgotten before each
    timed `Scorer.score`."""
    for data, url in pages:
        scorer.score(data, url=url)
        trafilatura.extract(decode_page(data).text)


def time_page(scorer: Scorer, data: bytes, url: str | None, times: dict[str, list[float]]) -> None:
    """Time each stage of one page, then `Scorer.score` end to end, a bare parse and trafilatura."""
    decoded = timed(times, "decode", decode_page, data)
    page = timed(times, "parse", parse_html, decoded.text)
    blocks = timed(times, "segment", segment_html, page)
    features = timed(times, "features", page_features, blocks, page_domain(page, url), "", "html")
    timed(times, "predict", scorer._probabilities, features)
    _, clean_labels, contamination, content = scorer._classify(blocks, features)
    if scorer.model.article is not None:
        timed(times, "article", scorer.model.article.relabel, blocks, clean_labels, content, contamination, "html")
    forget_page_caches()
    timed(times, "score", scorer.score, data, "auto", url)
    timed(times, "bare", lxml.html.document_fromstring, data)
    timed(times, "traf", trafilatura.extract, decoded.text)


def print_medians(times: dict[str, list[float]]) -> None:
    """Median ms per stage on typical pages, against the bare parse and trafilatura."""
    medians = {k: statistics.median(v) for k, v in times.items() if v}
    ours = sum(medians.get(k, 0.0) for k in STAGES)
    print(f"{len(times['score'])} pages of {SIZE_RANGE[0] // 1000}-{SIZE_RANGE[1] // 1000} KB, median ms per page:")
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


def print_budget(times: dict[str, list[float]]) -> None:
    """Mean ms per stage over the benchmark's pages, each stage's share of `Scorer.score`, and the pages/s ratio to
    trafilatura that `Scorer.score` has, and would have without segmentation and features."""
    means = {k: statistics.fmean(v) for k, v in times.items() if v}
    score, traf = means["score"], means["traf"]
    print(f"{len(times['score'])} benchmark pages, mean ms per page (share of Scorer.score):")
    for name in (*STAGES, "score", "bare", "traf"):
        print(f"  {name:9s} {means[name]:7.2f}  ({means[name] / score:.0%})")
    rest = score - sum(means[k] for k in STAGES)
    print(f"  the rest (classify, clean, reasons) {rest:.2f} ({rest / score:.0%})")
    print(f"  Scorer.score: {traf / score:.2f}x trafilatura's pages/s")
    without = score - means["segment"] - means["features"]
    print(f"  without segment and features (as if they took no time): {traf / without:.2f}x")


def main() -> None:
    """Time the stages on typical pages (medians) or on the benchmark's pages (means and budget)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("shared", type=Path, nargs="?", default=Path("../shared"))
    parser.add_argument("--model")
    parser.add_argument("--pages", type=int, default=60, help="typical pages to time (default 60)")
    parser.add_argument("--bench-pages", type=Path, help="a benchmark page file (bench/run.py --workdir)")
    parser.add_argument("--every", type=int, default=1, help="with --bench-pages: time every N-th page")
    args = parser.parse_args()
    scorer = Scorer(load_model(args.model))
    if args.bench_pages:
        pages = bench_pages(args.bench_pages, max(args.every, 1))
    else:
        pages = typical_pages(args.shared, args.pages)
    warm_up(scorer, pages[:WARM_UP_PAGES] if args.bench_pages else pages)
    times: dict[str, list[float]] = {k: [] for k in (*STAGES, "score", "bare", "traf")}
    for data, url in pages:
        time_page(scorer, data, url, times)
    if args.bench_pages:
        print_budget(times)
    else:
        print_medians(times)


if __name__ == "__main__":
    main()

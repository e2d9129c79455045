"""What the hygiene pipeline adds per page over Scrapy alone (target: under 15 ms a page).

    .venv/bin/python bench/bench_pipeline.py [--copies 40] [--repeat 3]

Serves a synthetic news site on 127.0.0.1 (the demo stories, clean and contaminated, copied
`--copies` times, behind paginated listing pages) and crawls it in a fresh subprocess per run:

  scrapy-alone   a bare Scrapy spider that follows the same links and yields nothing
  news-spider    the `news` spider (page kind, metadata) with no item pipeline
  hygiene        the `news` spider, the conditional-GET middleware and the hygiene pipeline
                 (detector scoring + SQLite store), i.e. `hygiene crawl`

Times run from the engine start to the spider close (interpreter start-up and imports excluded);
the median of `--repeat` runs is reported, per page, with the differences. Last, the pipeline's
own work is timed without Scrapy: scoring and storing each page in one thread.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from crawler.demo_site.content import STORIES
from crawler.demo_site.server import Route, SiteServer
from crawler.demo_site.site import page, story_html

LISTING_SIZE = 50
VARIANTS = ("scrapy-alone", "news-spider", "hygiene")
TARGET_MS = 15.0
BENCH_SETTINGS = {
    "LOG_LEVEL": "ERROR",
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "ROBOTSTXT_OBEY": False,
    "DEPTH_LIMIT": 0,
}


def bench_routes(copies: int) -> dict[str, Route]:
    """`copies` copies of every demo story, listed 50 to a page from `/`."""
    routes: dict[str, Route] = {}
    paths = []
    for copy in range(copies):
        for story in STORIES:
            path = f"/c{copy}{story.path}"
            routes[path] = Route(story_html(story).replace(story.path, path).encode())
            paths.append(path)
    pages = [paths[i : i + LISTING_SIZE] for i in range(0, len(paths), LISTING_SIZE)]
    for number, chunk in enumerate(pages):
        links = "".join(f'<li><a href="{p}">story {p}</a></li>' for p in chunk)
        more = f'<a href="/list/{number + 1}">older</a>' if number + 1 < len(pages) else ""
        routes["/" if number == 0 else f"/list/{number}"] = Route(page("Latest", f"<ul>{links}</ul>{more}").encode())
    return routes


def run_variant(variant: str, seed: str, db: str) -> dict:
    """Crawl once in this process; return pages and seconds from engine start to spider close."""
    from scrapy import Request, Spider, signals
    from scrapy.crawler import AsyncCrawlerProcess
    from scrapy.linkextractors import LinkExtractor
    from scrapy.settings import Settings

    from crawler.spiders.news import NewsSpider

    class BareSpider(Spider):
        """Scrapy alone: fetch every linked page, extract links, yield no items."""

        name = "bare"
        allowed_domains = ["127.0.0.1"]
        links = LinkExtractor()

        async def start(self):
            yield Request(seed)

        def parse(self, response):
            for link in self.links.extract_links(response):
                yield Request(link.url)

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict({**BENCH_SETTINGS, "HYGIENE_DB": db}, priority="cmdline")
    if variant != "hygiene":
        settings.setdict({"ITEM_PIPELINES": {}, "DOWNLOADER_MIDDLEWARES": {}}, priority="cmdline")
    process = AsyncCrawlerProcess(settings)
    crawler = process.create_crawler(BareSpider if variant == "scrapy-alone" else NewsSpider)
    marks: dict[str, float] = {}

    def mark(name: str):
        return lambda: marks.setdefault(name, time.perf_counter())

    start, end = mark("start"), mark("end")  # kept alive: Scrapy holds signal receivers weakly
    crawler.signals.connect(start, signal=signals.engine_started)
    crawler.signals.connect(end, signal=signals.spider_closed)
    process.crawl(crawler, **({} if variant == "scrapy-alone" else {"seeds": seed}))
    process.start()
    pages = crawler.stats.get_value("response_received_count", 0)
    return {"pages": pages, "seconds": marks["end"] - marks["start"]}


def crawl_in_subprocess(variant: str, seed: str) -> dict:
    """One run of a variant in a fresh interpreter with an empty store."""
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [sys.executable, __file__, "--child", variant, seed, str(Path(tmp) / "bench.db")],
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(out.stdout.strip().splitlines()[-1])


def pipeline_alone(routes: dict[str, Route], base: str) -> tuple[float, float]:
    """Milliseconds per article page for scoring, and for scoring plus storing, without Scrapy."""
    from crawler.items import PageItem
    from crawler.pipelines import PageHandler, load_scorer
    from crawler.store import Store

    articles = [(path, r.body) for path, r in routes.items() if path.startswith("/c")]
    scorer = load_scorer(None, 0.5)
    scorer.score(articles[0][1], url=base + articles[0][0])  # warm-up: first-call caches
    start = time.perf_counter()
    for path, body in articles:
        scorer.score(body, url=base + path, content_type="text/html; charset=utf-8")
    score_ms = (time.perf_counter() - start) * 1000 / len(articles)
    with tempfile.TemporaryDirectory() as tmp:
        handler = PageHandler(scorer, Store.open(Path(tmp) / "bench.db"))
        start = time.perf_counter()
        for path, body in articles:
            handler.handle(PageItem(base + path, body, "text/html; charset=utf-8", "article"))
        handle_ms = (time.perf_counter() - start) * 1000 / len(articles)
        handler.store.close()
    return score_ms, handle_ms


def main() -> int:
    """Run every variant `--repeat` times against the synthetic site and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=40, help="copies of the demo stories (default 40)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per variant; the median is kept (default 3)")
    parser.add_argument("--child", nargs=3, metavar=("VARIANT", "SEED", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_variant(*args.child)))
        return 0
    routes = bench_routes(args.copies)
    results = {}
    with SiteServer(routes) as server:
        for variant in VARIANTS:
            runs = [crawl_in_subprocess(variant, server.url("/")) for _ in range(args.repeat)]
            pages = runs[0]["pages"]
            results[variant] = (pages, statistics.median(run["seconds"] for run in runs) * 1000 / pages)
            seconds = ", ".join(f"{run['seconds']:.2f}s" for run in runs)
            print(f"{variant:<13} {pages:>5} pages  {results[variant][1]:7.2f} ms/page  (runs: {seconds})")
        score_ms, handle_ms = pipeline_alone(routes, server.base_url)
    overhead = results["hygiene"][1] - results["scrapy-alone"][1]
    print(f"hygiene over scrapy-alone: {overhead:+.2f} ms/page (target < {TARGET_MS:.0f})")
    print(f"hygiene over news-spider:  {results['hygiene'][1] - results['news-spider'][1]:+.2f} ms/page")
    print(f"pipeline work without Scrapy: score {score_ms:.2f} ms/article, score + store {handle_ms:.2f} ms/article")
    return 0 if overhead < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())

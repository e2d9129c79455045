"""A tqdm progress line for a running crawl: pages handled so far, by outcome (shown on terminals only)."""

from __future__ import annotations

import sys

from scrapy import signals
from scrapy.crawler import Crawler
from tqdm import tqdm

from crawler.summary import summary


class ProgressBar:
    """Counts every page the hygiene pipeline finished with; a context manager around the crawl."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.bar = tqdm(desc="crawl", unit=" pages", file=sys.stderr, disable=None, leave=False)
        crawler.signals.connect(self.page_done, signal=signals.item_scraped)
        crawler.signals.connect(self.page_done, signal=signals.item_dropped)

    def page_done(self) -> None:
        """One more page: advance and show the counts so far."""
        counts = summary(self.crawler.stats.get_stats(), None)
        self.bar.set_postfix(
            clean=counts["clean"],
            contaminated=counts["contaminated"],
            unchanged=counts["unchanged"],
            dropped=sum(counts["dropped"].values()),
            refresh=False,
        )
        self.bar.update(1)

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc_info) -> None:
        self.bar.close()

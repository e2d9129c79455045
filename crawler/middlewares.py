"""Downloader middleware: ask the server whether a stored article changed (conditional GET).

For a URL already stored as an item, the request carries `If-None-Match` / `If-Modified-Since`
from the stored ETag / Last-Modified, and a 304 answer reaches the spider (which yields
`NotModified`). Pages never stored, listing pages included, are always fetched in full, so new
links are still found.
"""

from __future__ import annotations

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler

from crawler.store import Store

NOT_MODIFIED = 304


class ConditionalGetMiddleware:
    """Adds HTTP validators of stored items to their requests and lets 304 answers through."""

    def __init__(self, db_path: str | None):
        self.db_path = db_path
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        """Read the store path from HYGIENE_DB and open the store with the spider."""
        middleware = cls(crawler.settings.get("HYGIENE_DB"))
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        """Open a reading connection to the store (WAL: it never blocks the pipeline's writes)."""
        self.store = Store.open(self.db_path)

    def spider_closed(self, spider: Spider) -> None:
        """Close the reading connection."""
        if self.store is not None:
            self.store.close()

    def process_request(self, request: Request) -> None:
        """Make the request conditional when its URL is stored with an ETag or a Last-Modified date."""
        if self.store is None or request.method != "GET":
            return
        known = self.store.known_page(request.url)
        if known is None or not (known.etag or known.last_modified):
            return
        if known.etag:
            request.headers.setdefault("If-None-Match", known.etag)
        if known.last_modified:
            request.headers.setdefault("If-Modified-Since", known.last_modified)
        allowed = request.meta.get("handle_httpstatus_list", [])
        request.meta["handle_httpstatus_list"] = [*allowed, NOT_MODIFIED]

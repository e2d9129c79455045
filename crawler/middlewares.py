"""Downloader middleware: ask the server whether a stored article changed (conditional GET).

For a URL already stored as an item: (1) when the sitemap entry that led to it carries the same
`<lastmod>` as the stored item, the page is not requested at all and a 304 is made up for it;
(2) otherwise the request carries `If-None-Match` / `If-Modified-Since` from the stored ETag /
Last-Modified. A 304 reaches the spider, which yields `NotModified`. Pages never stored, listing
pages included, are always fetched in full, so new links are still found.
"""

from __future__ import annotations

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

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

    def process_request(self, request: Request) -> Response | None:
        """Answer 304 for an unchanged sitemap `<lastmod>`, else send the stored validators, if any."""
        if self.store is None or request.method != "GET":
            return None
        known = self.store.known_page(request.url)
        if known is None:
            return None
        lastmod = request.meta.get("lastmod")
        if lastmod and lastmod == known.lastmod:
            allow_not_modified(request)
            return Response(request.url, status=NOT_MODIFIED, request=request, flags=["sitemap-lastmod"])
        if known.etag:
            request.headers.setdefault("If-None-Match", known.etag)
        if known.last_modified:
            request.headers.setdefault("If-Modified-Since", known.last_modified)
        if known.etag or known.last_modified:
            allow_not_modified(request)
        return None


def allow_not_modified(request: Request) -> None:
    """Let a 304 answer to this request reach the spider (HttpErrorMiddleware filters it otherwise)."""
    allowed = request.meta.get("handle_httpstatus_list", [])
    request.meta["handle_httpstatus_list"] = [*allowed, NOT_MODIFIED]

"""The hygiene item pipeline: score every article page with the detector and store the outcome.

For a `PageItem`, in order: (1) unchanged since the last crawl (same body hash, same model) ->
nothing written; (2) a listing page -> dropped `not-article`; (3) the detector cannot read it ->
dropped `unreadable`; (4) nothing left after cleaning -> dropped `empty-text`; (5) otherwise an
item with the clean text, plus a quarantine record with the raw page when it is contaminated.
Scoring and SQLite writes run in one worker thread, so the crawl keeps downloading meanwhile.
Counts go to the stats collector as `hygiene/pages_seen`, `hygiene/pages_clean`,
`hygiene/pages_contaminated`, `hygiene/unchanged` and `hygiene/dropped/<reason>`. A failed store write
(disk full, read-only file) stops the crawl with finish reason `store_error`, its message in `hygiene/store_error`:
pages that cannot be stored are not crawled.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from functools import lru_cache

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.extensions import close_spider_soon
from crawler.items import DroppedPage, NotModified, PageItem
from crawler.store import DroppedRecord, ItemRecord, QuarantineRecord, Store, utc_now
from crawler.summary import STATS_PREFIX, hygiene_stats, summary, summary_lines
from detector import InputError, PageResult, Scorer
from detector.errors import ConfigError

logger = logging.getLogger(__name__)

STORE_ERROR_REASON = "store_error"
"""The finish reason of a crawl stopped by a failed store write."""
STORE_ERROR_STAT = f"{STATS_PREFIX}store_error"
"""The stat holding the message of the first failed store write."""
STORE_WRITE_ERRORS = (sqlite3.Error, OSError)
"""What a failed store write raises: SQLite's `database or disk is full`, `attempt to write a readonly database` ..."""


@lru_cache(maxsize=4)
def load_scorer(path: str | None, threshold: float) -> Scorer:
    """The detector for a model path and threshold, loaded once per process."""
    return Scorer.from_path(path, threshold=threshold)


def check_crawl_settings(db: str | None, model: str | None, threshold: object) -> None:
    """Open the store and load the model as the pipeline will, before any request: ConfigError (ModelError for the
    model) for a store that is damaged, foreign or read-only, or a threshold that is no number in (0, 1]."""
    try:
        number = float(threshold)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ConfigError(f"HYGIENE_THRESHOLD must be a number in (0, 1], got {threshold!r}") from None
    store = Store.open(db)
    try:
        store.check_integrity()
        store.check_writable()
    finally:
        store.close()
    load_scorer(model, number)


class PageUnchanged(DropItem):
    """The page is stored already, with the same content and model: nothing to write."""


class PageDropped(DropItem):
    """The page produced no article (the store records the reason)."""


@dataclass
class Outcome:
    """What happened to one page: the stat to count and the article passed on, if any."""

    stat: str
    item: dict | None = None
    message: str = ""


def content_hash(body: bytes) -> str:
    """The key that tells an unchanged page: sha256 of the raw body."""
    return hashlib.sha256(body).hexdigest()


def quarantine_record(page: PageItem, result: PageResult, digest: str, fetched_at: str) -> QuarantineRecord:
    """The raw page and every flagged block of a contaminated page."""
    return QuarantineRecord(
        url=page.url,
        raw=page.body,
        content_type=page.content_type,
        encoding=result.encoding,
        flagged=json.dumps([asdict(flag) for flag in result.flagged], ensure_ascii=False),
        score=result.score,
        model_version=result.model.get("version", "unknown"),
        fetched_at=fetched_at,
        content_hash=digest,
    )


def item_record(page: PageItem, result: PageResult, digest: str, fetched_at: str) -> ItemRecord:
    """The stored article: the page's metadata and the detector's clean text and verdict."""
    return ItemRecord(
        url=page.url,
        canonical_url=page.canonical_url,
        title=page.title or result.title or None,
        published=page.published,
        author=page.author,
        text=result.text,
        status="contaminated" if result.contaminated else "clean",
        score=result.score,
        flagged=json.dumps(result.reasons_summary(), sort_keys=True),
        model_version=result.model.get("version", "unknown"),
        fetched_at=fetched_at,
        content_hash=digest,
        etag=page.etag,
        last_modified=page.last_modified,
        lastmod=page.lastmod,
    )


def passed_on(record: ItemRecord) -> dict:
    """The stored article as passed on to later pipelines and feed exports (flag counts decoded)."""
    return {**asdict(record), "flagged": json.loads(record.flagged)}


class PageHandler:
    """Decides and stores the outcome of one page; runs in the pipeline's worker thread."""

    def __init__(self, scorer: Scorer, store: Store):
        self.scorer = scorer
        self.store = store
        self.model_version = scorer.model.version

    def handle(self, item: PageItem | DroppedPage | NotModified) -> Outcome:
        """Store what the page gave and say which stat it counts towards."""
        if isinstance(item, NotModified):
            return self.unchanged(item.url, "not modified")
        if isinstance(item, DroppedPage):
            return self.drop(item.url, item.reason, item.detail)
        return self.handle_page(item)

    def unchanged(self, url: str, message: str) -> Outcome:
        """A stored page found unchanged: why an earlier fetch of it failed no longer holds."""
        self.store.clear_dropped_of_item(url)
        return Outcome("unchanged", message=message)

    def drop(self, url: str, reason: str, detail: str, digest: str | None = None) -> Outcome:
        """Record a page that produced no article."""
        self.store.save_dropped(DroppedRecord(url, reason, detail, utc_now(), digest))
        return Outcome(f"dropped/{reason}", message=f"{reason}: {detail}" if detail else reason)

    def is_unchanged(self, url: str, digest: str) -> bool:
        """True when the store has this URL with the same body, judged by the same model."""
        known = self.store.known_page(url)
        return known is not None and known.content_hash == digest and known.model_version in (None, self.model_version)

    def handle_page(self, page: PageItem) -> Outcome:
        """Score and store an HTML page (see the module docstring for the order of checks)."""
        digest = content_hash(page.body)
        if self.is_unchanged(page.url, digest):
            return self.unchanged(page.url, "same content as stored")
        if page.kind != "article":
            return self.drop(page.url, "not-article", f"{page.kind} page", digest)
        try:
            result = self.scorer.score(page.body, url=page.url, content_type=page.content_type)
        except InputError as exc:
            return self.drop(page.url, "unreadable", str(exc), digest)
        if not result.text.strip():
            return self.drop(page.url, "empty-text", "nothing left after cleaning", digest)
        fetched_at = utc_now()
        record = item_record(page, result, digest, fetched_at)
        quarantine = quarantine_record(page, result, digest, fetched_at) if result.contaminated else None
        self.store.save_item(record, quarantine)
        return Outcome(f"pages_{record.status}", passed_on(record))


class HygienePipeline:
    """Scores pages with the detector (model loaded once per process) and writes the SQLite store."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hygiene")
        self.handler: PageHandler | None = None
        self.started_at = utc_now()
        self.closing: asyncio.Task | None = None  # the spider's closing on a store error, kept from the collector
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HygienePipeline:
        """Build the pipeline for a crawler (settings HYGIENE_DB, HYGIENE_MODEL, HYGIENE_THRESHOLD)."""
        return cls(crawler)

    def open_spider(self) -> None:
        """Load the model and open the store before the first page arrives."""
        settings = self.crawler.settings
        scorer = load_scorer(settings.get("HYGIENE_MODEL"), settings.getfloat("HYGIENE_THRESHOLD"))
        self.handler = PageHandler(scorer, Store.open(settings.get("HYGIENE_DB")))
        self.started_at = utc_now()
        logger.info("hygiene: model %s, store %s", scorer.model.version, self.handler.store.path)

    async def process_item(self, item):
        """Handle hygiene items in the worker thread; pass anything else through untouched."""
        if not isinstance(item, PageItem | DroppedPage | NotModified):
            return item
        future = self.executor.submit(self.handler.handle, item)
        try:
            outcome = await asyncio.wrap_future(future)
        except STORE_WRITE_ERRORS as exc:
            self.stop_on_store_error(exc)
            raise PageDropped(f"not stored: {exc}", log_level="DEBUG") from None
        stats = self.crawler.stats
        stats.inc_value(f"{STATS_PREFIX}pages_seen")
        stats.inc_value(f"{STATS_PREFIX}{outcome.stat}")
        if outcome.item is not None:
            return outcome.item
        if outcome.stat == "unchanged":
            raise PageUnchanged(outcome.message, log_level="DEBUG")
        raise PageDropped(outcome.message, log_level="DEBUG")

    def stop_on_store_error(self, exc: Exception) -> None:
        """Close the spider at the first failed store write: every later page would be lost too."""
        if self.note_store_error(exc):
            self.closing = close_spider_soon(self.crawler, STORE_ERROR_REASON)

    def note_store_error(self, exc: Exception) -> bool:
        """Log a failed store write and keep its message in the stats; True for the first one of the crawl."""
        stats = self.crawler.stats
        if stats.get_value(STORE_ERROR_STAT) is not None:
            return False
        message = f"{self.handler.store.path}: cannot write to the store ({exc})"
        stats.set_value(STORE_ERROR_STAT, message)
        logger.error("hygiene: %s; stopping the crawl", message)
        return True

    def close_spider(self) -> None:
        """Wait for the page being handled, if any."""
        self.executor.shutdown(wait=True)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Log the summary, keep a line for this crawl in the store, and close it."""
        if self.handler is None:
            return
        stats = self.crawler.stats.get_stats()
        for line in summary_lines(summary(stats, reason)):
            logger.info("hygiene: %s", line)
        store = self.handler.store
        if STORE_ERROR_STAT not in stats:
            try:
                store.record_crawl(self.started_at, reason, getattr(spider, "seeds", []), hygiene_stats(stats))
            except STORE_WRITE_ERRORS as exc:
                self.note_store_error(exc)
        store.close()

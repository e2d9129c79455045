"""JobDirGuard: make a JOBDIR safe to resume from, even after the crawl was killed with SIGKILL.

Scrapy writes a JOBDIR's queue state only on a clean shutdown and buffers its seen-requests file,
so after a hard kill the directory lists requests as seen that were never fetched, and resuming
from it would silently lose those pages. The guard marks the JOBDIR while a crawl runs; if a
crawl starts and finds the mark, the previous one died: the JOBDIR is emptied and the crawl
starts again from the seeds, where the store skips every page it already holds (conditional GET,
content hash), so nothing is lost and nothing is stored twice. A lock refuses two crawls at once
on the same JOBDIR; `hygiene crawl` takes it before the crawl starts (`lock_job_dir`) and the guard
takes it over.

PageLimit: stop a crawl after HYGIENE_MAX_PAGES pages (`--max-pages`), counted as the hygiene pipeline sees them:
unlike Scrapy's CLOSESPIDER_PAGECOUNT, robots.txt, sitemaps and feeds are not counted.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import shutil
from pathlib import Path
from typing import TextIO

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.job import job_dir

from crawler.summary import STATS_PREFIX
from detector.errors import ConfigError

logger = logging.getLogger(__name__)

PAGE_LIMIT_REASON = "closespider_pagecount"
"""The finish reason of a crawl stopped by its page limit (Scrapy's own, so `--resume` reads it as usual)."""
RUNNING_MARK = "hygiene.running"
LOCK_FILE = "hygiene.lock"
_held_locks: dict[Path, TextIO] = {}
"""The JOBDIR locks this process holds (flock refuses a second lock on the same file even to the same process)."""


def clear_job_dir(path: Path) -> None:
    """Delete everything in a JOBDIR except its lock file."""
    for entry in path.iterdir():
        if entry.name == LOCK_FILE:
            continue
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def lock_job_dir(path: Path) -> bool:
    """Take the lock of a JOBDIR (creating it) for this process until `unlock_job_dir`; False when another crawl
    holds it. Taking a lock this process holds already is a no-op."""
    path = path.resolve()
    if path in _held_locks:
        return True
    path.mkdir(parents=True, exist_ok=True)
    lock = (path / LOCK_FILE).open("a")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        return False
    _held_locks[path] = lock
    return True


def unlock_job_dir(path: Path) -> None:
    """Release the lock of a JOBDIR taken by `lock_job_dir`."""
    lock = _held_locks.pop(path.resolve())
    fcntl.flock(lock, fcntl.LOCK_UN)
    lock.close()


class JobDirGuard:
    """Locks the JOBDIR, empties it if the last crawl in it died, and marks it while crawling."""

    def __init__(self, path: Path):
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JobDirGuard:
        """Active only when JOBDIR is set."""
        path = job_dir(crawler.settings)
        if not path:
            raise NotConfigured
        guard = cls(Path(path))
        guard.acquire()
        crawler.signals.connect(guard.spider_closed, signal=signals.spider_closed)
        return guard

    def acquire(self) -> None:
        """Take the lock (ConfigError if another crawl holds it), recover from a killed crawl, mark."""
        if not lock_job_dir(self.path):
            raise ConfigError(f"{self.path}: another crawl is using this job directory")
        mark = self.path / RUNNING_MARK
        if mark.exists():
            logger.warning(
                "%s: the previous crawl did not shut down cleanly; starting again from the seeds"
                " (pages already stored are skipped)",
                self.path,
            )
            clear_job_dir(self.path)
        mark.write_text(str(os.getpid()), encoding="utf-8")

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """A clean shutdown: Scrapy has saved its queue, so the JOBDIR can be resumed as is."""
        (self.path / RUNNING_MARK).unlink(missing_ok=True)
        unlock_job_dir(self.path)


class PageLimit:
    """Closes the spider once the hygiene pipeline has seen HYGIENE_MAX_PAGES pages (stored, unchanged or dropped)."""

    def __init__(self, crawler: Crawler, limit: int):
        self.crawler = crawler
        self.limit = limit
        self.closing: asyncio.Task | None = None  # the spider's closing, kept from the garbage collector

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageLimit:
        """Active only when HYGIENE_MAX_PAGES is set."""
        limit = crawler.settings.getint("HYGIENE_MAX_PAGES")
        if limit <= 0:
            raise NotConfigured
        extension = cls(crawler, limit)
        crawler.signals.connect(extension.page_done, signal=signals.item_scraped)
        crawler.signals.connect(extension.page_done, signal=signals.item_dropped)
        return extension

    def page_done(self) -> None:
        """Close the spider when the pages seen reach the limit (requests under way still finish)."""
        if self.closing is None and self.crawler.stats.get_value(f"{STATS_PREFIX}pages_seen", 0) >= self.limit:
            self.closing = close_spider_soon(self.crawler, PAGE_LIMIT_REASON)


def close_spider_soon(crawler: Crawler, reason: str) -> asyncio.Task:
    """Start closing the crawl's spider with `reason`; keep the task returned (the garbage collector would drop it)."""
    return asyncio.get_running_loop().create_task(crawler.engine.close_spider_async(reason=reason))

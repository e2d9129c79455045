"""Caches that live for one page: repeated class names, styles, links and texts within a page hit them, and
`forget_page_caches` empties them after each page, so that no cached string outlives its page and pins the
allocator's memory (long-lived caches grew a worker's memory by ~100 MB over a few thousand pages)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

_PAGE_CACHES: list = []


def page_cache(maxsize: int) -> Callable:
    """`functools.lru_cache(maxsize)` emptied by `forget_page_caches`."""

    def decorate(func: Callable) -> Callable:
        cached = lru_cache(maxsize=maxsize)(func)
        _PAGE_CACHES.append(cached)
        return cached

    return decorate


class PageMemo(dict):
    """Results computed many at a time (a page's texts in one vectorized pass), kept like a page cache: emptied
    by `forget_page_caches`, and when `maxsize` would be passed."""

    def __init__(self, maxsize: int) -> None:
        super().__init__()
        self.maxsize = maxsize
        _PAGE_CACHES.append(self)

    def remember(self, key: object, value: object) -> None:
        """Keep one result, emptying the memo first when it is full."""
        if len(self) >= self.maxsize:
            self.clear()
        self[key] = value

    def cache_clear(self) -> None:
        """Forget every result (as `functools.lru_cache` objects are told to)."""
        self.clear()


def forget_page_caches() -> None:
    """Empty every page cache (the scorer calls this when a page is done)."""
    for cached in _PAGE_CACHES:
        cached.cache_clear()


def cached_results() -> int:
    """How many results the page caches hold right now."""
    return sum(len(cached) if isinstance(cached, PageMemo) else cached.cache_info().currsize for cached in _PAGE_CACHES)

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


def forget_page_caches() -> None:
    """Empty every page cache (the scorer calls this when a page is done)."""
    for cached in _PAGE_CACHES:
        cached.cache_clear()

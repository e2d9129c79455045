"""What the news spider yields and what the hygiene pipeline passes on.

The spider yields one of `PageItem` (an HTML page), `DroppedPage` (a page that cannot become an
article: fetch error, not HTML) or `NotModified` (a 304 answer to a conditional request); the
pipeline stores them and passes on every stored article as a dict with the store's item fields
(what `scrapy crawl news -O items.jsonl` writes).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PageItem:
    """A fetched HTML page with what the spider read from it."""

    url: str
    body: bytes = field(repr=False)
    content_type: str | None
    kind: str
    """`article` or `listing` (front pages, sections, tag pages)."""
    canonical_url: str | None = None
    title: str | None = None
    author: str | None = None
    published: str | None = None
    lastmod: str | None = None
    """`<lastmod>` of the sitemap entry (or the feed entry date) that led to the page."""
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class DroppedPage:
    """A page that produced no article, with a reason code and a one-line detail."""

    url: str
    reason: str
    detail: str = ""


@dataclass
class NotModified:
    """The server answered 304 to a conditional request: the stored item is current."""

    url: str

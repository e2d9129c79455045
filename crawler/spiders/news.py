"""The `news` spider: from seeds (front pages, sitemaps, RSS/Atom feeds) to article pages.

    scrapy crawl news -a seeds=https://example.com/,https://example.com/sitemap.xml \
        -a depth=3 -a max_pages=500 -a allow_domains=example.com

Every HTML page becomes a `PageItem` (kind `article` or `listing`) and its in-site links are
followed up to `depth` hops (a sitemap index, a sitemap or a feed counts as a hop, like a link);
`depth=0` fetches the seeds only (unlike Scrapy's DEPTH_LIMIT, where 0 means no limit).
Failures become `DroppedPage` items with a reason, so the store says why a page is missing.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import AsyncIterator, Iterable, Iterator
from urllib.parse import urlsplit

from parsel import Selector
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure

from crawler.items import DroppedPage, NotModified, PageItem
from crawler.middlewares import NOT_MODIFIED
from crawler.pageinfo import canonical_url, page_author, page_kind, page_title, published_date

SITEMAP_TYPES = ("urlset", "sitemapindex")
FEED_TYPES = ("rss", "feed", "RDF")
FEED_ENTRIES = "//*[local-name()='item' or local-name()='entry']"
FEED_LINK = "*[local-name()='link'][not(@rel) or @rel='alternate']/@href | *[local-name()='link'][not(@href)]/text()"
FEED_DATE = "*[local-name()='updated' or local-name()='published' or local-name()='pubDate' or local-name()='date']"
SPIDER_ARGUMENTS = ("seeds", "allow_domains", "depth", "max_pages")
"""The `-a` arguments of the spider; names starting with `_` (scrapyd's `_job`) are let through too."""


class UnreadableDocument(Exception):
    """A sitemap or feed that cannot be read (corrupt gzip, no root element); the message says why."""


def split_list(value: str | Iterable[str] | None) -> list[str]:
    """A spider argument as a list: `-a seeds=a,b c` (commas or spaces) or a list passed from code."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in re.split(r"[\s,]+", value) if part]
    return [part for part in value if part]


def url_problem(url: str) -> str | None:
    """Why `url` is not an http(s) URL with a host, or None when it is one; urlsplit and `.port` raise ValueError
    for a malformed host (`http://[::1`) or a port out of range."""
    try:
        parts = urlsplit(url)
        fetchable = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    return None if fetchable else "is not an http(s) URL"


def seed_list(value: str | Iterable[str] | None) -> list[str]:
    """The `seeds` argument as a list; ValueError unless there is at least one and each is an http(s) URL."""
    seeds = split_list(value)
    if not seeds:
        raise ValueError("the news spider needs seeds: -a seeds=URL[,URL...]")
    for seed in seeds:
        problem = url_problem(seed)
        if problem:
            raise ValueError(f"seed {seed!r} {problem}")
    return seeds


def optional_count(name: str, value: str | int | None, minimum: int = 0) -> int | None:
    """A count given as a spider argument (None if absent); ValueError naming it unless an integer >= `minimum`."""
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an integer, got {value!r}") from None
    if number < minimum:
        raise ValueError(f"{name} must be {'zero' if minimum == 0 else minimum} or more, got {number}")
    return number


class NewsSpider(Spider):
    """Crawl news sites from front pages, sitemaps and feeds; yield pages for the hygiene pipeline."""

    name = "news"

    def __init__(
        self,
        seeds: str | list[str] | None = None,
        allow_domains: str | list[str] | None = None,
        depth: int | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.seeds = seed_list(seeds)
        self.follows_links = depth != 0
        self.allowed_domains = split_list(allow_domains) or sorted({urlsplit(s).hostname for s in self.seeds})
        self.link_extractor = LinkExtractor()  # off-site links are left to Scrapy's OffsiteMiddleware

    @classmethod
    def check_arguments(cls, arguments: dict[str, str]) -> None:
        """ValueError naming the first bad `-a` argument; `scrapy crawl` calls this before the crawl starts."""
        unknown = [name for name in arguments if name not in SPIDER_ARGUMENTS and not name.startswith("_")]
        if unknown:
            raise ValueError(f"unknown argument {unknown[0]!r}: the news spider takes {', '.join(SPIDER_ARGUMENTS)}")
        seed_list(arguments.get("seeds"))
        optional_count("depth", arguments.get("depth"))
        optional_count("max_pages", arguments.get("max_pages"), minimum=1)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args, depth=None, max_pages=None, **kwargs) -> NewsSpider:
        """Turn `depth` and `max_pages` into DEPTH_LIMIT and HYGIENE_MAX_PAGES for this crawl.

        DEPTH_LIMIT 0 means no limit to Scrapy, so depth 0 is kept by the spider itself: it follows nothing.
        """
        depth = optional_count("depth", depth)
        max_pages = optional_count("max_pages", max_pages, minimum=1)
        if depth:
            crawler.settings.set("DEPTH_LIMIT", depth, priority="spider")
        if max_pages is not None:
            crawler.settings.set("HYGIENE_MAX_PAGES", max_pages, priority="spider")
        return super().from_crawler(crawler, *args, depth=depth, **kwargs)

    async def start(self) -> AsyncIterator[Request]:
        """One request per seed; what a seed is (page, sitemap, feed) is decided from the response."""
        for seed in self.seeds:
            yield Request(seed, callback=self.parse, errback=self.failed)

    def parse(self, response: Response) -> Iterator[Request | PageItem | DroppedPage | NotModified]:
        """Dispatch on what came back: 304, sitemap, feed, HTML page, or something else."""
        if response.status == NOT_MODIFIED:
            yield NotModified(response.url)
            return
        try:
            xml_type, xml_body = self.xml_document(response)
        except UnreadableDocument as exc:
            yield DroppedPage(response.url, "unreadable", str(exc))
            return
        if xml_type in SITEMAP_TYPES:
            yield from self.parse_sitemap(response, xml_body)
        elif xml_type in FEED_TYPES:
            yield from self.parse_feed(response, xml_body)
        elif isinstance(response, HtmlResponse):
            yield self.page_item(response)
            yield from self.follow_links(response)
        else:
            content_type = response.headers.get("Content-Type", b"").decode("latin-1") or "unknown"
            yield DroppedPage(response.url, "not-html", f"content type {content_type}")

    def xml_document(self, response: Response) -> tuple[str | None, bytes]:
        """Root tag name and body of an XML document such as a sitemap or feed (gunzipped if needed); (None, b"")
        for anything else; UnreadableDocument for a corrupt gzip file or markup without a root element."""
        body = response.body
        if gzip_magic_number(response):
            try:
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            except (OSError, EOFError, ValueError, struct.error, zlib.error) as exc:
                raise UnreadableDocument(f"cannot gunzip: {type(exc).__name__}: {exc}"[:200]) from None
        elif isinstance(response, HtmlResponse) or not isinstance(response, TextResponse):
            return None, b""
        if body.lstrip()[:1] != b"<":
            return None, b""
        try:
            return Sitemap(body).type, body
        except StopIteration:
            raise UnreadableDocument("markup without a root element") from None

    def parse_sitemap(self, response: Response, body: bytes) -> Iterator[Request]:
        """Follow every `<loc>` of a sitemap or sitemap index, carrying its `<lastmod>`."""
        for entry in Sitemap(body):
            yield from self.entry_request(response, entry.get("loc", ""), entry.get("lastmod"))
        self.crawler.stats.inc_value("hygiene/sitemaps")

    def parse_feed(self, response: Response, body: bytes) -> Iterator[Request]:
        """Follow the link of every RSS or Atom entry, carrying its date as `lastmod`."""
        selector = Selector(body=body, type="xml")
        for entry in selector.xpath(FEED_ENTRIES):
            date = entry.xpath(f"normalize-space({FEED_DATE})").get()
            yield from self.entry_request(response, entry.xpath(FEED_LINK).get() or "", date)
        self.crawler.stats.inc_value("hygiene/feeds")

    def entry_request(self, response: Response, link: str, lastmod: str | None) -> Iterator[Request]:
        """A request for a sitemap or feed entry; entries that are not http(s) URLs are counted and skipped."""
        url = _absolute_url(response, link.strip())
        if url is None or url_problem(url):
            self.crawler.stats.inc_value("hygiene/bad_entries")
            return
        yield from self.next_hop(url, (lastmod or "").strip() or None)

    def page_item(self, response: HtmlResponse) -> PageItem:
        """The page with its kind and metadata, ready for the hygiene pipeline."""
        return PageItem(
            url=response.url,
            body=response.body,
            content_type=_header(response, "Content-Type"),
            kind=page_kind(response.selector),
            canonical_url=canonical_url(response.selector, response.url),
            title=page_title(response.selector),
            author=page_author(response.selector),
            published=published_date(response.text, response.url),
            lastmod=response.meta.get("lastmod"),
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
        )

    def follow_links(self, response: HtmlResponse) -> Iterator[Request]:
        """Requests for the links of a page (off-site ones are filtered, DEPTH_LIMIT bounds the rest)."""
        for link in self.link_extractor.extract_links(response):
            yield from self.next_hop(link.url)

    def next_hop(self, url: str, lastmod: str | None = None) -> Iterator[Request]:
        """A request for a page one hop further, unless the crawl keeps to its seeds (depth 0)."""
        if self.follows_links:
            yield Request(url, callback=self.parse, errback=self.failed, meta={"lastmod": lastmod})

    def failed(self, failure: Failure) -> Iterator[DroppedPage]:
        """Record why a page could not be fetched; requests filtered on purpose are not pages (a redirect loop is no
        purpose: it is a fetch error)."""
        endless_redirects = _redirect_loop(failure)
        too_large = _too_large(failure)
        if failure.check(IgnoreRequest) and not (failure.check(HttpError) or endless_redirects or too_large):
            return
        url = failure.request.url
        if endless_redirects:
            url = failure.request.meta.get("redirect_urls", [url])[0]
        if failure.check(HttpError):
            yield DroppedPage(url, "fetch-error", f"HTTP {failure.value.response.status}")
        elif too_large:
            yield DroppedPage(url, "too-large", str(failure.value).splitlines()[0][:200])
        else:
            detail = f"{type(failure.value).__name__}: {failure.value}".splitlines()[0][:200]
            yield DroppedPage(url, "fetch-error", detail)


def _redirect_loop(failure: Failure) -> bool:
    """Whether Scrapy gave up on a request after too many redirects (recorded under the URL that started them)."""
    return "max redirections" in str(failure.value)


def _too_large(failure: Failure) -> bool:
    """Whether a body was refused for its size: while downloading, or as it was decompressed (gzip, deflate, br)."""
    message = str(failure.value)
    cut_while_downloading = failure.check(DownloadCancelledError) and "max size" in message
    cut_while_decompressing = failure.check(IgnoreRequest) and "exceeded DOWNLOAD_MAXSIZE" in message
    return bool(cut_while_downloading or cut_while_decompressing)


def _absolute_url(response: Response, link: str) -> str | None:
    """`link` made absolute against the response's URL; None for an empty or malformed link (`http://[::1`)."""
    if not link:
        return None
    try:
        return response.urljoin(link)
    except ValueError:
        return None


def _header(response: Response, name: str) -> str | None:
    """A response header as text, or None."""
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None

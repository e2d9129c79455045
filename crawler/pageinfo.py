"""Read a fetched HTML page: article or listing, and its title, author, date and canonical URL.

Works on a parsel `Selector` (what Scrapy responses carry), so it never parses a page twice.
Order of the article test: (1) what the site declares (JSON-LD type, `og:type`,
`article:published_time`), (2) failing that, enough paragraph text in one story rather than
several teasers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urljoin

from htmldate import find_date
from parsel import Selector

ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BlogPosting",
        "Report",
        "ScholarlyArticle",
        "TechArticle",
    }
)
"""schema.org types a site uses to declare an article page in JSON-LD."""

LISTING_TYPES = frozenset({"CollectionPage", "ItemList", "SearchResultsPage", "WebSite"})

MIN_ARTICLE_CHARS = 500
"""Paragraph text (outside nav, header, footer, aside) a page needs to count as an article."""

MAX_TEASERS = 1
"""More `<article>` elements than this on a page means teasers of several stories: a listing."""

STORY_PARAGRAPHS = (
    "//p[not(ancestor::nav or ancestor::header or ancestor::footer or ancestor::aside or ancestor::noscript)]"
)


def json_ld_objects(selector: Selector) -> Iterator[dict]:
    """Every JSON-LD object of the page, flattening lists and `@graph`; malformed blocks are skipped."""
    for raw in selector.xpath('//script[@type="application/ld+json"]/text()').getall():
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            obj = stack.pop(0)
            if isinstance(obj, dict):
                stack.extend(obj.get("@graph", []) if isinstance(obj.get("@graph"), list) else [])
                yield obj


def _types(obj: dict) -> set[str]:
    """The `@type` of a JSON-LD object as a set (it may be a string or a list)."""
    kind = obj.get("@type", [])
    return {kind} if isinstance(kind, str) else {k for k in kind if isinstance(k, str)}


def declared_kind(selector: Selector) -> str | None:
    """`article` or `listing` when the page says so in JSON-LD or Open Graph, else None."""
    types = set().union(*(_types(obj) for obj in json_ld_objects(selector)))
    if types & ARTICLE_TYPES:
        return "article"
    og_type = (selector.xpath('//meta[@property="og:type"]/@content').get() or "").strip().lower()
    if og_type == "article" or selector.xpath('//meta[@property="article:published_time"]'):
        return "article"
    if types & LISTING_TYPES:
        return "listing"
    return None


def story_text_length(selector: Selector) -> int:
    """Characters of paragraph text outside page chrome, or of the single `<article>` if larger."""
    paragraphs = sum(len(" ".join(p.xpath(".//text()").getall()).strip()) for p in selector.xpath(STORY_PARAGRAPHS))
    articles = selector.xpath("//article")
    single = len(" ".join(articles[0].xpath(".//text()").getall()).strip()) if len(articles) == 1 else 0
    return max(paragraphs, single)


def page_kind(selector: Selector) -> str:
    """`article` for a page carrying one story, `listing` for front pages, sections and tag pages."""
    declared = declared_kind(selector)
    if declared:
        return declared
    if len(selector.xpath("//article")) > MAX_TEASERS:
        return "listing"
    return "article" if story_text_length(selector) >= MIN_ARTICLE_CHARS else "listing"


def _first(selector: Selector, *xpaths: str) -> str | None:
    """The first non-blank whitespace-normalised result of the given XPath expressions."""
    for xpath in xpaths:
        for value in selector.xpath(xpath).getall():
            value = " ".join(value.split())
            if value:
                return value
    return None


def page_title(selector: Selector) -> str | None:
    """The headline: `og:title`, else the first `<h1>`, else `<title>`."""
    return _first(selector, '//meta[@property="og:title"]/@content', "normalize-space(//h1)", "//title/text()")


def _json_ld_author(selector: Selector) -> str | None:
    """The author name of the first JSON-LD article object, if any."""
    for obj in json_ld_objects(selector):
        if _types(obj) & ARTICLE_TYPES:
            author = obj.get("author")
            author = author[0] if isinstance(author, list) and author else author
            name = author.get("name") if isinstance(author, dict) else author
            if isinstance(name, str) and name.strip():
                return name.strip()
    return None


def page_author(selector: Selector) -> str | None:
    """The byline: `<meta name=author>`, JSON-LD author, then `rel=author` / `itemprop=author` text."""
    return (
        _first(selector, '//meta[@name="author"]/@content')
        or _json_ld_author(selector)
        or _first(selector, 'normalize-space(//*[@rel="author"])', 'normalize-space(//*[@itemprop="author"])')
    )


def canonical_url(selector: Selector, url: str) -> str | None:
    """The absolute `<link rel=canonical>` (or `og:url`) of the page, if it declares one."""
    href = _first(selector, '//link[@rel="canonical"]/@href', '//meta[@property="og:url"]/@content')
    return urljoin(url, href) if href else None


def published_date(html: str, url: str) -> str | None:
    """The original publication date (YYYY-MM-DD) from meta tags, markup or the URL, via htmldate."""
    try:
        return find_date(html, extensive_search=False, original_date=True, url=url)
    except ValueError:
        return None

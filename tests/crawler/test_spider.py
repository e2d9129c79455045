"""The news spider's callbacks and page reading, on responses built from the fixture site's files."""

from __future__ import annotations

import gzip

import pytest
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Request, Response, TextResponse, XmlResponse
from scrapy.utils.test import get_crawler

from crawler.items import DroppedPage, NotModified, PageItem
from crawler.pageinfo import canonical_url, page_author, page_kind, page_title, published_date
from crawler.spiders.news import NewsSpider

BASE = "http://127.0.0.1:8000"
CORRUPT_GZIP = gzip.compress(b"<urlset/>")[:10] + b"\xff" * 40
"""A gzip header followed by a deflate stream zlib refuses at once (`invalid block type`)."""


@pytest.fixture
def spider() -> NewsSpider:
    """A news spider bound to a crawler with its components set up (stats), not crawling."""
    return NewsSpider.from_crawler(get_crawler(NewsSpider), seeds=f"{BASE}/")


def html(kit, name: str, path: str, encoding: str = "utf-8") -> HtmlResponse:
    """A fixture page as Scrapy would hand it to the spider."""
    body = (kit.SITE / name).read_text(encoding="utf-8").replace("{{BASE}}", BASE).encode(encoding)
    url = f"{BASE}{path}"
    return HtmlResponse(url, body=body, headers={"Content-Type": "text/html"}, request=Request(url))


def xml(kit, name: str, path: str) -> XmlResponse:
    """A fixture sitemap or feed as an XML response."""
    return XmlResponse(f"{BASE}{path}", body=(kit.SITE / name).read_bytes().replace(b"{{BASE}}", BASE.encode()))


def test_spider_arguments_become_settings_and_domains():
    crawler = Crawler(NewsSpider)
    spider = NewsSpider.from_crawler(
        crawler, seeds="https://a.example/ https://b.example/feed.xml", depth="1", max_pages="7"
    )
    assert crawler.settings.getint("DEPTH_LIMIT") == 1
    assert crawler.settings.getint("HYGIENE_MAX_PAGES") == 7
    assert spider.allowed_domains == ["a.example", "b.example"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "needs seeds"),
        ({"seeds": "mailto:x@example.org"}, "not an http"),
        ({"seeds": BASE, "depth": "deep"}, "depth must be an integer"),
    ],
)
def test_bad_spider_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        NewsSpider.from_crawler(get_crawler(NewsSpider), **kwargs)


def test_sitemap_index_and_gzipped_sitemap_carry_lastmod(kit, spider):
    index = list(spider.parse(xml(kit, "sitemap_index.xml", "/sitemap_index.xml")))
    assert [r.url for r in index] == [f"{BASE}/sitemaps/2024.xml", f"{BASE}/sitemaps/2025.xml.gz"]
    gz_body = gzip.compress((kit.SITE / "sitemaps/2025.xml").read_bytes().replace(b"{{BASE}}", BASE.encode()))
    entries = list(spider.parse(Response(f"{BASE}/sitemaps/2025.xml.gz", body=gz_body)))
    assert all(isinstance(r, Request) for r in entries)
    assert (entries[3].url, entries[3].meta["lastmod"]) == (f"{BASE}/2025/04/01/harvest-fair.html", "2025-04-01")


def test_rss_and_atom_feeds_give_their_links(kit, spider):
    rss = list(spider.parse(xml(kit, "rss.xml", "/rss.xml")))
    atom = list(spider.parse(xml(kit, "atom.xml", "/atom.xml")))
    assert [r.url for r in rss] == [f"{BASE}/2025/02/03/orchard-frost.html", f"{BASE}/2025/01/28/council-budget.html"]
    assert rss[0].meta["lastmod"] == "Mon, 03 Feb 2025 07:30:00 +0000"
    assert [r.url for r in atom] == [f"{BASE}/2025/03/22/kimono-exhibit.html", f"{BASE}/2025/02/20/choir-tour.html"]


@pytest.mark.parametrize(
    "bad_entries, good_path",
    [
        (["javascript:alert(1)", ""], "/relative.html"),
        (["http://[::1", "http://127.0.0.1:99999/a.html"], "/after.html"),
    ],
    ids=["not-http", "malformed"],
)
def test_bad_sitemap_entries_are_counted_and_the_others_followed(spider, bad_entries, good_path):
    locs = [bad_entries[0], good_path, *bad_entries[1:]]
    urls = b"".join(b"<url><loc>" + loc.encode() + b"</loc></url>" for loc in locs)
    body = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + urls + b"</urlset>"
    requests = list(spider.parse(XmlResponse(f"{BASE}/sitemap.xml", body=body)))
    assert [r.url for r in requests] == [f"{BASE}{good_path}"]
    assert spider.crawler.stats.get_value("hygiene/bad_entries") == len(bad_entries)


def test_html_page_becomes_an_item_and_its_links_requests(kit, spider):
    out = list(spider.parse(html(kit, "articles/bridge-inspection.html", "/2025/01/15/bridge-inspection.html")))
    (page,) = [o for o in out if isinstance(o, PageItem)]
    assert page.kind == "article" and page.title == "Engineers find cracks in the Mill Lane bridge"
    assert page.canonical_url == f"{BASE}/2025/01/15/bridge-inspection.html"
    assert {r.url for r in out if isinstance(r, Request)} >= {f"{BASE}/2025/01/28/council-budget.html", f"{BASE}/"}


def test_depth_0_keeps_the_page_and_follows_nothing(kit):
    crawler = get_crawler(NewsSpider)
    spider = NewsSpider.from_crawler(crawler, seeds=f"{BASE}/", depth="0")
    out = list(spider.parse(html(kit, "articles/bridge-inspection.html", "/2025/01/15/bridge-inspection.html")))
    assert [type(o) for o in out] == [PageItem]
    assert list(spider.parse(xml(kit, "sitemap_index.xml", "/sitemap_index.xml"))) == []
    assert list(spider.parse(xml(kit, "rss.xml", "/rss.xml"))) == []
    assert crawler.settings.getint("DEPTH_LIMIT") == 0  # Scrapy's "no limit": the spider itself stops at the seeds


def test_not_modified_and_non_html_answers(spider):
    assert list(spider.parse(Response(f"{BASE}/a.html", status=304))) == [NotModified(f"{BASE}/a.html")]
    pdf = Response(f"{BASE}/r.pdf", body=b"%PDF-1.4", headers={"Content-Type": "application/pdf"})
    assert list(spider.parse(pdf)) == [DroppedPage(f"{BASE}/r.pdf", "not-html", "content type application/pdf")]
    text = TextResponse(f"{BASE}/notes.txt", body=b"plain text", headers={"Content-Type": "text/plain"})
    assert [d.reason for d in spider.parse(text)] == ["not-html"]


@pytest.mark.parametrize(
    ("name", "path", "kind"),
    [
        ("front.html", "/", "listing"),
        ("section/town.html", "/section/town/", "listing"),
        ("section/town-2.html", "/section/town/?page=2", "listing"),
        ("section/science.html", "/section/science/", "listing"),
        ("articles/bridge-inspection.html", "/a", "article"),
        ("articles/choir-tour.html", "/b", "article"),
        ("articles/temple-restoration.html", "/c", "article"),
    ],
)
def test_article_or_listing(kit, name, path, kind):
    assert page_kind(html(kit, name, path).selector) == kind


def test_metadata_from_meta_tags_json_ld_and_markup(kit):
    bridge = html(kit, "articles/bridge-inspection.html", "/2025/01/15/bridge-inspection.html")
    choir = html(kit, "articles/choir-tour.html", "/2025/02/20/choir-tour.html")
    market = html(kit, "articles/night-market.html", "/2025/03/02/night-market.html", encoding="big5")
    assert page_author(bridge.selector) == "Harriet Ashdown"
    assert published_date(bridge.text, bridge.url) == "2025-01-15"
    assert page_author(choir.selector) == "Lowri Evans"
    assert canonical_url(choir.selector, choir.url) is None
    assert page_title(market.selector) == "台中夜市攤商組團來訪"
    assert page_author(market.selector) == "陳雅婷"


def test_a_malformed_feed_link_is_counted_and_the_entries_after_it_followed(spider):
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        b"<item><link>http://[::1</link></item><item><link>/after.html</link></item></channel></rss>"
    )
    requests = list(spider.parse(XmlResponse(f"{BASE}/rss.xml", body=body)))
    assert [r.url for r in requests] == [f"{BASE}/after.html"]
    assert spider.crawler.stats.get_value("hygiene/bad_entries") == 1


@pytest.mark.parametrize(
    ("response", "detail"),
    [
        (Response(f"{BASE}/sitemap.xml.gz", body=CORRUPT_GZIP), "cannot gunzip: error: Error -3"),
        (XmlResponse(f"{BASE}/sitemap.xml", body=b"<?xml version='1.0'?>"), "markup without a root element"),
        (TextResponse(f"{BASE}/notes", body=b"< not markup", headers={"Content-Type": "text/plain"}), "without a root"),
    ],
    ids=["corrupt-gzip", "xml-declaration-only", "text-starting-with-lt"],
)
def test_an_unreadable_sitemap_or_feed_is_a_dropped_page(spider, response, detail):
    (dropped,) = spider.parse(response)
    assert isinstance(dropped, DroppedPage) and (dropped.url, dropped.reason) == (response.url, "unreadable")
    assert detail in dropped.detail


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"seeds": BASE, "bogus": "1"}, "unknown argument 'bogus'"),
        ({"seeds": BASE, "max_page": "5"}, "unknown argument 'max_page': the news spider takes seeds, allow_domains"),
        ({"seeds": "http://[::1"}, r"is not a valid URL \(Invalid IPv6 URL\)"),
        ({"seeds": "http://127.0.0.1:99999/"}, r"is not a valid URL \(Port out of range 0-65535\)"),
    ],
)
def test_check_arguments_refuses_unknown_names_and_malformed_seeds(arguments, message):
    with pytest.raises(ValueError, match=message):
        NewsSpider.check_arguments(arguments)


def test_check_arguments_lets_scrapyd_arguments_through():
    NewsSpider.check_arguments({"seeds": BASE, "depth": "1", "max_pages": "2", "allow_domains": "x", "_job": "j1"})

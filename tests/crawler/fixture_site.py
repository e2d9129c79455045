"""The crawl tests' fixture site and helpers: the Millbrook Evening Post fixture site on a real 127.0.0.1 server,
and helpers that run real crawls (`python -m hygiene crawl`, `scrapy crawl news`) in subprocesses.

Every crawl is a subprocess: Twisted's reactor cannot be restarted inside the pytest process.
"""

from __future__ import annotations

import gzip
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from crawler.demo_site.server import BASE_PLACEHOLDER, Route, SiteServer

SITE = Path(__file__).parent / "site"
REPO = Path(__file__).resolve().parents[2]
MAX_SIZE = 1024 * 1024
"""DOWNLOAD_MAXSIZE of the test crawls; the huge page is three times larger."""

HTML = "text/html; charset=utf-8"
CRAWL_TIMEOUT = 120

CLEAN_ARTICLES = {
    "/2025/01/15/bridge-inspection.html": "bridge-inspection.html",
    "/2025/02/03/orchard-frost.html": "orchard-frost.html",
    "/2025/02/20/choir-tour.html": "choir-tour.html",
    "/2024/11/30/observatory-comet.html": "observatory-comet.html",
    "/2025/03/02/night-market.html": "night-market.html",
    "/2025/03/10/flaky-ferry.html": "flaky-ferry.html",
    "/2025/03/18/moved-story.html": "moved-story.html",
}

CONTAMINATED_ARTICLES = {
    "/2025/01/28/council-budget.html": "council-budget.html",
    "/2025/02/11/marsh-birds.html": "marsh-birds.html",
    "/2025/03/05/temple-restoration.html": "temple-restoration.html",
    "/2025/03/22/kimono-exhibit.html": "kimono-exhibit.html",
    "/2025/04/01/harvest-fair.html": "harvest-fair.html",
}

SPAM_MARKERS = {
    "/2025/01/28/council-budget.html": ["casino", "payday", "replica", "backlinks", "followers"],
    "/2025/02/11/marsh-birds.html": ["viagra", "cialis", "tramadol", "xanax", "meds-no-rx"],
    "/2025/03/05/temple-restoration.html": ["xvbtn", "国产", "无码", "av人片", "夜夜爽"],
    "/2025/03/22/kimono-exhibit.html": ["スーパーコピー", "コピー", "偽物", "N級品", "代引き"],
    "/2025/04/01/harvest-fair.html": ["kpzqt", "百家乐", "娱乐场", "彩金", "pk10"],
}
"""Text of the injected junk in each contaminated page: none of it may reach a stored item's text."""

FIRST_SENTENCES = {
    "/2025/01/15/bridge-inspection.html": "Lorries will be banned from the Mill Lane bridge",
    "/2025/02/03/orchard-frost.html": "Fruit growers across the Vale spent Sunday night",
    "/2025/02/20/choir-tour.html": "Forty members of Millbrook Male Voice Choir",
    "/2024/11/30/observatory-comet.html": "Members of the Vale Astronomical Society",
    "/2025/03/02/night-market.html": "來自台中逢甲夜市的八位攤商",
    "/2025/03/10/flaky-ferry.html": "The little chain ferry that carries walkers",
    "/2025/03/18/moved-story.html": "The estuary ferry company has renamed its largest vessel",
    "/2025/01/28/council-budget.html": "Millbrook Town Council has published a draft budget",
    "/2025/02/11/marsh-birds.html": "Volunteers counted more than 6,000 wading birds",
    "/2025/03/05/temple-restoration.html": "本鎮的姊妹市台南市一座建於清代的古廟",
    "/2025/03/22/kimono-exhibit.html": "姉妹都市である金沢市の協力により",
    "/2025/04/01/harvest-fair.html": "More than 9,000 people visited the Vale showground",
}
"""The opening words of every article: cleaning must keep them."""

LISTINGS = ["/", "/section/town/", "/section/town/?page=2", "/section/science/"]
ROBOTS_FORBIDDEN = "/private/staff-notes.html"
REDIRECT_FROM = "/old/moved-story"
FLAKY = "/2025/03/10/flaky-ferry.html"
MISSING = "/missing.html"
HUGE = "/2025/archive-full.html"
NON_HTML = ["/files/annual-report.pdf", "/download/brochure"]
NO_VALIDATORS = ["/2025/02/20/choir-tour.html", "/2025/03/02/night-market.html"]
"""Served without ETag or Last-Modified: a recrawl can only recognise them by their content hash."""
SITEMAP_ONLY = "/2025/04/01/harvest-fair.html"
"""Linked from nowhere but the gzipped sitemap, which gives its `<lastmod>`."""
DATE_ONLY = "/2025/02/03/orchard-frost.html"
"""Served with Last-Modified but no ETag (conditional GET through If-Modified-Since)."""

ENCODINGS = {
    "/2025/03/02/night-market.html": ("big5", "text/html; charset=big5"),
    "/2025/03/22/kimono-exhibit.html": ("shift_jis", "text/html"),
}
"""Pages served in a legacy encoding: one says so in the header, the other only in a meta tag."""


def read(name: str) -> bytes:
    """A fixture file's bytes."""
    return (SITE / name).read_bytes()


def article_route(path: str, name: str) -> Route:
    """An article as served: in its encoding, with or without HTTP validators."""
    encoding, content_type = ENCODINGS.get(path, ("utf-8", HTML))
    body = (SITE / "articles" / name).read_text(encoding="utf-8").encode(encoding)
    route = Route(body, content_type, fail_first=1 if path == FLAKY else 0)
    if path in NO_VALIDATORS:
        route.etag, route.modified = False, None
    if path == DATE_ONLY:
        route.etag = False
    return route


def huge_page() -> bytes:
    """A page three times DOWNLOAD_MAXSIZE: a year of stories on one page."""
    row = b"<li><a href='/2024/archive.html'>Story of the day</a> A summary line of an old story.</li>\n"
    return b"<!DOCTYPE html><html><body><h1>2024</h1><ul>" + row * (3 * MAX_SIZE // len(row)) + b"</ul></body></html>"


PDF = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256))


def site_routes() -> dict[str, Route]:
    """Every path of the fixture site and how it answers."""
    routes = {
        "/": Route(read("front.html")),
        "/section/town/": Route(read("section/town.html")),
        "/section/town/?page=2": Route(read("section/town-2.html")),
        "/section/science/": Route(read("section/science.html")),
        "/robots.txt": Route(read("robots.txt"), "text/plain"),
        "/sitemap_index.xml": Route(read("sitemap_index.xml"), "application/xml"),
        "/sitemaps/2024.xml": Route(read("sitemaps/2024.xml"), "text/xml"),
        "/rss.xml": Route(read("rss.xml"), "application/rss+xml"),
        "/atom.xml": Route(read("atom.xml"), "application/atom+xml"),
        ROBOTS_FORBIDDEN: Route(read("private-staff-notes.html")),
        REDIRECT_FROM: Route(status=301, headers={"Location": "/2025/03/18/moved-story.html"}),
        HUGE: Route(huge_page()),
        "/files/annual-report.pdf": Route(PDF, "application/pdf"),
        "/download/brochure": Route(ZIP, "application/octet-stream"),
    }
    for path, name in {**CLEAN_ARTICLES, **CONTAMINATED_ARTICLES}.items():
        routes[path] = article_route(path, name)
    return routes


@contextmanager
def serve_site() -> Iterator[SiteServer]:
    """Start the fixture site; the gzipped sitemap is compressed once the origin is known."""
    with SiteServer(site_routes()) as server:
        sitemap = read("sitemaps/2025.xml").replace(BASE_PLACEHOLDER, server.base_url.encode())
        server.routes["/sitemaps/2025.xml.gz"] = Route(gzip.compress(sitemap), "application/x-gzip")
        yield server


def served_body(server: SiteServer, path: str) -> bytes:
    """The exact bytes the server sends for a path (origin filled in)."""
    return server.routes[path].body.replace(BASE_PLACEHOLDER, server.base_url.encode())


def seeds(server: SiteServer) -> list[str]:
    """Front page, sitemap index and both feeds: every way into the site."""
    return [server.url("/"), server.url("/sitemap_index.xml"), server.url("/rss.xml"), server.url("/atom.xml")]


TEST_SETTINGS = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0", "-s", f"DOWNLOAD_MAXSIZE={MAX_SIZE}"]
"""Our own server needs no politeness delay; the size limit is lowered so the huge page stays small."""


@dataclass
class CrawlRun:
    """A finished `hygiene crawl` subprocess."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def summary(self) -> dict:
        """The `--json` summary line."""
        return json.loads(self.stdout.strip().splitlines()[-1])


def hygiene_command(*args: str) -> list[str]:
    """The argv of `python -m hygiene ARGS` with this interpreter."""
    return [sys.executable, "-m", "hygiene", *args]


def crawl_command(server: SiteServer, db: Path, *extra: str) -> list[str]:
    """argv of a JSON-summary crawl of the fixture site into `db`."""
    return hygiene_command("crawl", *seeds(server), "--db", str(db), "--json", *TEST_SETTINGS, *extra)


def run_hygiene(argv: list[str], cwd: Path) -> CrawlRun:
    """Run a command to completion; the default store is redirected into `cwd`, away from the user's."""
    env = {**os.environ, "HYGIENE_DB": str(cwd / "default-hygiene.db")}
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=CRAWL_TIMEOUT, env=env)
    return CrawlRun(done.returncode, done.stdout, done.stderr)


def crawl(server: SiteServer, db: Path, *extra: str) -> CrawlRun:
    """Crawl the fixture site into `db` and insist it succeeded."""
    run = run_hygiene(crawl_command(server, db, *extra), cwd=db.parent)
    assert run.returncode == 0, run.stderr
    return run


def rows(db: Path, sql: str, *params) -> list[tuple]:
    """Query a store file with a fresh read-only connection."""
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return conn.execute(sql, params).fetchall()


def path_of_url(url: str) -> str:
    """The site path (with its query) of a URL: what the fixture tables are keyed by."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class FirstCrawl:
    """The module's reference crawl of the whole fixture site."""

    db: Path
    run: CrawlRun
    requests: list[tuple[str, int]]

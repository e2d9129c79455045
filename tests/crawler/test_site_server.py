"""The 127.0.0.1 site server behind the demo and the crawl tests answers like a real news site."""

from __future__ import annotations

import signal
import subprocess
import sys
import urllib.error
import urllib.request
from email.utils import formatdate

import pytest

from crawler.demo_site import Route, SiteServer, demo_routes


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of a GET (error statuses included)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def server():
    routes = {
        "/a.html": Route(b"<p>{{BASE}}/a.html</p>"),
        "/dated.html": Route(b"<p>dated</p>", etag=False),
        "/flaky.html": Route(b"<p>ok</p>", fail_first=1),
    }
    with SiteServer(routes) as running:
        yield running


def test_etag_answers_conditional_requests(server):
    status, headers, body = get(server.url("/a.html"))
    assert status == 200 and body == f"<p>{server.base_url}/a.html</p>".encode()
    assert get(server.url("/a.html"), {"If-None-Match": headers["ETag"]})[0] == 304
    server.routes["/a.html"].body = b"<p>changed</p>"
    assert get(server.url("/a.html"), {"If-None-Match": headers["ETag"]})[0] == 200


def test_last_modified_answers_if_modified_since(server):
    status, headers, _ = get(server.url("/dated.html"))
    assert status == 200 and "ETag" not in headers
    assert get(server.url("/dated.html"), {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    older = formatdate(server.routes["/dated.html"].modified - 60, usegmt=True)
    assert get(server.url("/dated.html"), {"If-Modified-Since": older})[0] == 200


def test_failures_then_success_and_404_are_logged(server):
    assert [get(server.url("/flaky.html"))[0] for _ in range(2)] == [500, 200]
    assert get(server.url("/nowhere"))[0] == 404
    assert [(e.path, e.status) for e in server.log] == [("/flaky.html", 500), ("/flaky.html", 200), ("/nowhere", 404)]


def test_demo_site_serves_its_seeds():
    with SiteServer(demo_routes()) as demo:
        assert get(demo.url("/robots.txt"))[2].decode().startswith("User-agent: *\nDisallow: /drafts/")
        sitemap = get(demo.url("/sitemap.xml"))[2].decode()
        assert f"{demo.base_url}/sitemaps/news.xml" in sitemap and "{{BASE}}" not in sitemap
        assert get(demo.url("/feed.xml"))[1]["Content-Type"].startswith("application/rss+xml")


def test_the_demo_site_serves_on_its_own_until_sigterm(kit):
    """`python -m crawler.demo_site` serves the demo for plain `scrapy crawl` and stops cleanly on SIGTERM."""
    argv = [sys.executable, "-m", "crawler.demo_site", "--port", "0"]
    server = subprocess.Popen(argv, cwd=kit.REPO, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stderr.readline()
        base = line.split()[2].rstrip("/")
        assert line.startswith("demo site: http://127.0.0.1:") and f"{base}/sitemap.xml" in line
        with urllib.request.urlopen(f"{base}/", timeout=10) as answer:
            assert b"The Harbour Ledger" in answer.read()
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=10) == 0

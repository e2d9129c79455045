"""Crawling again: an unchanged site stores nothing new, a changed page is updated, interrupted crawls resume."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from pathlib import Path

ITEM_SNAPSHOT = "SELECT * FROM items ORDER BY url"
QUARANTINE_SNAPSHOT = "SELECT url, content_hash, fetched_at, raw FROM quarantine ORDER BY url"
DROPPED_SNAPSHOT = "SELECT * FROM dropped ORDER BY url"
KILL_AFTER_ITEMS = 3
POLL_SECONDS = 0.05


def copy_store(source: Path, target: Path) -> Path:
    """A consistent copy of a store file (SQLite backup API)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def snapshot(kit, db: Path) -> dict[str, list[tuple]]:
    """Every stored row that a recrawl could touch."""
    return {sql: kit.rows(db, sql) for sql in (ITEM_SNAPSHOT, QUARANTINE_SNAPSHOT, DROPPED_SNAPSHOT)}


def test_second_crawl_of_an_unchanged_site_stores_nothing_new(kit, site, first_crawl, tmp_path):
    db = copy_store(first_crawl.db, tmp_path / "hygiene.db")
    before = snapshot(kit, db)
    start = len(site.log)
    summary = kit.crawl(site, db).summary
    second = [(entry.path, entry.status) for entry in site.log[start:]]

    assert snapshot(kit, db) == before
    assert summary["clean"] == summary["contaminated"] == 0
    articles = set(kit.CLEAN_ARTICLES) | set(kit.CONTAMINATED_ARTICLES)
    assert summary["unchanged"] == len(articles) + len(kit.LISTINGS)
    answers = {path: status for path, status in second if path in articles}
    assert {path for path, status in answers.items() if status == 200} == set(kit.NO_VALIDATORS)
    assert set(answers.values()) == {200, 304}, "articles with validators are asked conditionally"
    assert kit.SITEMAP_ONLY not in answers, "same sitemap <lastmod> as stored: not requested at all"
    assert kit.rows(db, "SELECT COUNT(*) FROM crawl_runs") == [(2,)]


def test_a_changed_page_is_updated_and_nothing_else(kit, site, first_crawl, tmp_path):
    db = copy_store(first_crawl.db, tmp_path / "hygiene.db")
    changed = "/2025/01/15/bridge-inspection.html"
    route = site.routes[changed]
    original_body, original_modified = route.body, route.modified
    route.body = original_body.replace(b"take about six weeks", b"take about eight weeks")
    assert route.body != original_body
    route.modified = original_modified + 86400
    before = dict((url, row) for url, *row in kit.rows(db, "SELECT url, fetched_at, content_hash FROM items"))
    try:
        summary = kit.crawl(site, db).summary
    finally:
        route.body, route.modified = original_body, original_modified

    after = dict((url, row) for url, *row in kit.rows(db, "SELECT url, fetched_at, content_hash FROM items"))
    moved = {kit.path_of_url(url) for url in after if after[url] != before[url]}
    assert moved == {changed}
    assert summary["clean"] + summary["contaminated"] == 1
    (text,) = kit.rows(db, "SELECT text FROM items WHERE url LIKE ?", f"%{changed}")[0]
    assert "take about eight weeks" in text and "six weeks" not in text


DEPTH_SEEDS = ["/", "/2025/02/11/marsh-birds.html", "/sitemap_index.xml"]
"""The front page, an article it does not link to, and the sitemap index."""


def crawl_to_depth(kit, site, db: Path, depth: int, seeds: list[str]) -> tuple[int, str, set[str], set[str]]:
    """Crawl the fixture site from `seeds` (paths) with --depth: exit code, stderr, paths fetched, paths stored."""
    start = len(site.log)
    argv = kit.hygiene_command(
        "crawl", *map(site.url, seeds), "--db", str(db), "--depth", str(depth), "--json", *kit.TEST_SETTINGS
    )
    run = kit.run_hygiene(argv, cwd=db.parent)
    fetched = {entry.path for entry in site.log[start:]}
    stored = {kit.path_of_url(url) for (url,) in kit.rows(db, "SELECT url FROM items")}
    return run.returncode, run.stderr, fetched, stored


def test_depth_0_fetches_and_stores_the_seeds_only(kit, site, tmp_path):
    code, stderr, fetched, stored = crawl_to_depth(kit, site, tmp_path / "hygiene.db", 0, DEPTH_SEEDS)
    assert code == 0, stderr
    assert fetched == {"/robots.txt", *DEPTH_SEEDS}
    assert stored == {"/2025/02/11/marsh-birds.html"}
    dropped = {
        kit.path_of_url(url): reason
        for url, reason in kit.rows(tmp_path / "hygiene.db", "SELECT url, reason FROM dropped")
    }
    assert dropped == {"/": "not-article"}


def test_depth_1_goes_one_hop_further(kit, site, tmp_path):
    code, stderr, fetched, stored = crawl_to_depth(kit, site, tmp_path / "hygiene.db", 1, DEPTH_SEEDS)
    assert code == 0, stderr
    linked_from_front = {"/2025/01/15/bridge-inspection.html", "/2025/01/28/council-budget.html", kit.FLAKY}
    assert linked_from_front | {"/2025/02/11/marsh-birds.html"} <= stored
    assert {"/section/town/", "/section/science/", "/sitemaps/2024.xml", "/sitemaps/2025.xml.gz"} <= fetched
    two_hops = {"/section/town/?page=2", "/2024/11/30/observatory-comet.html", kit.SITEMAP_ONLY}
    assert not two_hops & fetched


def test_depth_0_from_a_sitemap_alone_fails_and_says_why(kit, site, tmp_path):
    code, stderr, fetched, stored = crawl_to_depth(kit, site, tmp_path / "hygiene.db", 0, ["/sitemap_index.xml"])
    assert code == 2
    assert stderr.strip().splitlines()[-1] == (
        "hygiene: error: not one page could be fetched from the seeds"
        " (--depth 0 stops at sitemap and feed seeds: --depth 1 fetches their pages)"
    )
    assert fetched == {"/robots.txt", "/sitemap_index.xml"}
    assert not stored


def test_page_limit_then_resume_continues_where_it_stopped(kit, fresh_site, tmp_path):
    db = tmp_path / "hygiene.db"
    first = kit.crawl(fresh_site, db, "--max-pages", "8").summary
    assert first["finish_reason"] == "closespider_pagecount"
    fetched_first = {entry.path for entry in fresh_site.log if entry.status == 200} - {"/robots.txt"}
    start = len(fresh_site.log)

    resumed = kit.crawl(fresh_site, db, "--resume").summary
    assert resumed["finish_reason"] == "finished"
    fetched_again = {entry.path for entry in fresh_site.log[start:]} & fetched_first
    assert fetched_again <= {"/robots.txt"}, "the resumed crawl fetched pages the first run had already fetched"
    stored = {kit.path_of_url(url) for (url,) in kit.rows(db, "SELECT url FROM items")}
    assert stored == set(kit.CLEAN_ARTICLES) | set(kit.CONTAMINATED_ARTICLES)


TAG_PAGES = 400
"""Enough links that Scrapy's buffered seen-requests file reaches the disk before the kill."""
SLOW_ARTICLE_SECONDS = 0.3


def add_tag_pages(kit, server, count: int) -> None:
    """A tag index linked from the front page, linking to `count` small tag pages."""
    links = "".join(f'<li><a href="/tags/{n}.html">tag {n}</a></li>' for n in range(count))
    server.routes["/tags/"] = kit.Route(f"<html><body><h1>Tags</h1><ul>{links}</ul></body></html>".encode())
    for n in range(count):
        page = f"<html><body><h1>Tag {n}</h1><p><a href='/'>Home</a></p></body></html>"
        server.routes[f"/tags/{n}.html"] = kit.Route(page.encode())
    front = server.routes["/"]
    front.body = front.body.replace(b"</body>", b'<a href="/tags/">All tags</a></body>')


def stored_items(kit, db: Path) -> int:
    """Items in the store so far (0 while the crawl has not created it yet)."""
    try:
        return kit.rows(db, "SELECT COUNT(*) FROM items")[0][0]
    except sqlite3.OperationalError:
        return 0


def seen_requests_on_disk(db: Path) -> int:
    """Bytes of Scrapy's seen-requests file(s) that reached the disk in the crawl's JOBDIR."""
    return sum(path.stat().st_size for path in db.parent.glob(f"{db.stem}.jobs/*/requests.seen"))


def wait_until_mid_crawl(kit, db: Path, process: subprocess.Popen) -> None:
    """Poll (a concurrent reader of the store) until items are stored and Scrapy has flushed seen requests."""
    deadline = time.monotonic() + kit.CRAWL_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        if stored_items(kit, db) >= KILL_AFTER_ITEMS and seen_requests_on_disk(db) > 0:
            return
        time.sleep(POLL_SECONDS)
    raise AssertionError("the crawl ended or stalled before reaching the middle")


def test_sigkill_mid_crawl_then_resume_stores_every_page_exactly_once(kit, fresh_site, first_crawl, tmp_path):
    db = tmp_path / "hygiene.db"
    add_tag_pages(kit, fresh_site, TAG_PAGES)
    articles = set(kit.CLEAN_ARTICLES) | set(kit.CONTAMINATED_ARTICLES)
    for path in articles:
        fresh_site.routes[path].delay = SLOW_ARTICLE_SECONDS
    argv = kit.crawl_command(fresh_site, db, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
    process = subprocess.Popen(argv, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_mid_crawl(kit, db, process)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert kit.rows(db, "PRAGMA integrity_check") == [("ok",)]
    before = dict(kit.rows(db, "SELECT url, fetched_at FROM items"))
    assert KILL_AFTER_ITEMS <= len(before) < len(articles), "the crawl was not killed mid-way"

    for path in articles:
        fresh_site.routes[path].delay = 0
    resumed = kit.crawl(fresh_site, db, "--resume")
    assert "did not shut down cleanly" in resumed.stderr
    assert kit.rows(db, "PRAGMA integrity_check") == [("ok",)]
    after = dict(kit.rows(db, "SELECT url, fetched_at FROM items"))
    paths = sorted(kit.path_of_url(url) for url in after)
    reference = sorted(kit.path_of_url(url) for (url,) in kit.rows(first_crawl.db, "SELECT url FROM items"))
    assert paths == reference
    assert kit.rows(db, "SELECT url FROM items GROUP BY url HAVING COUNT(*) > 1") == []
    assert {url: after[url] for url in before} == before, "pages stored before the kill were written again"
    quarantined = [kit.path_of_url(url) for (url,) in kit.rows(db, "SELECT url FROM quarantine")]
    assert len(quarantined) == len(set(quarantined))
    assert resumed.summary["unchanged"] >= len(before)


def test_page_limit_counts_pages_not_robots_sitemaps_or_feeds(kit, site, tmp_path):
    """`--max-pages 2` from a sitemap index: robots.txt, the index and its sitemaps are no pages."""
    db = tmp_path / "hygiene.db"
    argv = kit.hygiene_command(
        "crawl", site.url("/sitemap_index.xml"), "--db", str(db), "--max-pages", "2", "--json", *kit.TEST_SETTINGS
    )
    run = kit.run_hygiene(argv, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.summary["finish_reason"] == "closespider_pagecount"
    assert run.summary["pages_seen"] >= 2 and run.summary["clean"] + run.summary["contaminated"] >= 1

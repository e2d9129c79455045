"""A real crawl of the fixture site: what lands in the store, in quarantine, and what was dropped and why."""

from __future__ import annotations

import json

MODEL_DEPENDENT = "verdicts of the detector model"


def item_rows(kit, first_crawl) -> dict[str, dict]:
    """Stored items of the reference crawl by site path."""
    columns = [
        "url",
        "canonical_url",
        "title",
        "published",
        "author",
        "text",
        "status",
        "score",
        "flagged",
        "model_version",
        "fetched_at",
        "content_hash",
        "lastmod",
    ]
    found = kit.rows(first_crawl.db, f"SELECT {', '.join(columns)} FROM items")
    return {kit.path_of_url(row[0]): dict(zip(columns, row)) for row in found}


def dropped_rows(kit, first_crawl) -> dict[str, tuple[str, str]]:
    """Dropped pages of the reference crawl by site path: (reason, detail)."""
    found = kit.rows(first_crawl.db, "SELECT url, reason, detail FROM dropped")
    return {kit.path_of_url(url): (reason, detail) for url, reason, detail in found}


def test_every_article_is_stored_once(kit, first_crawl):
    items = item_rows(kit, first_crawl)
    assert set(items) == set(kit.CLEAN_ARTICLES) | set(kit.CONTAMINATED_ARTICLES)
    assert kit.rows(first_crawl.db, "SELECT COUNT(*), COUNT(DISTINCT url) FROM items") == [(len(items), len(items))]


def test_pages_that_are_not_articles_are_dropped_with_their_reason(kit, first_crawl):
    dropped = dropped_rows(kit, first_crawl)
    for listing in kit.LISTINGS:
        assert dropped[listing][0] == "not-article", listing
    assert dropped[kit.MISSING] == ("fetch-error", "HTTP 404")
    for path in kit.NON_HTML:
        assert dropped[path][0] == "not-html" and "content type" in dropped[path][1], path
    assert dropped[kit.HUGE][0] == "too-large"
    assert set(dropped).isdisjoint(item_rows(kit, first_crawl))


def test_robots_txt_forbidden_path_is_never_fetched(kit, first_crawl):
    fetched = [path for path, _ in first_crawl.requests]
    assert "/robots.txt" in fetched
    assert kit.ROBOTS_FORBIDDEN not in fetched
    assert kit.ROBOTS_FORBIDDEN not in item_rows(kit, first_crawl)
    assert kit.ROBOTS_FORBIDDEN not in dropped_rows(kit, first_crawl)


def test_redirect_is_followed_and_stored_under_the_final_url(kit, first_crawl):
    assert (kit.REDIRECT_FROM, 301) in first_crawl.requests
    items = item_rows(kit, first_crawl)
    assert kit.REDIRECT_FROM not in items
    assert items["/2025/03/18/moved-story.html"]["canonical_url"].endswith("/2025/03/18/moved-story.html")


def test_server_error_is_retried_and_the_page_stored(kit, first_crawl):
    answers = [status for path, status in first_crawl.requests if path == kit.FLAKY]
    assert answers == [500, 200]
    assert kit.FLAKY in item_rows(kit, first_crawl)


def test_article_metadata(kit, first_crawl):
    items = item_rows(kit, first_crawl)
    bridge = items["/2025/01/15/bridge-inspection.html"]
    assert (bridge["author"], bridge["published"]) == ("Harriet Ashdown", "2025-01-15")
    assert bridge["title"] == "Engineers find cracks in the Mill Lane bridge"
    assert items["/2025/02/20/choir-tour.html"]["author"] == "Lowri Evans"
    assert items["/2025/02/03/orchard-frost.html"]["published"] == "2025-02-03"
    assert items["/2025/03/02/night-market.html"]["title"] == "台中夜市攤商組團來訪"
    assert items["/2025/03/22/kimono-exhibit.html"]["author"] == "中村陽子"
    assert items[kit.SITEMAP_ONLY]["lastmod"] == "2025-04-01"
    for item in items.values():
        assert item["model_version"] and item["fetched_at"].endswith("Z") and len(item["content_hash"]) == 64


def test_quarantine_keeps_the_exact_raw_page_and_what_was_flagged(kit, site, first_crawl):
    found = kit.rows(first_crawl.db, "SELECT url, raw, flagged, score FROM quarantine")
    assert found, "no page was quarantined"
    for url, raw, flagged, score in found:
        assert raw == kit.served_body(site, kit.path_of_url(url))
        flags = json.loads(flagged)
        assert flags and all({"label", "text", "probability", "where", "reasons"} <= set(f) for f in flags)
        assert all(f["label"] in ("tag-noise", "spam") for f in flags)
        assert 0.0 <= score <= 1.0


def test_each_quarantined_page_is_also_a_contaminated_item(kit, first_crawl):
    quarantined = {url for (url,) in kit.rows(first_crawl.db, "SELECT url FROM quarantine")}
    contaminated = {url for (url,) in kit.rows(first_crawl.db, "SELECT url FROM items WHERE status = 'contaminated'")}
    assert quarantined == contaminated


def test_summary_adds_up_and_matches_the_store(kit, first_crawl):
    summary = first_crawl.run.summary
    dropped = sum(summary["dropped"].values())
    assert summary["finish_reason"] == "finished"
    assert summary["pages_seen"] == summary["clean"] + summary["contaminated"] + summary["unchanged"] + dropped
    assert kit.rows(first_crawl.db, "SELECT COUNT(*) FROM items WHERE status = 'clean'") == [(summary["clean"],)]
    assert kit.rows(first_crawl.db, "SELECT COUNT(*) FROM dropped") == [(dropped,)]
    runs = kit.rows(first_crawl.db, "SELECT finish_reason, stats FROM crawl_runs")
    assert len(runs) == 1 and runs[0][0] == "finished"
    assert json.loads(runs[0][1])["pages_seen"] == summary["pages_seen"]


def test_integrity_of_the_store(kit, first_crawl):
    assert kit.rows(first_crawl.db, "PRAGMA integrity_check") == [("ok",)]
    assert kit.rows(first_crawl.db, "PRAGMA journal_mode") == [("wal",)]


def test_contaminated_article_is_quarantined(kit, first_crawl, contaminated_path):
    items = item_rows(kit, first_crawl)
    assert items[contaminated_path]["status"] == "contaminated", f"not caught ({MODEL_DEPENDENT})"


def test_clean_article_is_stored_as_clean(kit, first_crawl, clean_path):
    items = item_rows(kit, first_crawl)
    assert items[clean_path]["status"] == "clean", f"false alarm: {items[clean_path]['flagged']} ({MODEL_DEPENDENT})"


def test_no_injected_text_reaches_a_stored_item(kit, first_crawl, contaminated_path):
    item = item_rows(kit, first_crawl)[contaminated_path]
    stored = f"{item['title']}\n{item['text']}".lower()
    leaked = [marker for marker in kit.SPAM_MARKERS[contaminated_path] if marker.lower() in stored]
    assert not leaked, f"injected text in the clean item ({MODEL_DEPENDENT})"


def test_cleaning_keeps_the_story(kit, first_crawl, article_path):
    text = item_rows(kit, first_crawl)[article_path]["text"]
    assert kit.FIRST_SENTENCES[article_path] in text, f"opening of the story lost ({MODEL_DEPENDENT})"

"""What a crawl writes to its store: a store that cannot be written (a full disk, an immutable file) stops the crawl
with one error line, and a stored page fetched again clears why an earlier fetch of it failed."""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from crawler.store import Store

FULL_DISK_BYTES = 96 * 1024
"""The largest file the crawl may write: the empty store fits, its write-ahead log fills up after a few pages."""
SQLITE_WRITE_FAILURE = r"\((database or disk is full|disk I/O error)\)"
"""How SQLite reports a write past the file size limit (a failed write of the log or of the database file)."""


def file_size_limit(limit: int) -> Callable[[], None]:
    """A child-process hook that caps the size of every file it writes, as a full disk does (for root too): a write
    past the cap fails with EFBIG, which SQLite reports as `database or disk is full`."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def crawl_with_full_disk(kit, site, db: Path) -> subprocess.CompletedProcess:
    """Crawl the fixture site into `db` on a disk that fills up after a few pages."""
    env = {**os.environ, "HYGIENE_DB": str(db.parent / "default-hygiene.db")}
    return subprocess.run(
        kit.crawl_command(site, db),
        cwd=db.parent,
        capture_output=True,
        text=True,
        timeout=kit.CRAWL_TIMEOUT,
        env=env,
        preexec_fn=file_size_limit(FULL_DISK_BYTES),
    )


def test_a_store_that_fills_up_mid_crawl_stops_the_crawl_with_one_error_line(kit, fresh_site, tmp_path):
    db = tmp_path / "hygiene.db"
    Store.open(db).close()
    done = crawl_with_full_disk(kit, fresh_site, db)
    assert done.returncode == 2, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("hygiene: error:")]
    assert len(errors) == 1 and done.stderr.splitlines()[-1] == errors[0] and "Traceback" not in done.stderr
    assert re.fullmatch(f"hygiene: error: {re.escape(str(db))}: cannot write to the store {SQLITE_WRITE_FAILURE}:"
                        " the crawl stopped", errors[0]), errors[0]
    assert kit.CrawlRun(done.returncode, done.stdout, done.stderr).summary["finish_reason"] == "store_error"
    (stored,) = kit.rows(db, "SELECT COUNT(*) FROM items")[0]
    assert stored < len(kit.CLEAN_ARTICLES) + len(kit.CONTAMINATED_ARTICLES)


@pytest.fixture
def read_only_store(tmp_path) -> Iterator[Path]:
    """A store file nobody may write, root included: an immutable file (chattr +i) for root, else mode 0444."""
    db = tmp_path / "hygiene.db"
    Store.open(db).close()
    if os.geteuid() != 0:
        db.chmod(0o444)
        yield db
        return
    if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(db)], capture_output=True).returncode:
        pytest.skip("needs chattr +i (an immutable file) to make a store read-only for root")
    try:
        yield db
    finally:
        subprocess.run(["chattr", "-i", str(db)], check=True)


def test_a_read_only_store_is_refused_before_anything_is_fetched(kit, fresh_site, read_only_store):
    run = kit.run_hygiene(kit.crawl_command(fresh_site, read_only_store), cwd=read_only_store.parent)
    assert run.returncode == 2 and run.stdout == ""
    expected = f"hygiene: error: {read_only_store}: cannot write to the store ({read_only_store} is read-only)\n"
    assert run.stderr == expected
    assert fresh_site.log == []


@pytest.mark.parametrize(
    "path",
    ["/2025/01/15/bridge-inspection.html", "/2025/02/20/choir-tour.html"],
    ids=["answered-304", "same-body-hash"],
)
def test_a_stored_page_found_unchanged_after_a_failed_fetch_is_no_longer_dropped(kit, fresh_site, tmp_path, path):
    """Stored, then a fetch fails (a dropped `fetch-error` row), then found unchanged: the store counts the page once,
    as an item."""
    db = tmp_path / "hygiene.db"
    argv = kit.hygiene_command("crawl", fresh_site.url(path), "--db", str(db), "--depth", "0", "--json",
                               *kit.TEST_SETTINGS, "-s", "RETRY_TIMES=0")
    assert kit.run_hygiene(argv, cwd=tmp_path).returncode == 0
    fresh_site.routes[path].fail_first = 1
    assert kit.run_hygiene(argv, cwd=tmp_path).returncode == 2, "the only page failed"
    assert kit.rows(db, "SELECT reason, detail FROM dropped") == [("fetch-error", "HTTP 500")]

    again = kit.run_hygiene(argv, cwd=tmp_path)
    assert again.returncode == 0 and again.summary["unchanged"] == 1
    stats = json.loads(kit.run_hygiene(kit.hygiene_command("stats", "--db", str(db), "--json"), cwd=tmp_path).stdout)
    assert (stats["items"], stats["dropped"]) == (1, {})

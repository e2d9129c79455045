"""Real crawls of the fixture site that go wrong: unreadable sitemaps, a second Ctrl-C, two identical crawls at
once, a --resume with nothing left."""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import json
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from crawler.extensions import LOCK_FILE
from hygiene.commands.crawl import job_dir_for

SLOW_SECONDS = 30
"""How long the slow seed keeps a crawl waiting: far longer than any test waits for it."""
POLL_SECONDS = 0.05
SIMULTANEOUS_CRAWLS = 3
"""Identical crawls started at once: enough that two of them reach the job directory together."""
CORRUPT_GZIP = gzip.compress(b"<urlset/>")[:10] + b"\xff" * 40
"""A gzip header followed by a deflate stream zlib refuses at once (`invalid block type`)."""


def wait_for_request(site, path: str, process: subprocess.Popen) -> None:
    """Poll the server's log until `path` was answered (the crawl is under way)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if path in site.requested_paths():
            return
        time.sleep(POLL_SECONDS)
    raise AssertionError(f"the crawl never asked for {path}")


def test_unreadable_sitemaps_are_dropped_and_the_rest_is_followed(kit, fresh_site, tmp_path):
    sitemap = (
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>http://[::1</loc></url><url><loc>{{BASE}}/2025/01/15/bridge-inspection.html</loc></url></urlset>"
    )
    fresh_site.routes["/mixed-sitemap.xml"] = kit.Route(sitemap, "application/xml")
    fresh_site.routes["/broken.xml.gz"] = kit.Route(CORRUPT_GZIP, "application/x-gzip")
    fresh_site.routes["/rootless.xml"] = kit.Route(b"<?xml version='1.0'?>\n", "application/xml")
    db = tmp_path / "hygiene.db"
    seeds = [fresh_site.url(path) for path in ("/mixed-sitemap.xml", "/broken.xml.gz", "/rootless.xml")]
    argv = kit.hygiene_command("crawl", *seeds, "--db", str(db), "--depth", "1", "--json", *kit.TEST_SETTINGS)
    run = kit.run_hygiene(argv, cwd=tmp_path)

    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr and "Spider error" not in run.stderr and run.summary["errors"] == 0
    stored = [kit.path_of_url(url) for (url,) in kit.rows(db, "SELECT url FROM items")]
    assert stored == ["/2025/01/15/bridge-inspection.html"]
    dropped = {kit.path_of_url(url): (reason, detail) for url, reason, detail in kit.rows(db, "SELECT url, reason,"
                                                                                          " detail FROM dropped")}
    assert dropped["/broken.xml.gz"][0] == dropped["/rootless.xml"][0] == "unreadable"
    assert dropped["/broken.xml.gz"][1].startswith("cannot gunzip: error: Error -3")
    assert dropped["/rootless.xml"][1] == "markup without a root element"
    (stats,) = kit.rows(db, "SELECT stats FROM crawl_runs")[0]
    assert json.loads(stats)["bad_entries"] == 1


def test_a_second_ctrl_c_stops_at_once_and_is_an_interruption(kit, fresh_site, tmp_path):
    """The first Ctrl-C waits for the page being downloaded; the second stops the crawl at once, before Scrapy
    records a finish reason: still an interruption (exit 130), never a finished crawl."""
    fresh_site.routes["/"].delay = SLOW_SECONDS
    db = tmp_path / "hygiene.db"
    argv = kit.hygiene_command("crawl", fresh_site.url("/"), "--db", str(db), "--json", *kit.TEST_SETTINGS)
    process = subprocess.Popen(argv, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_request(fresh_site, "/robots.txt", process)
        time.sleep(0.5)
        process.send_signal(signal.SIGINT)
        time.sleep(0.5)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=SLOW_SECONDS / 2)
    finally:
        process.kill()
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1] == "hygiene: interrupted; continue with the same command and --resume"
    assert kit.CrawlRun(process.returncode, stdout, stderr).summary["finish_reason"] is None


def test_identical_crawls_started_together_all_but_one_are_refused_in_one_line(kit, fresh_site, tmp_path):
    """The lock of the crawl's job directory is taken before anything in it is touched: whichever crawl takes it
    first runs, every other one stops with one error line."""
    fresh_site.routes["/"].delay = SLOW_SECONDS
    db = tmp_path / "hygiene.db"
    argv = kit.hygiene_command("crawl", fresh_site.url("/"), "--db", str(db), "--json", *kit.TEST_SETTINGS)
    processes = [
        subprocess.Popen(argv, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(SIMULTANEOUS_CRAWLS)
    ]
    try:
        losers = wait_for_all_but_one(processes, kit.CRAWL_TIMEOUT)
        outputs = [loser.communicate() for loser in losers]
    finally:
        for process in processes:
            process.kill()
            process.wait()
    assert [loser.returncode for loser in losers] == [2] * (SIMULTANEOUS_CRAWLS - 1)
    for stdout, stderr in outputs:
        assert stdout == "" and stderr.count("\n") == 1, stderr
        assert stderr.startswith(f"hygiene: error: a crawl of the same seeds into {db} is already running (")


def wait_for_all_but_one(processes: list[subprocess.Popen], seconds: float) -> list[subprocess.Popen]:
    """Wait until every process but one has ended (the one left is held by the slow seed); return those ended."""
    deadline = time.monotonic() + seconds
    while sum(process.poll() is None for process in processes) > 1 and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
    return [process for process in processes if process.poll() is not None]


class Competitor(threading.Thread):
    """Another crawl of the same job directory, as fast as can be: once the crawl under test has emptied the
    directory (`marker` gone), it keeps trying to take the directory's lock until told to stop."""

    def __init__(self, job_dir: Path, marker: Path):
        super().__init__(daemon=True)
        self.job_dir, self.marker = job_dir, marker
        self.stop = threading.Event()
        self.took_lock = False

    def run(self) -> None:
        while self.marker.exists() and not self.stop.is_set():
            time.sleep(0.001)
        while not self.stop.is_set() and not self.took_lock:
            self.job_dir.mkdir(parents=True, exist_ok=True)
            with (self.job_dir / LOCK_FILE).open("a") as lock:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    self.took_lock = True
                except BlockingIOError:
                    time.sleep(0.001)


def test_the_job_directory_stays_locked_from_the_check_until_the_crawl_ends(kit, fresh_site, tmp_path):
    """No other crawl can slip in between the check that the job directory is free, its emptying, and the start of
    the crawl in it: the lock is taken once, before the directory is touched."""
    fresh_site.routes["/"].delay = SLOW_SECONDS
    db = tmp_path / "hygiene.db"
    job_dir = job_dir_for(db.resolve(), [fresh_site.url("/")], [], 3)
    job_dir.mkdir(parents=True)
    (job_dir / LOCK_FILE).touch()
    marker = job_dir / "left-by-the-previous-crawl"
    marker.write_text("left by the previous crawl\n")
    competitor = Competitor(job_dir, marker)
    competitor.start()
    argv = kit.hygiene_command("crawl", fresh_site.url("/"), "--db", str(db), "--json", *kit.TEST_SETTINGS)
    process = subprocess.Popen(argv, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_request(fresh_site, "/robots.txt", process)
    finally:
        competitor.stop.set()
        competitor.join()
        process.kill()
        process.wait()
    assert not marker.exists()
    assert not competitor.took_lock, "another crawl took the job directory's lock while this crawl started in it"


@pytest.mark.parametrize("depth", ["0", "2"])
def test_a_resume_with_nothing_left_is_no_error(kit, site, tmp_path, depth):
    db = tmp_path / "hygiene.db"
    argv = kit.hygiene_command(
        "crawl", site.url("/2025/02/11/marsh-birds.html"), "--db", str(db), "--depth", depth, "--json",
        *kit.TEST_SETTINGS,
    )
    assert kit.run_hygiene(argv, cwd=tmp_path).returncode == 0
    resumed = kit.run_hygiene([*argv, "--resume"], cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.summary["requests"] == 0 and resumed.summary["finish_reason"] == "finished"


def test_a_demo_on_a_busy_port_says_its_stories_get_new_urls(kit, model_available, tmp_path):
    """With the demo's fixed port taken, the demo is served on another one and says that its stories are stored
    again under new URLs (a second demo run on the fixed port would have found them unchanged)."""
    from hygiene.commands.crawl import DEMO_PORT

    with socket.socket() as holder:
        with contextlib.suppress(OSError):  # something else holds it: the demo must go elsewhere all the same
            holder.bind(("127.0.0.1", DEMO_PORT))
        holder.listen()
        argv = kit.hygiene_command("crawl", "--demo", "--db", str(tmp_path / "demo.db"), "--max-pages", "1")
        run = kit.run_hygiene(argv, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    warnings = [line for line in run.stderr.splitlines() if line.startswith("hygiene: warning:")]
    assert len(warnings) == 1 and f"port {DEMO_PORT} is busy" in warnings[0], run.stderr


def test_endless_redirects_are_recorded_as_a_fetch_error(kit, fresh_site, tmp_path):
    """A seed whose redirects never end (past Scrapy's REDIRECT_MAX_TIMES) is no page filtered on purpose: it is
    dropped as a fetch error. (A redirect back to a URL already asked for is filtered as a duplicate by Scrapy.)"""
    hops = 25
    for hop in range(hops):
        fresh_site.routes[f"/hop{hop}.html"] = kit.Route(b"", status=302, headers={"Location": f"/hop{hop + 1}.html"})
    db = tmp_path / "hygiene.db"
    seeds = [fresh_site.url("/hop0.html"), fresh_site.url("/2025/01/15/bridge-inspection.html")]
    argv = kit.hygiene_command("crawl", *seeds, "--db", str(db), "--depth", "0", *kit.TEST_SETTINGS)
    run = kit.run_hygiene(argv, tmp_path)
    assert run.returncode == 0, run.stderr
    dropped = dict(kit.rows(db, "SELECT url, detail FROM dropped WHERE reason = 'fetch-error'"))
    assert "max redirections" in dropped[fresh_site.url("/hop0.html")], dropped


def test_a_crawl_that_cannot_start_is_an_error_not_an_interruption(kit, fresh_site, tmp_path):
    """A component that imports but cannot be built stops the crawl before it starts: one error line and exit 2,
    not 'interrupted' and 130 (which would send the user, and the scheduler, to --resume)."""
    argv = kit.hygiene_command(
        "crawl", fresh_site.url("/"), "--db", str(tmp_path / "h.db"), "-s", 'EXTENSIONS={"json.JSONDecodeError": 0}'
    )
    run = kit.run_hygiene(argv, tmp_path)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr and "interrupted" not in run.stderr, run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("hygiene: error:")]
    assert errors == [errors[0]] and "the crawl could not run (TypeError" in errors[0], run.stderr


def test_a_page_over_the_size_cap_once_decompressed_is_dropped_as_too_large(kit, fresh_site, tmp_path):
    """A gzip-coded answer of a few kilobytes that inflates past DOWNLOAD_MAXSIZE (a gzip bomb) is recorded."""
    inflated = b"<!DOCTYPE html><html><body><p>" + b"Ha" * kit.MAX_SIZE + b"</p></body></html>"
    fresh_site.routes["/bomb.html"] = kit.Route(gzip.compress(inflated), headers={"Content-Encoding": "gzip"})
    db = tmp_path / "hygiene.db"
    seeds = [fresh_site.url("/bomb.html"), fresh_site.url("/2025/01/15/bridge-inspection.html")]
    run = kit.run_hygiene(
        kit.hygiene_command("crawl", *seeds, "--db", str(db), "--depth", "0", "--json", *kit.TEST_SETTINGS),
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert run.summary["dropped"] == {"too-large": 1}
    ((url, reason, detail),) = kit.rows(db, "SELECT url, reason, detail FROM dropped")
    assert (kit.path_of_url(url), reason) == ("/bomb.html", "too-large") and "DOWNLOAD_MAXSIZE" in detail


def test_seeds_file_comments_and_blanks_are_not_part_of_the_urls(kit, fresh_site, tmp_path):
    """`URL   # comment` and trailing blanks: the help promises `# comments`, so the URL is fetched as written."""
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(
        f"# the town desk\n{fresh_site.url('/')}   # front page\n"
        f"  {fresh_site.url('/2025/01/15/bridge-inspection.html')}\t \n\n",
        encoding="utf-8",
    )
    db = tmp_path / "hygiene.db"
    argv = kit.hygiene_command("crawl", "--seeds-file", str(seeds), "--db", str(db), "--depth", "0", "--json",
                               *kit.TEST_SETTINGS)
    run = kit.run_hygiene(argv, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert {entry.path for entry in fresh_site.log} == {"/robots.txt", "/", "/2025/01/15/bridge-inspection.html"}
    assert [kit.path_of_url(url) for (url,) in kit.rows(db, "SELECT url FROM items")] == [
        "/2025/01/15/bridge-inspection.html"
    ]
    assert [kit.path_of_url(url) for (url,) in kit.rows(db, "SELECT url FROM dropped")] == ["/"]


def test_a_seeds_file_line_with_two_urls_is_refused(kit, tmp_path):
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("# desks\nhttps://news.example/ https://news.example/town/\n", encoding="utf-8")
    run = kit.run_hygiene(kit.hygiene_command("crawl", "--seeds-file", str(seeds)), cwd=tmp_path)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr == (
        f"hygiene: error: {seeds}, line 2: one URL a line, got 'https://news.example/ https://news.example/town/'\n"
    )

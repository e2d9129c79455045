"""The commands around the crawl: `scrapy crawl news`, `hygiene crawl --demo`, export, stats, and bad input."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import socket
import sqlite3
import stat
import subprocess
import sys
import threading
from contextlib import closing

import pytest

from crawler.demo_site.content import STORIES
from crawler.store import Store
from hygiene.cli import main

DEMO_MARKERS = ["qhwmz", "国产精品", "无码", "casino", "payday", "viagra", "cialis"]
"""Words of the demo site's injected junk: none may reach a stored item."""
SAME_SCRIPT_MARKERS = ["スーパーコピー", "偽物"]
"""The Japanese counterfeit paragraph on a Japanese page: a known miss (see its test)."""


def test_scrapy_crawl_news_from_the_repo_root(kit, site, tmp_path):
    db = tmp_path / "scrapy.db"
    argv = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "news",
        "-a",
        f"seeds={','.join(kit.seeds(site))}",
        "-a",
        "depth=3",
        "-s",
        f"HYGIENE_DB={db}",
        "-O",
        str(tmp_path / "items.jsonl"),
        "-s",
        "LOG_LEVEL=INFO",
        *kit.TEST_SETTINGS,
    ]
    run = kit.run_hygiene(argv, cwd=kit.REPO)
    assert run.returncode == 0, run.stderr
    assert "hygiene: pages seen" in run.stderr
    stored = {kit.path_of_url(url) for (url,) in kit.rows(db, "SELECT url FROM items")}
    assert stored == set(kit.CLEAN_ARTICLES) | set(kit.CONTAMINATED_ARTICLES)
    exported = [json.loads(line) for line in (tmp_path / "items.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {kit.path_of_url(item["url"]) for item in exported} == stored
    assert all("body" not in item and item["text"] for item in exported)


@pytest.mark.parametrize(
    ("spider_args", "message"),
    [
        ([], "the news spider needs seeds: -a seeds=URL[,URL...]"),
        (["-a", "seeds=ftp://127.0.0.1/"], "seed 'ftp://127.0.0.1/' is not an http(s) URL"),
        (["-a", "seeds=http://127.0.0.1:9/", "-a", "depth=deep"], "depth must be an integer, got 'deep'"),
        (["-a", "seeds=http://127.0.0.1:9/", "-a", "max_pages=0"], "max_pages must be 1 or more, got 0"),
        (
            ["-a", "seeds=http://127.0.0.1:99999/", "-a", "depth=0"],
            "seed 'http://127.0.0.1:99999/' is not a valid URL (Port out of range 0-65535)",
        ),
        (["-a", "seeds=http://[::1"], "seed 'http://[::1' is not a valid URL (Invalid IPv6 URL)"),
        (
            ["-a", "seeds=http://127.0.0.1:9/", "-a", "bogus=1"],
            "unknown argument 'bogus': the news spider takes seeds, allow_domains, depth, max_pages",
        ),
        (
            ["-a", "seeds=http://127.0.0.1:9/", "-a", "max_page=5"],
            "unknown argument 'max_page': the news spider takes seeds, allow_domains, depth, max_pages",
        ),
    ],
)
def test_scrapy_crawl_news_with_bad_arguments_says_why_in_one_line(kit, tmp_path, spider_args, message):
    db = tmp_path / "never.db"
    argv = [sys.executable, "-m", "scrapy", "crawl", "news", *spider_args, "-s", f"HYGIENE_DB={db}"]
    run = kit.run_hygiene(argv, cwd=kit.REPO)
    assert run.returncode == 2
    assert run.stderr == f"scrapy crawl: error: {message}\n" and run.stdout == ""
    assert "Traceback" not in run.stderr
    assert not db.exists()


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("HYGIENE_THRESHOLD=abc", "HYGIENE_THRESHOLD must be a number in (0, 1], got 'abc'"),
        ("HYGIENE_THRESHOLD=2", "threshold must be a number in (0, 1], got 2.0"),
        ("HYGIENE_MODEL={tmp}/missing.joblib", "{tmp}/missing.joblib: no such model file"),
        ("HYGIENE_DB={tmp}/foreign.db", "{tmp}/foreign.db: not a hygiene store or damaged: "),
    ],
)
def test_scrapy_crawl_news_with_a_bad_store_model_or_threshold_says_why_in_one_line(kit, tmp_path, setting, message):
    """Refused before any request, as `hygiene crawl` refuses them (the pipeline raised them inside the crawl, as a
    traceback)."""
    with closing(sqlite3.connect(tmp_path / "foreign.db")) as conn, conn:
        conn.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, url TEXT)")
    setting, message = setting.format(tmp=tmp_path), message.format(tmp=tmp_path)
    argv = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", "seeds=http://127.0.0.1:9/", "-s", setting]
    if not setting.startswith("HYGIENE_DB="):
        argv += ["-s", f"HYGIENE_DB={tmp_path / 'store.db'}"]
    run = kit.run_hygiene(argv, cwd=kit.REPO)
    assert run.returncode == 2
    assert run.stderr.startswith(f"scrapy crawl: error: {message}") and run.stderr.count("\n") == 1
    assert "Traceback" not in run.stderr and run.stdout == ""


def test_scrapy_crawl_of_an_unknown_spider_says_which_there_are(kit):
    run = kit.run_hygiene([sys.executable, "-m", "scrapy", "crawl", "nosuchspider"], cwd=kit.REPO)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr == "scrapy crawl: error: no spider named 'nosuchspider' (spiders: news)\n"


def test_a_crawl_that_fetches_nothing_is_an_error_without_tracebacks(kit, model_available, tmp_path):
    """Every request refused (nothing listens on the port): exit 2 with one closing error line, the log lines
    that say what failed, and no traceback (Scrapy logs a refused robots.txt with one)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    db = tmp_path / "nothing.db"
    argv = kit.hygiene_command("crawl", f"http://127.0.0.1:{port}/", "--db", str(db), "-s", "RETRY_TIMES=0")
    run = kit.run_hygiene(argv, cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr.splitlines()[-1].startswith("hygiene: error: not one page could be fetched from the seeds")
    assert "Traceback" not in run.stderr and "ConnectionRefusedError" in run.stderr
    assert "fetch-error 1" in run.stdout


@pytest.fixture
def demo_items(kit, model_available, tmp_path) -> dict:
    """Run `hygiene crawl --demo` into a fresh store: {path: (status, text)} of the stored items."""
    db = tmp_path / "demo.db"
    run = kit.run_hygiene(kit.hygiene_command("crawl", "--demo", "--db", str(db)), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "pages seen" in run.stdout and "contaminated" in run.stdout
    found = kit.rows(db, "SELECT url, status, text FROM items")
    return {kit.path_of_url(url): (status, text) for url, status, text in found}


def leaked_markers(demo_items: dict, markers: list[str]) -> dict:
    """{path: markers found in its stored text} for the items that hold any."""
    found = {path: [m for m in markers if m.lower() in text.lower()] for path, (_, text) in demo_items.items()}
    return {path: names for path, names in found.items() if names}


def test_demo_crawl_runs_offline_and_keeps_junk_out(demo_items):
    assert set(demo_items) == {story.path for story in STORIES}
    assert not leaked_markers(demo_items, DEMO_MARKERS), "injected text in stored items"


def test_demo_same_script_counterfeit_paragraph_is_removed(demo_items):
    assert not leaked_markers(demo_items, SAME_SCRIPT_MARKERS), "Japanese counterfeit text in stored items"


@pytest.mark.xfail(
    strict=False,
    reason="known miss of hygiene-base (features v9): the Japanese counterfeit paragraph, in the page's own script, "
    "leaves the stored text as boilerplate but is not flagged, so its page is stored as clean (page score 0.0001)",
)
def test_demo_contaminated_stories_are_flagged(demo_items):
    caught = {path for path, (status, _) in demo_items.items() if status == "contaminated"}
    assert caught == {story.path for story in STORIES if story.contaminated}, "demo verdicts of the model"


@pytest.fixture
def hygiene(kit, capsys, monkeypatch, tmp_path):
    """Run `hygiene ARGS` in this process (no crawl starts here), from tmp_path, with a throwaway default store."""
    monkeypatch.setenv("HYGIENE_DB", str(tmp_path / "default-hygiene.db"))
    monkeypatch.chdir(tmp_path)

    def run(*args: str):
        code = main(list(args))
        captured = capsys.readouterr()
        return kit.CrawlRun(code, captured.out, captured.err)

    return run


@pytest.fixture(scope="module")
def filled_store(tmp_path_factory):
    """A store written through the Store API (no crawl): two items, one quarantined, one dropped page."""
    from crawler.store import DroppedRecord, ItemRecord, QuarantineRecord

    db = tmp_path_factory.mktemp("store") / "hygiene.db"
    store = Store.open(db)
    store.save_item(
        ItemRecord(
            "https://news.example/a.html",
            None,
            "A, with comma",
            "2025-01-02",
            "Ann",
            'First paragraph.\nSecond, "quoted" paragraph.',
            "clean",
            0.02,
            "{}",
            "m1",
            "2025-01-02T10:00:00Z",
            "h1",
        )
    )
    store.save_item(
        ItemRecord(
            "https://news.example/b.html",
            None,
            "B",
            None,
            None,
            "Story text.",
            "contaminated",
            0.97,
            '{"spam": 1}',
            "m1",
            "2025-03-04T10:00:00Z",
            "h2",
        ),
        QuarantineRecord(
            "https://news.example/b.html",
            "<p>Story text.</p><p>cheap pills</p>".encode("cp1252"),
            "text/html",
            "cp1252",
            json.dumps([{"label": "spam", "text": "cheap pills"}]),
            0.97,
            "m1",
            "2025-03-04T10:00:00Z",
            "h2",
        ),
    )
    store.save_dropped(DroppedRecord("https://news.example/", "not-article", "listing page", "2025-03-04T10:00:00Z"))
    store.close()
    return db


def test_export_jsonl_and_csv_carry_the_same_records(hygiene, filled_store):
    jsonl = hygiene("export", "--db", str(filled_store))
    as_csv = hygiene("export", "--db", str(filled_store), "--format", "csv")
    assert jsonl.returncode == as_csv.returncode == 0
    records = [json.loads(line) for line in jsonl.stdout.splitlines()]
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert (
        [r["url"] for r in records]
        == [r["url"] for r in rows]
        == ["https://news.example/a.html", "https://news.example/b.html"]
    )
    assert records[0]["text"] == rows[0]["text"] == 'First paragraph.\nSecond, "quoted" paragraph.'
    assert records[1]["flagged"] == json.loads(rows[1]["flagged"]) == {"spam": 1}
    assert "exported 2 items" in jsonl.stderr


def test_export_since_and_quarantine(hygiene, filled_store, tmp_path):
    out = tmp_path / "q.jsonl"
    run = hygiene("export", "--db", str(filled_store), "--quarantine", "--since", "2025-03-01", "-o", str(out))
    assert run.returncode == 0, run.stderr
    (record,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert record["url"] == "https://news.example/b.html"
    assert record["raw"] == "<p>Story text.</p><p>cheap pills</p>"
    assert record["flagged"] == [{"label": "spam", "text": "cheap pills"}]
    later = hygiene("export", "--db", str(filled_store), "--since", "2025-03-05")
    assert later.returncode == 0 and later.stdout == ""


FILLED_STORE_URLS = ["https://news.example/a.html", "https://news.example/b.html"]


@pytest.mark.parametrize("name", ["copy.db", "copy.db-wal", "copy.db-shm", "link-to-copy.db"])
def test_export_onto_a_file_of_its_own_store_is_refused(hygiene, filled_store, tmp_path, name):
    db = tmp_path / "copy.db"
    shutil.copyfile(filled_store, db)
    (tmp_path / "link-to-copy.db").symlink_to(db)
    before = db.read_bytes()
    run = hygiene("export", "--db", str(db), "-o", str(tmp_path / name))
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr == f"hygiene: error: -o {tmp_path / name}: that is a file of the store {db}; write the export" \
                         " elsewhere\n"
    assert db.read_bytes() == before and (tmp_path / "link-to-copy.db").is_symlink()
    assert json.loads(hygiene("stats", "--db", str(db), "--json").stdout)["items"] == 2


def test_export_into_a_fifo_writes_through_it(hygiene, filled_store, tmp_path):
    """A named pipe stays a pipe: the records go through it, no file takes its place."""
    fifo = tmp_path / "items.fifo"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    run = hygiene("export", "--db", str(filled_store), "-o", str(fifo))
    reader.join(timeout=30)
    assert run.returncode == 0, run.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and not (tmp_path / "items.fifo.part").exists()
    assert [json.loads(line)["url"] for line in received[0].decode().splitlines()] == FILLED_STORE_URLS


def test_export_into_a_pipe_named_by_dev_fd(hygiene, filled_store):
    """`hygiene export -o >(gzip > items.gz)`: the shell names a pipe /dev/fd/N."""
    read_end, write_end = os.pipe()
    with os.fdopen(read_end, "rb") as pipe:
        with os.fdopen(write_end, "wb"):
            run = hygiene("export", "--db", str(filled_store), "-o", f"/dev/fd/{write_end}")
        received = pipe.read()
    assert run.returncode == 0, run.stderr
    assert [json.loads(line)["url"] for line in received.decode().splitlines()] == FILLED_STORE_URLS


def test_stats_counts(hygiene, filled_store):
    run = hygiene("stats", "--db", str(filled_store), "--json")
    assert run.returncode == 0, run.stderr
    counts = json.loads(run.stdout)
    assert (counts["items"], counts["clean"], counts["contaminated"], counts["quarantine"]) == (2, 1, 1, 1)
    assert counts["dropped"] == {"not-article": 1}
    text = hygiene("stats", "--db", str(filled_store))
    assert re.search(r"^quarantine\s+1$", text.stdout, re.MULTILINE)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["crawl"], "give at least one seed"),
        (["crawl", "ftp://example.org/"], "is not an http(s) URL"),
        (["crawl", "--seeds-file", "no-such-file.txt"], "cannot read seeds"),
        (["crawl", "https://example.org/", "-s", "NOEQUALS"], "-s expects NAME=VALUE"),
        (["crawl", "https://example.org/", "--db", "not-a-db.txt"], "cannot open as a SQLite database"),
        (["crawl", "https://example.org/", "--model", "no-such-model.joblib"], "no such model file"),
        (["crawl", "--demo", "https://example.org/"], "give no seeds with it"),
        (["crawl", "https://example.org/", "--db", "no-such-folder/x.db"], "--db no-such-folder/x.db: no such folder"),
        (["crawl", "https://news.example.org/", "--allow-domain", "example.com"], "outside --allow-domain"),
        (["crawl", "--seeds-file", "comments-only.txt"], "comments-only.txt: no seed URL in the file"),
        (["export", "--db", "missing.db"], "no such database"),
        (["export", "--db", "not-a-db.txt"], "cannot open as a SQLite database"),
        (["stats", "--db", "missing.db"], "no such database"),
        (["crawl", "http://[::1"], "seed 'http://[::1' is not a valid URL (Invalid IPv6 URL)"),
        (["crawl", "http://127.0.0.1:99999/"], "is not a valid URL (Port out of range 0-65535)"),
        (["crawl", "https://example.org/", "-s", "HYGIENE_THRESHOLD=abc"], "HYGIENE_THRESHOLD=abc: expected a number"),
        (["crawl", "https://example.org/", "-s", "HYGIENE_THRESHOLD=0"], "expected a number in (0, 1]"),
        (["crawl", "https://example.org/", "-s", "LOG_LEVEL=LOUD"], "-s LOG_LEVEL=LOUD: expected a logging level"),
        (["crawl", "https://example.org/", "-s", "DOWNLOAD_MAXSIZE=abc"], "DOWNLOAD_MAXSIZE=abc: expected an integer"),
        (["crawl", "https://example.org/", "-s", "DOWNLOAD_DELAY=fast"], "DOWNLOAD_DELAY=fast: expected a number"),
        (["crawl", "https://example.org/", "-s", "ROBOTSTXT_OBEY=maybe"], "expected a boolean"),
        (["crawl", "https://example.org/", "-s", "ITEM_PIPELINES=[1]"], "ITEM_PIPELINES=[1]: expected a JSON object"),
        (
            ["crawl", "https://example.org/", "-s", 'DOWNLOADER_MIDDLEWARES={"no.such.Middleware": 100}'],
            "-s DOWNLOADER_MIDDLEWARES: cannot import no.such.Middleware (ModuleNotFoundError",
        ),
        (
            ["crawl", "https://example.org/", "-s", "DEPTH_LIMT=2"],
            "-s DEPTH_LIMT: not a Scrapy setting nor one of crawler/settings.py (declare the settings of third-party",
        ),
        (["crawl", "https://example.org/", "-s", "HYGIENE_DB=other.db"], "-s HYGIENE_DB is not for hygiene crawl"),
        (["crawl", "https://example.org/", "-s", "HYGIENE_MODEL=m.joblib"], "-s HYGIENE_MODEL is not for"),
        (["crawl", "https://example.org/", "-s", "JOBDIR=jobs"], "the job directory is kept beside the store"),
        (["crawl", "https://example.org/", "-s", "LOG_FILE=x.log"], "-s LOG_FILE is not for hygiene crawl"),
        (
            ["crawl", "https://example.org/", "--log-file", "no-such-folder/x.log"],
            "--log-file no-such-folder/x.log: cannot write (No such file or directory)",
        ),
        (["export", "--db", "not-a-db.txt", "--since", "99999999d"], "--since '99999999d': too far back"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(hygiene, tmp_path, args, message):
    (tmp_path / "not-a-db.txt").write_text("this is not a database\n" * 200, encoding="utf-8")
    (tmp_path / "comments-only.txt").write_text("# seeds for the night crawl\n\n", encoding="utf-8")
    run = hygiene(*args)
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("hygiene: error: ") and message in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "no-such-folder").exists()


@pytest.mark.parametrize(("value", "message"), [("https://example.org/", "not a URL"), ("", "not a domain name")])
def test_allow_domain_takes_a_domain(kit, tmp_path, value, message):
    argv = [sys.executable, "-m", "hygiene", "crawl", "https://example.org/", "--allow-domain", value]
    run = kit.run_hygiene([*argv, "--db", str(tmp_path / "x.db")], cwd=kit.REPO)
    assert run.returncode == 2 and run.stderr.count("\n") == 1
    assert run.stderr.startswith("hygiene: error: crawl: argument --allow-domain: ") and message in run.stderr
    assert not (tmp_path / "x.db").exists()


def test_bad_since_is_refused(hygiene, filled_store):
    run = hygiene("export", "--db", str(filled_store), "--since", "last week")
    assert run.returncode == 2 and "--since" in run.stderr


@pytest.fixture
def damaged_store(filled_store, tmp_path):
    """A copy of the filled store with a data page overwritten with junk, as a disk fault would leave it."""
    path = tmp_path / "damaged.db"
    with sqlite3.connect(filled_store) as source, sqlite3.connect(path) as target:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")
    data = bytearray(path.read_bytes())
    page = 4096
    data[page : 2 * page] = b"\xab" * page
    path.write_bytes(bytes(data))
    return path


@pytest.fixture
def foreign_store(tmp_path):
    """A SQLite file with tables of our names but not our columns."""
    path = tmp_path / "foreign.db"
    with sqlite3.connect(path) as conn:
        for table in ("items", "quarantine", "dropped", "crawl_runs"):
            conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, url TEXT)")
    return path


@pytest.mark.parametrize("store", ["damaged_store", "foreign_store"])
@pytest.mark.parametrize(
    "command", [["stats"], ["export"], ["export", "--quarantine"], ["crawl", "https://example.org/"]]
)
def test_a_damaged_or_foreign_store_is_one_line_and_exit_code_2(hygiene, request, store, command):
    path = request.getfixturevalue(store)
    run = hygiene(*command, "--db", str(path))
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.startswith(f"hygiene: error: {path}: not a hygiene store or damaged: ")
    assert run.stderr.count("\n") == 1


def test_export_to_a_reader_that_stops_early_ends_quietly(filled_store, tmp_path):
    """`hygiene export | head -c 1`: the reader is gone before the rows are; no traceback, no false 'damaged store'
    line (the row cursor is closed before the store)."""
    done = subprocess.run(
        f"{sys.executable} -m hygiene export --db {filled_store} --quarantine | head -c 1",
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.stdout == "{"
    assert "Traceback" not in done.stderr and "damaged" not in done.stderr, done.stderr
    with subprocess.Popen(
        [sys.executable, "-m", "hygiene", "export", "--db", str(filled_store)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as closed_early:
        closed_early.stdout.close()
        stderr = closed_early.stderr.read()
    assert closed_early.returncode == 2
    assert "Traceback" not in stderr and "damaged" not in stderr, stderr


@pytest.mark.parametrize("command", [["stats"], ["export"], ["export", "--quarantine"]])
def test_readers_leave_an_unrelated_sqlite_file_alone(hygiene, tmp_path, command):
    """`stats` and `export` on a SQLite file of another program refuse it and write nothing into it."""
    path = tmp_path / "notes.db"
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
    run = hygiene(*command, "--db", str(path))
    assert run.returncode == 2 and run.stderr == f"hygiene: error: {path}: not a hygiene store (it holds notes)\n"
    with closing(sqlite3.connect(path)) as conn:
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        assert tables == [("notes",)] and conn.execute("PRAGMA user_version").fetchone() == (0,)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Example.COM.", "example.com"), ("例え.jp", "xn--r8jz45g.jp"), ("feeds_1.example.org", "feeds_1.example.org")],
)
def test_allow_domain_is_read_as_scrapy_compares_hosts(value, expected):
    """Lowered, without a trailing dot, and in IDNA ASCII: Scrapy's offsite filter compares punycode hosts."""
    from hygiene.parsing import domain

    assert domain(value) == expected

"""`hygiene schedule add/list/pause/resume/remove/history`: output, JSON, and one-line errors with exit code 2."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from crawler.store import Store
from hygiene.cli import main
from hygiene.schedule import store

SEED = "https://news.example.org/"


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return str(tmp_path / "store.db")


def schedule(capsys, *args):
    """Run `hygiene schedule ARGS` in-process; return (exit code, stdout, stderr)."""
    code = main(["schedule", *args])
    out, err = capsys.readouterr()
    return code, out, err


def jobs(capsys, db):
    code, out, _ = schedule(capsys, "list", "--db", db, "--json")
    assert code == 0
    return {job["name"]: job for job in json.loads(out)}


def test_add_then_list_shows_the_job(capsys, db, tmp_path):
    code, out, _ = schedule(capsys, "add", "news", "--every", "6h", "--db", db, "--", SEED, "--depth", "2",
                            "--max-pages", "50")
    assert code == 0 and out.startswith(f"added news to {db}: every 6h, next run ")
    job = jobs(capsys, db)["news"]
    assert job["crawl_args"] == [SEED, "--depth", "2", "--max-pages", "50"]
    assert (job["kind"], job["spec"], job["state"], job["last_run"]) == ("every", "6h", "active", None)
    assert job["workdir"] == str(tmp_path)
    assert job["timeout_seconds"] == 7200
    code, out, _ = schedule(capsys, "list", "--db", db)
    assert out.splitlines()[0].split() == ["NAME", "SCHEDULE", "STATE", "NEXT", "RUN", "LAST", "RUN"]
    assert out.splitlines()[1].split()[:4] == ["news", "every", "6h", "active"]


def test_interval_is_stored_in_its_canonical_form(capsys, db):
    assert schedule(capsys, "add", "news", "--every", " 90M ", "--db", db, "--", SEED)[0] == 0
    assert jobs(capsys, db)["news"]["schedule"] == "every 1h30m"


def test_cron_job_shows_its_next_run_in_its_time_zone(capsys, db):
    code, out, _ = schedule(capsys, "add", "morning", "--cron", "30 6 * * 1-5", "--timezone", "Asia/Kolkata",
                            "--timeout", "20m", "--db", db, "--", SEED)
    assert code == 0
    job = jobs(capsys, db)["morning"]
    assert job["schedule"] == "cron '30 6 * * 1-5' Asia/Kolkata" and job["timeout_seconds"] == 1200
    assert job["next_run"].endswith("T06:30:00+05:30")


def test_pause_resume_remove(capsys, db):
    schedule(capsys, "add", "news", "--every", "1h", "--db", db, "--", SEED)
    assert schedule(capsys, "pause", "news", "--db", db)[:2] == (0, "paused news\n")
    assert jobs(capsys, db)["news"]["state"] == "paused"
    code, out, _ = schedule(capsys, "resume", "news", "--db", db)
    assert code == 0 and out.startswith("resumed news, next run ")
    assert jobs(capsys, db)["news"]["state"] == "active"
    assert schedule(capsys, "remove", "news", "--db", db)[:2] == (0, "removed news\n")
    assert jobs(capsys, db) == {}


def test_history_of_a_fresh_store_is_empty(capsys, db):
    schedule(capsys, "add", "news", "--every", "1h", "--db", db, "--", SEED)
    assert schedule(capsys, "history", "--db", db, "--json")[:2] == (0, "[]\n")
    code, out, _ = schedule(capsys, "history", "news", "--db", db)
    assert code == 0 and out.split()[:5] == ["RUN", "JOB", "STARTED", "ENDED", "OUTCOME"]


def test_default_store_is_the_crawls_default(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("HYGIENE_DB", str(tmp_path / "from-env.db"))
    monkeypatch.chdir(tmp_path)
    assert schedule(capsys, "add", "news", "--every", "1h", "--", SEED)[0] == 0
    assert sqlite3.connect(tmp_path / "from-env.db").execute("SELECT name FROM schedule_jobs").fetchall() == [("news",)]


def test_crawl_db_equal_to_the_store_is_accepted(capsys, db):
    assert schedule(capsys, "add", "news", "--every", "1h", "--db", db, "--", SEED, "--db", "store.db")[0] == 0
    assert "news" in jobs(capsys, db)


def test_crawl_db_alone_names_the_store(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("HYGIENE_DB", str(tmp_path / "default.db"))
    monkeypatch.chdir(tmp_path)
    code, out, _ = schedule(capsys, "add", "news", "--every", "1h", "--", SEED, "--db", "news.db")
    assert code == 0 and out.startswith(f"added news to {tmp_path / 'news.db'}: every 1h")
    assert "news" in jobs(capsys, str(tmp_path / "news.db"))
    assert not (tmp_path / "default.db").exists()


BAD_ADDS = [
    (["--cron", "0 25 * * *", "--", SEED], "bad cron expression '0 25 * * *'"),
    (["--cron", "* * * * * *", "--", SEED], "bad cron expression"),
    (["--every", "5", "--", SEED], "bad duration '5'"),
    (["--every", "0m", "--", SEED], "bad duration '0m'"),
    (["--every", "", "--", SEED], "bad duration '': use a number and a unit"),
    (["--cron", "", "--", SEED], "bad cron expression '': use five fields"),
    (["--cron", "@daily", "--timezone", "", "--", SEED], "unknown time zone ''"),
    (["--every", "1h", "--timeout", "soon", "--", SEED], "bad duration 'soon'"),
    (["--every", "1h", "--timezone", "Europe/Paris", "--", SEED], "--timezone applies to --cron"),
    (["--cron", "@daily", "--timezone", "Mars/Olympus", "--", SEED], "unknown time zone 'Mars/Olympus'"),
    (["--every", "1h"], "give the crawl arguments after --"),
    (["--every", "1h", "--", SEED, "--bogus"], "bad crawl arguments: unrecognized arguments: --bogus"),
    (["--every", "1h", "--", SEED, "--depth", "-1"], "bad crawl arguments: argument --depth"),
    (["--every", "1h", "--", "ftp://example.org/"], "is not an http(s) URL"),
    (["--every", "1h", "--", "--seeds-file", "missing.txt"], "missing.txt: cannot read seeds"),
    (["--every", "1h", "--", "--depth", "2"], "give at least one seed URL"),
    (["--every", "1h", "--", SEED, "-s", "NOEQUALS"], "-s expects NAME=VALUE"),
    (["--every", "1h", "--", SEED, "--model", "nope.joblib"], "no such model file"),
    (["--every", "1h", "--", SEED, "--help"], "--help has no place"),
    (["--every", "1h", "--", SEED, "--db", "elsewhere.db"], "is not the schedule's store"),
    (["--every", "999999999d", "--", SEED], "bad duration '999999999d': at most 366 days"),
    (["--every", "1000000000d", "--", SEED], "bad duration '1000000000d': at most 366 days"),
    (["--every", "1h", "--timeout", "367d", "--", SEED], "bad duration '367d': at most 366 days"),
    (["--cron", "0 0 31 2 *", "--", SEED], "bad cron expression '0 0 31 2 *': it never fires"),
    (["--every", "1h", "--", "http://[::1"], "seed 'http://[::1' is not a valid URL (Invalid IPv6 URL)"),
    (["--every", "1h", "--", "http://127.0.0.1:99999/"], "is not a valid URL (Port out of range"),
    (["--every", "1h", "--", SEED, "-s", "LOG_LEVEL=LOUD"], "bad crawl arguments: -s LOG_LEVEL=LOUD: expected a"),
    (["--every", "1h", "--", SEED, "-s", "DEPTH_LIMT=2"], "-s DEPTH_LIMT: not a Scrapy setting"),
    (["--every", "1h", "--", SEED, "-s", "HYGIENE_DB=other.db"], "-s HYGIENE_DB is not for hygiene crawl: give --db"),
    (["--every", "1h", "--", SEED, "--log-file", "no-such-folder/x.log"], "--log-file no-such-folder/x.log: cannot"),
]


@pytest.mark.parametrize(("args", "message"), BAD_ADDS, ids=[" ".join(a[:2]) + "|" + m for a, m in BAD_ADDS])
def test_bad_add_is_one_line_exit_2_and_stores_nothing(capsys, db, args, message):
    code, out, err = schedule(capsys, "add", "news", "--db", db, *args)
    assert code == 2 and out == ""
    assert err.startswith("hygiene: error: ") and message in err and err.count("\n") == 1
    assert not Path(db).exists()


@pytest.mark.parametrize("name", ["bad name", "../escape", ".hidden"])
def test_bad_job_names_are_refused(capsys, db, name):
    code, _, err = schedule(capsys, "add", name, "--db", db, "--every", "1h", "--", SEED)
    assert code == 2 and "bad job name" in err


def test_crawl_arguments_without_the_separator_are_a_usage_error(capsys, db):
    with pytest.raises(SystemExit) as caught:
        main(["schedule", "add", "news", "--every", "1h", "--db", db, SEED])
    err = capsys.readouterr().err
    assert caught.value.code == 2 and f"unrecognized arguments: {SEED} (crawl arguments go after --)" in err
    assert "Traceback" not in err and not Path(db).exists()


@pytest.mark.parametrize(
    "args",
    [
        ["add", "news", "--every", "1h", "--db", "typo/store.db", "--", SEED],
        ["add", "news", "--every", "1h", "--", SEED, "--db", "typo/store.db"],
        ["list", "--db", "typo/store.db"],
    ],
    ids=["schedule-db", "crawl-db", "list"],
)
def test_a_store_in_a_folder_that_does_not_exist_is_refused(capsys, db, tmp_path, args):
    """A typo in --db is an error, not a new folder."""
    code, out, err = schedule(capsys, *args)
    assert code == 2 and out == "" and err == "hygiene: error: --db typo/store.db: no such folder typo\n"
    assert not (tmp_path / "typo").exists()


def test_duplicate_name_keeps_the_first_job(capsys, db):
    schedule(capsys, "add", "news", "--every", "1h", "--db", db, "--", SEED)
    code, _, err = schedule(capsys, "add", "news", "--every", "5m", "--db", db, "--", SEED)
    assert code == 2 and "already exists" in err
    assert jobs(capsys, db)["news"]["spec"] == "1h"


@pytest.mark.parametrize("action", [["remove", "ghost"], ["pause", "ghost"], ["resume", "ghost"],
                                    ["history", "ghost"]])
def test_unknown_job_is_one_line_exit_2(capsys, db, action):
    schedule(capsys, "add", "news", "--every", "1h", "--db", db, "--", SEED)
    code, _, err = schedule(capsys, *action, "--db", db)
    assert code == 2 and err == "hygiene: error: no job named 'ghost' (see `hygiene schedule list`)\n"


def test_a_store_that_is_not_sqlite_is_refused_untouched(capsys, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"just some notes\n" * 200)
    code, _, err = schedule(capsys, "list", "--db", str(path))
    assert code == 2 and err.startswith("hygiene: error: ") and err.count("\n") == 1
    assert path.read_bytes() == b"just some notes\n" * 200


def test_negative_history_limit_is_refused(capsys, db):
    code, _, err = schedule(capsys, "history", "--db", db, "--limit", "-1")
    assert code == 2 and "--limit" in err


def test_scheduler_refuses_a_log_folder_it_cannot_create(capsys, db, tmp_path):
    (tmp_path / "taken").write_text("a file, not a folder")
    code, _, err = schedule(capsys, "run", "--once", "--db", db, "--log-dir", str(tmp_path / "taken" / "logs"))
    assert code == 2 and err.startswith("hygiene: error: cannot create the log folder") and err.count("\n") == 1


def test_scheduler_with_nothing_due_exits_0_at_once(capsys, db):
    schedule(capsys, "add", "later", "--cron", "0 0 1 1 *", "--db", db, "--", SEED)
    code, out, _ = schedule(capsys, "run", "--once", "--db", db)
    assert code == 0 and out == ""
    assert schedule(capsys, "history", "--db", db, "--json")[1] == "[]\n"


STATS_MIDDLEWARE = '{"scrapy.downloadermiddlewares.stats.DownloaderStats": 850}'
"""A component setting naming a class that imports."""


def test_settings_and_log_file_that_hygiene_crawl_takes_are_accepted(capsys, db, tmp_path):
    code, _, err = schedule(capsys, "add", "news", "--every", "1h", "--db", db, "--", SEED, "--log-file", "crawl.log",
                            "-s", "HYGIENE_THRESHOLD=0.9", "-s", "LOG_LEVEL=DEBUG", "-s", "ROBOTSTXT_OBEY=false",
                            "-s", "DOWNLOAD_TIMEOUT=2.5", "-s", f"DOWNLOADER_MIDDLEWARES={STATS_MIDDLEWARE}")
    assert code == 0, err
    assert not (tmp_path / "crawl.log").exists(), "checking the log file left it behind"


def test_damaged_and_foreign_stores_are_one_line_errors(capsys, tmp_path):
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE schedule_runs (id INTEGER PRIMARY KEY, job TEXT)")
    newer = tmp_path / "newer.db"
    with sqlite3.connect(newer) as conn:
        conn.execute("PRAGMA user_version = 2")
    for path, message in [(foreign, "not a hygiene store or damaged: table schedule_runs lacks"),
                          (newer, "store schema version 2 is newer than this program reads (1)")]:
        code, out, err = schedule(capsys, "list", "--db", str(path))
        assert code == 2 and out == "" and err.count("\n") == 1 and message in err


@pytest.mark.parametrize("action", [["list"], ["list", "--json"], ["history"], ["history", "news"]])
def test_list_and_history_refuse_a_missing_store_and_create_nothing(capsys, db, tmp_path, action):
    code, out, err = schedule(capsys, *action, "--db", db)
    assert code == 2 and out == ""
    assert err == f"hygiene: error: {Path(db).resolve()}: no such database (add a job with `hygiene schedule add` or" \
                  " pass --db)\n"
    assert list(tmp_path.iterdir()) == []


def test_list_and_history_leave_a_crawl_store_as_it_was(capsys, tmp_path):
    """A store without schedules reads as one without jobs: no tables added, its journal mode kept."""
    path = tmp_path / "crawl.db"
    Store.open(path).close()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
    before = path.read_bytes()
    assert schedule(capsys, "list", "--db", str(path))[:2] == (0, "NAME  SCHEDULE  STATE  NEXT RUN  LAST RUN\n")
    assert schedule(capsys, "history", "--db", str(path), "--json")[:2] == (0, "[]\n")
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["crawl.db"]


def test_a_job_running_now_is_listed_as_running_though_a_later_slot_was_skipped(capsys, db):
    schedule(capsys, "add", "news", "--every", "1m", "--db", db, "--", SEED)
    owner, now = store.Owner(), datetime.now(store.UTC)
    with store.open_store(Path(db)) as conn:
        (running,) = store.claim_due_jobs(conn, now, owner)
        (skipped,) = store.claim_due_jobs(conn, now + timedelta(minutes=1), owner)
    assert running.started and not skipped.started
    job = jobs(capsys, db)["news"]
    assert job["state"] == "running"
    assert (job["last_run"]["id"], job["last_run"]["outcome"]) == (running.run_id, "running")
    code, out, _ = schedule(capsys, "list", "--db", db)
    assert code == 0 and out.splitlines()[1].split()[3:4] == ["running"] and out.rstrip().endswith("running")

"""A real scheduler process running real `hygiene crawl`s of a fixture site on 127.0.0.1.

Short intervals (seconds) instead of long sleeps; every wait polls the store with a deadline.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from detector.model import default_model_path
from hygiene.cli import main
from hygiene.schedule import store

pytestmark = pytest.mark.slow

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_ENABLED=False"]
FINAL = {"ok", "failed", "skipped", "interrupted"}


@pytest.fixture(scope="module", autouse=True)
def crawl_model() -> None:
    """Real crawls score every page with the shipped model (or $HYGIENE_MODEL): say so if it is missing."""
    if not default_model_path().is_file():
        pytest.fail(f"real crawls need the detector model at {default_model_path()} (or $HYGIENE_MODEL)")


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "news.db"


def hygiene(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the real `hygiene` command in a child process and capture its output."""
    return subprocess.run([sys.executable, "-m", "hygiene", *args], capture_output=True, text=True,
                          timeout=timeout)


def wait_for(condition, seconds: float = 60.0, what: str = "condition"):
    """Poll `condition` every 0.1 s until it returns something truthy (returned); fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def add_job(db: Path, name: str, schedule: list[str], crawl_args: list[str]) -> None:
    """`hygiene schedule add` (in-process: the command's code, without a second interpreter start)."""
    assert main(["schedule", "add", name, "--db", str(db), *schedule, "--", *crawl_args]) == 0


def runs(db: Path, job: str | None = None) -> list[dict]:
    """The run history, oldest first, read the way `hygiene schedule history` reads it."""
    with store.open_store(db) as connection:
        return [dict(row) for row in store.list_runs(connection, job)][::-1]


def items(db: Path) -> dict[str, str]:
    connection = sqlite3.connect(db)
    try:
        return dict(connection.execute("SELECT url, status FROM items").fetchall())
    finally:
        connection.close()


def dropped_count(db: Path) -> int:
    connection = sqlite3.connect(db)
    try:
        return connection.execute("SELECT COUNT(*) FROM dropped").fetchone()[0]
    finally:
        connection.close()


def finished(db: Path, job: str, count: int = 1, outcome: str = "ok"):
    """The job's runs once `count` of them have `outcome`."""
    rows = runs(db, job)
    return rows if sum(row["outcome"] == outcome for row in rows) >= count else None


def assert_history_complete(db: Path) -> None:
    """No run left half-written: every row has a final outcome and an end time."""
    for row in runs(db):
        assert row["outcome"] in FINAL and row["ended_at"] is not None, row


def process_gone(pid: int) -> bool:
    """True once `pid` is gone or a zombie waiting for init."""
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().rsplit(")", 1)[1].split()[0] == "Z"


def history_json(capsys, db: Path, *args: str) -> list[dict]:
    """`hygiene schedule history --json` (in-process), oldest first."""
    capsys.readouterr()
    assert main(["schedule", "history", *args, "--db", str(db), "--json", "--limit", "0"]) == 0
    return json.loads(capsys.readouterr().out)[::-1]


def test_every_job_runs_and_its_history_and_items_agree(capsys, db, site, start_scheduler):
    add_job(db, "local", ["--every", "4s", "--timeout", "60s"], [f"{site.url}/", "--depth", "1", *FAST])
    scheduler = start_scheduler(db, "--grace", "1s")
    wait_for(lambda: finished(db, "local", count=2), what="two runs of the job")
    assert scheduler.stop() == 0
    first, second = [run for run in history_json(capsys, db, "local") if run["outcome"] == "ok"][:2]
    stored = items(db)
    assert set(stored) == set(site.article_urls)
    assert first["outcome"] == "ok" and first["exit_code"] == 0
    assert first["clean"] + first["contaminated"] == len(stored)
    assert first["contaminated"] == sum(status == "contaminated" for status in stored.values())
    assert first["pages"] == len(stored) + dropped_count(db) == len(site.article_urls) + 1
    assert second["pages"] == first["pages"] and second["clean"] + second["contaminated"] == 0  # all unchanged
    for run in (first, second):
        log = Path(run["log_path"]).read_text()
        assert f"# run {run['id']} of job local:" in log and '"pages_seen"' in log
    assert first["log_path"] != second["log_path"]
    assert_history_complete(db)


def test_overlapping_slot_is_skipped_and_recorded(db, site, start_scheduler):
    add_job(db, "slow", ["--every", "1s", "--timeout", "60s"], [f"{site.url}/slow/4/", *FAST])
    scheduler = start_scheduler(db, "--grace", "1s")
    first_ok = wait_for(lambda: finished(db, "slow"), what="the slow crawl to finish")
    assert scheduler.stop() == 0
    first = next(row for row in first_ok if row["outcome"] == "ok")
    skipped = [row for row in runs(db, "slow") if row["outcome"] == "skipped"]
    assert skipped, "a 1 s job whose crawl takes over 4 s must skip slots"
    assert all(first["started_at"] <= row["started_at"] <= first["ended_at"] for row in skipped
               if row["message"] == f"run {first['id']} of this job was still running")
    assert all(row["log_path"] is None and row["pages"] is None for row in skipped)
    assert first["pages"] == 1 and first["clean"] + first["contaminated"] == 1
    assert_history_complete(db)


def test_hung_crawl_is_killed_at_its_timeout_and_recorded_failed(db, site, start_scheduler):
    add_job(db, "stuck", ["--every", "1h", "--timeout", "10s"], [f"{site.url}/hang/", *FAST])
    scheduler = start_scheduler(db, "--grace", "30s")
    (run,) = wait_for(lambda: finished(db, "stuck", outcome="failed"), what="the timeout")
    assert "/hang/" in site.hits
    assert "timed out after 10s" in run["message"]
    (pid,) = scheduler.crawl_pids()
    assert wait_for(lambda: process_gone(pid), seconds=10, what="the crawl process to die")
    assert scheduler.process.poll() is None, "the scheduler survives a hung crawl"
    assert scheduler.stop() == 0
    assert_history_complete(db)


def test_sigterm_lets_a_running_crawl_finish_within_the_grace(db, site, start_scheduler):
    add_job(db, "slow", ["--every", "1h"], [f"{site.url}/slow/3/", *FAST])
    scheduler = start_scheduler(db, "--grace", "60s")
    wait_for(lambda: "/slow/3/" in site.hits, what="the crawl to request the slow page")
    assert scheduler.stop(signal.SIGTERM) == 0
    (run,) = runs(db)
    assert run["outcome"] == "ok" and run["pages"] == 1
    assert "stopping: waiting up to 60s for 1 running crawl(s)" in scheduler.log()


def test_sigterm_past_the_grace_marks_the_crawl_interrupted(db, site, start_scheduler):
    add_job(db, "stuck", ["--every", "1h", "--timeout", "10m"], [f"{site.url}/hang/", *FAST])
    scheduler = start_scheduler(db, "--grace", "1s")
    wait_for(lambda: "/hang/" in site.hits, what="the crawl to hang")
    assert scheduler.stop(signal.SIGTERM) == 0
    (run,) = runs(db)
    assert run["outcome"] == "interrupted" and run["ended_at"] is not None
    assert all(process_gone(pid) for pid in scheduler.crawl_pids())
    assert_history_complete(db)


def test_sigint_twice_stops_at_once(db, site, start_scheduler):
    add_job(db, "stuck", ["--every", "1h", "--timeout", "10m"], [f"{site.url}/hang/", *FAST])
    scheduler = start_scheduler(db, "--grace", "10m")
    wait_for(lambda: "/hang/" in site.hits, what="the crawl to hang")
    scheduler.process.send_signal(signal.SIGINT)
    wait_for(lambda: "stopping" in scheduler.log(), seconds=10, what="the first SIGINT to register")
    assert scheduler.stop(signal.SIGINT, seconds=30) == 0
    assert [run["outcome"] for run in runs(db)] == ["interrupted"]


def test_killed_scheduler_leaves_an_orphan_the_next_one_closes(db, site, start_scheduler):
    add_job(db, "stuck", ["--every", "1h", "--timeout", "10m"], [f"{site.url}/hang/", *FAST])
    crashed = start_scheduler(db)
    wait_for(lambda: "/hang/" in site.hits, what="the crawl to hang")
    crashed.stop(signal.SIGKILL)
    assert [row["outcome"] for row in runs(db)] == ["running"]
    for pid in crashed.crawl_pids():
        os.killpg(pid, signal.SIGKILL)
    result = hygiene("schedule", "run", "--once", "--db", str(db))
    assert result.returncode == 0 and "marked 1 run(s) of a vanished scheduler as interrupted" in result.stderr
    assert [row["outcome"] for row in runs(db)] == ["interrupted"]


def test_once_runs_only_what_is_due_and_missed_slots_once(db, site):
    add_job(db, "due", ["--every", "1s"], [f"{site.url}/", "--depth", "1", *FAST])
    add_job(db, "later", ["--cron", "0 0 1 1 *"], [f"{site.url}/", "--depth", "1", *FAST])
    time.sleep(3)  # slots at +1 s, +2 s, +3 s pass with no scheduler running
    result = hygiene("schedule", "run", "--once", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert [(run["job"], run["outcome"]) for run in runs(db)] == [("due", "ok")]
    assert set(items(db)) == set(site.article_urls)


def test_once_exits_1_when_a_crawl_fails(db, site, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "seeds.txt").write_text(f"{site.url}/\n")
    add_job(db, "seeded", ["--every", "1h"], ["--seeds-file", "seeds.txt", *FAST])
    (tmp_path / "seeds.txt").unlink()
    result = hygiene("schedule", "run", "--once", "--db", str(db))
    assert result.returncode == 1
    (run,) = runs(db)
    assert run["outcome"] == "failed" and run["exit_code"] == 2
    assert "seeds.txt: cannot read seeds" in run["message"]


def listed(capsys, db: Path) -> dict[str, dict]:
    """`hygiene schedule list --json` (in-process) by job name."""
    capsys.readouterr()
    assert main(["schedule", "list", "--db", str(db), "--json"]) == 0
    return {job["name"]: job for job in json.loads(capsys.readouterr().out)}


def test_commands_work_while_the_scheduler_runs_a_crawl(capsys, db, site, start_scheduler):
    add_job(db, "slow", ["--every", "1h"], [f"{site.url}/slow/5/", *FAST])
    add_job(db, "doomed", ["--cron", "0 0 1 1 *"], [f"{site.url}/", *FAST])
    scheduler = start_scheduler(db, "--grace", "60s")
    wait_for(lambda: "/slow/5/" in site.hits, what="the crawl to start")
    assert listed(capsys, db)["slow"]["state"] == "running"
    add_job(db, "front", ["--every", "1h"], [f"{site.url}/", "--depth", "1", *FAST])
    assert main(["schedule", "pause", "slow", "--db", str(db)]) == 0
    assert main(["schedule", "remove", "doomed", "--db", str(db)]) == 0
    wait_for(lambda: finished(db, "front"), what="the job added while running")
    wait_for(lambda: finished(db, "slow"), what="the slow crawl")
    assert scheduler.stop() == 0
    assert {run["job"]: run["outcome"] for run in runs(db)} == {"slow": "ok", "front": "ok"}
    jobs = listed(capsys, db)
    assert set(jobs) == {"slow", "front"} and jobs["slow"]["state"] == "paused"
    assert "database is locked" not in scheduler.log()

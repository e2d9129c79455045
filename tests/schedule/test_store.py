"""Schedule tables in a real SQLite store: claims, skips, missed slots, orphans, all-or-nothing writes."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from crawler.store import Store
from detector.errors import ConfigError
from hygiene.schedule import store
from hygiene.schedule.store import Job, Owner, RunEnd

T0 = datetime(2024, 6, 1, 12, 0, tzinfo=store.UTC)


def interval_job(name="news", every="1h", **changes) -> Job:
    fields = dict(name=name, kind="every", spec=every, timezone="UTC", crawl_args=["https://example.org/"],
                  workdir="/tmp", timeout=timedelta(minutes=10))
    return Job(**{**fields, **changes})


@pytest.fixture
def conn(tmp_path):
    with store.open_store(tmp_path / "store.db") as connection:
        yield connection


def runs(conn, name=None):
    return [dict(row) for row in store.list_runs(conn, name)][::-1]


def test_schedule_tables_share_the_file_with_the_crawl_store(tmp_path):
    path = tmp_path / "store.db"
    Store.open(path).close()
    for _ in range(2):
        with store.open_store(path) as connection:
            store.add_job(connection, interval_job(name=f"job{len(store.list_jobs(connection))}"), T0)
    tables = {row[0] for row in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"items", "quarantine", "schedule_jobs", "schedule_runs"} <= tables
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_file_that_is_not_sqlite_is_a_one_line_error(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("not a database, just text\n" * 100)
    with pytest.raises(ConfigError) as caught, store.open_store(path):
        pass
    assert "\n" not in str(caught.value)
    assert path.read_text().startswith("not a database")


def test_interval_job_is_due_at_once_and_cron_job_at_its_slot(conn):
    every = store.add_job(conn, interval_job(), T0)
    cron = store.add_job(conn, interval_job(name="morning", kind="cron", spec="0 6 * * *",
                                            timezone="Europe/Paris"), T0)
    assert every.next_due == T0
    assert cron.next_due == datetime(2024, 6, 2, 4, 0, tzinfo=store.UTC)


def test_duplicate_and_unknown_names_are_errors(conn):
    store.add_job(conn, interval_job(), T0)
    with pytest.raises(ConfigError, match="already exists"):
        store.add_job(conn, interval_job(every="5m"), T0)
    assert store.get_job(conn, "news").spec == "1h"
    for action in (lambda: store.remove_job(conn, "nope"), lambda: store.set_paused(conn, "nope", True),
                   lambda: store.get_job(conn, "nope"), lambda: store.check_job_known(conn, "nope")):
        with pytest.raises(ConfigError, match="no job named 'nope'"):
            action()


@pytest.mark.parametrize("name", ["", "a b", "../up", "-dash", "x" * 65, "naïve"])
def test_job_names_must_be_safe_folder_names(name):
    with pytest.raises(ConfigError, match="bad job name"):
        store.check_job_name(name)


def test_due_job_is_claimed_once_and_moves_to_its_next_slot(conn):
    store.add_job(conn, interval_job(), T0)
    owner = Owner()
    (claim,) = store.claim_due_jobs(conn, T0 + timedelta(seconds=3), owner)
    assert claim.started and claim.scheduled_for == T0
    assert store.get_job(conn, "news").next_due == T0 + timedelta(hours=1)
    assert store.claim_due_jobs(conn, T0 + timedelta(minutes=59), owner) == []
    assert [r["outcome"] for r in runs(conn)] == ["running"]


def test_job_due_while_its_run_is_going_is_recorded_as_skipped(conn):
    store.add_job(conn, interval_job(), T0)
    owner = Owner()
    (first,) = store.claim_due_jobs(conn, T0, owner)
    (second,) = store.claim_due_jobs(conn, T0 + timedelta(hours=1), owner)
    assert not second.started
    assert [(r["outcome"], r["ended_at"] is not None) for r in runs(conn)] == [("running", False), ("skipped", True)]
    assert f"run {first.run_id}" in runs(conn)[1]["message"]
    store.finish_run(conn, first.run_id, RunEnd("ok", 0, 3, 2, 1), T0 + timedelta(hours=1, minutes=1))
    (third,) = store.claim_due_jobs(conn, T0 + timedelta(hours=2), owner)
    assert third.started


def test_a_second_running_row_for_one_job_is_impossible(conn):
    store.add_job(conn, interval_job(), T0)
    store.claim_due_jobs(conn, T0, Owner())
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO schedule_runs (job, scheduled_for, started_at, outcome, owner_host, owner_pid,"
                     " owner_token) VALUES ('news', 'x', 'x', 'running', 'h', 1, 't')")


def test_slots_missed_while_down_run_once(conn):
    store.add_job(conn, interval_job(), T0)
    now = T0 + timedelta(hours=5, minutes=30)
    claims = store.claim_due_jobs(conn, now, Owner())
    assert len(claims) == 1 and claims[0].scheduled_for == T0
    assert store.get_job(conn, "news").next_due == T0 + timedelta(hours=6)


def test_missed_cron_slots_run_once_then_follow_the_expression(conn):
    store.add_job(conn, interval_job(kind="cron", spec="*/10 * * * *"), T0)
    claims = store.claim_due_jobs(conn, T0 + timedelta(hours=3, minutes=4), Owner())
    assert len(claims) == 1
    assert store.get_job(conn, "news").next_due == T0 + timedelta(hours=3, minutes=10)


def test_paused_jobs_are_not_claimed_until_resumed(conn):
    store.add_job(conn, interval_job(), T0)
    store.set_paused(conn, "news", True)
    assert store.claim_due_jobs(conn, T0 + timedelta(hours=3), Owner()) == []
    store.set_paused(conn, "news", False)
    assert len(store.claim_due_jobs(conn, T0 + timedelta(hours=3), Owner())) == 1


def test_finish_run_writes_once_with_counts(conn):
    store.add_job(conn, interval_job(), T0)
    (claim,) = store.claim_due_jobs(conn, T0, Owner())
    store.finish_run(conn, claim.run_id, RunEnd("ok", 0, 5, 4, 1), T0 + timedelta(minutes=2))
    store.finish_run(conn, claim.run_id, RunEnd("failed", 1, message="late"), T0 + timedelta(minutes=3))
    (row,) = runs(conn)
    assert (row["outcome"], row["pages"], row["clean"], row["contaminated"]) == ("ok", 5, 4, 1)
    assert row["ended_at"] == store.to_db_time(T0 + timedelta(minutes=2))


def test_removed_job_keeps_its_history(conn):
    store.add_job(conn, interval_job(), T0)
    store.claim_due_jobs(conn, T0, Owner())
    store.remove_job(conn, "news")
    assert store.list_jobs(conn) == []
    store.check_job_known(conn, "news")
    assert len(runs(conn, "news")) == 1


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_runs_of_a_dead_scheduler_are_closed_as_interrupted(conn):
    store.add_job(conn, interval_job(), T0)
    dead = Owner(pid=dead_pid())
    store.claim_due_jobs(conn, T0, dead)
    me = Owner()
    assert store.close_orphaned_runs(conn, me, T0 + timedelta(minutes=5)) == 1
    (row,) = runs(conn)
    assert row["outcome"] == "interrupted" and row["ended_at"] is not None
    assert store.claim_due_jobs(conn, T0 + timedelta(hours=1), me)[0].started


def test_claim_replaces_an_orphaned_run_instead_of_skipping(conn):
    store.add_job(conn, interval_job(), T0)
    store.claim_due_jobs(conn, T0, Owner(pid=dead_pid()))
    (claim,) = store.claim_due_jobs(conn, T0 + timedelta(hours=1), Owner())
    assert claim.started
    assert [r["outcome"] for r in runs(conn)] == ["interrupted", "running"]


def test_live_or_foreign_schedulers_runs_are_left_alone(conn):
    store.add_job(conn, interval_job(), T0)
    store.add_job(conn, interval_job(name="other"), T0)
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        store.claim_due_jobs(conn, T0, Owner(pid=alive.pid))
        conn.execute("UPDATE schedule_runs SET owner_host = 'elsewhere', owner_pid = ? WHERE job = 'other'",
                     (dead_pid(),))
        assert store.close_orphaned_runs(conn, Owner(), T0) == 0
    finally:
        alive.kill()
        alive.wait()
    assert store.close_orphaned_runs(conn, Owner(), T0) == 1


def test_runs_without_a_recent_heartbeat_are_orphans_on_any_host(conn):
    """A scheduler in another container or host cannot be checked by pid: its heartbeat tells."""
    store.add_job(conn, interval_job(), T0)
    store.claim_due_jobs(conn, T0, Owner(host="another-container"))
    assert store.close_orphaned_runs(conn, Owner(), T0 + store.STALE_AFTER - timedelta(seconds=1)) == 0
    assert store.close_orphaned_runs(conn, Owner(), T0 + store.STALE_AFTER + timedelta(seconds=1)) == 1


def test_renewed_heartbeat_keeps_a_long_run_alive(conn):
    store.add_job(conn, interval_job(), T0)
    remote = Owner(host="another-container")
    store.claim_due_jobs(conn, T0, remote)
    store.renew_heartbeat(conn, remote, T0 + timedelta(minutes=4))
    assert store.close_orphaned_runs(conn, Owner(), T0 + timedelta(minutes=8)) == 0
    assert store.close_orphaned_runs(conn, Owner(), T0 + timedelta(minutes=10)) == 1


def test_same_pid_but_another_token_is_an_earlier_scheduler(conn):
    """A restarted scheduler can get its predecessor's pid (e.g. pid 1 in a container)."""
    store.add_job(conn, interval_job(), T0)
    store.claim_due_jobs(conn, T0, Owner(token="before-restart"))
    assert store.close_orphaned_runs(conn, Owner(token="after-restart"), T0) == 1


def test_claim_is_all_or_nothing(conn):
    """A job whose stored schedule cannot be computed aborts the claim: no run rows, no slot moved."""
    store.add_job(conn, interval_job(name="a-good"), T0)
    store.add_job(conn, interval_job(name="b-broken"), T0)
    conn.execute("UPDATE schedule_jobs SET spec = 'not a duration' WHERE name = 'b-broken'")
    with pytest.raises(ConfigError):
        store.claim_due_jobs(conn, T0, Owner())
    assert runs(conn) == []
    assert store.get_job(conn, "a-good").next_due == T0


def test_two_connections_claiming_together_start_one_run(tmp_path):
    path = tmp_path / "store.db"
    with store.open_store(path) as first, store.open_store(path) as second:
        store.add_job(first, interval_job(), T0)
        claims = store.claim_due_jobs(first, T0, Owner()) + store.claim_due_jobs(second, T0, Owner())
    assert len(claims) == 1


def test_crawl_args_round_trip_as_json(conn):
    args = ["https://example.org/a b", "--depth", "2", "--allow-domain", "ex'ample.org"]
    store.add_job(conn, interval_job(crawl_args=args), T0)
    assert store.get_job(conn, "news").crawl_args == args
    assert json.loads(conn.execute("SELECT crawl_args FROM schedule_jobs").fetchone()[0]) == args


def test_the_longest_interval_is_claimed_and_moves_a_year_on(conn):
    store.add_job(conn, interval_job(every="366d"), T0)
    (claim,) = store.claim_due_jobs(conn, T0, Owner())
    assert claim.started and store.get_job(conn, "news").next_due == T0 + timedelta(days=366)


def test_new_schedule_tables_record_the_schema_version(tmp_path):
    path = tmp_path / "store.db"
    with store.open_store(path):
        pass
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 1


def test_schedule_tables_made_before_schema_versions_keep_working(tmp_path):
    """A store whose schedule tables were created without a version (user_version 0) is read as version 1."""
    path = tmp_path / "store.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(store.SCHEMA)
    with store.open_store(path) as connection:
        store.add_job(connection, interval_job(), T0)
        assert [job.name for job, _ in store.list_jobs(connection)] == ["news"]
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("prepare", "message"),
    [
        ("PRAGMA user_version = 2", r"store schema version 2 is newer than this program reads \(1\)"),
        ("CREATE TABLE schedule_jobs (name TEXT PRIMARY KEY)", "table schedule_jobs lacks crawl_args, created_at"),
    ],
    ids=["newer-version", "foreign-table"],
)
def test_a_newer_or_foreign_store_is_refused_untouched(tmp_path, prepare, message):
    path = tmp_path / "store.db"
    with sqlite3.connect(path) as conn:
        conn.execute(prepare)
    with pytest.raises(ConfigError, match=message) as caught, store.open_store(path):
        pass
    assert "\n" not in str(caught.value)
    tables = {row[0] for row in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "schedule_runs" not in tables

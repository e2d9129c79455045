"""The scheduler loop in-process, with a fake clock and a stand-in crawl process (real processes, real store)."""

from __future__ import annotations

import os
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from hygiene.schedule import store
from hygiene.schedule.runner import (
    SUMMARY_TAIL_BYTES,
    Scheduler,
    StopRequest,
    crawl_error,
    log_tail,
    read_page_counts,
)
from hygiene.schedule.store import Job, Owner

STANDIN = Path(__file__).with_name("standin.py")
T0 = datetime(2024, 6, 1, 12, 0, tzinfo=store.UTC)


class FakeClock:
    """A wall clock the test moves by hand (timeouts still use real monotonic time)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock():
    return FakeClock(T0)


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "store.db"


@pytest.fixture
def conn(db_path):
    with store.open_store(db_path) as connection:
        yield connection


@pytest.fixture
def scheduler(conn, db_path, tmp_path, clock):
    return Scheduler(conn, db_path, tmp_path / "logs", clock=clock, command=[sys.executable, str(STANDIN)],
                     tick=0.05, kill_grace=1.0)


def add(conn, name, args, every="1h", timeout=30.0, workdir=None):
    job = Job(name=name, kind="every", spec=every, timezone="UTC", crawl_args=args,
              workdir=str(workdir or Path.cwd()), timeout=timedelta(seconds=timeout))
    return store.add_job(conn, job, T0)


def history(conn, name=None):
    return [dict(row) for row in store.list_runs(conn, name)][::-1]


def alive(pid: int) -> bool:
    """True while `pid` runs; a killed process not yet reaped by init (a zombie, state Z) counts as dead."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def gone(pidfile: Path) -> bool:
    """Wait (briefly) for the process whose pid is in `pidfile` to die; True once it has."""
    _wait_for(lambda: not alive(int(pidfile.read_text())), seconds=5)
    return True


def test_run_once_runs_the_due_job_and_records_its_summary(conn, scheduler, db_path):
    add(conn, "news", ["sleep", "0.2", "7", "5", "2"])
    scheduler.run_once(StopRequest(), grace=5)
    (run,) = history(conn)
    assert (run["outcome"], run["exit_code"], run["pages"], run["clean"], run["contaminated"]) == ("ok", 0, 7, 5, 2)
    log = Path(run["log_path"]).read_text()
    assert log.startswith(f"# run {run['id']} of job news:")
    assert f"stand-in crawl: db={db_path} mode=sleep" in log
    assert Path(run["log_path"]).parent.name == "news"


def test_each_run_gets_its_own_log_file(conn, scheduler, clock):
    add(conn, "news", ["sleep", "0"], every="1m")
    scheduler.run_once(StopRequest(), grace=5)
    clock.advance(minutes=1)
    scheduler.run_once(StopRequest(), grace=5)
    logs = [run["log_path"] for run in history(conn)]
    assert len(logs) == 2 and len(set(logs)) == 2 and all(Path(p).is_file() for p in logs)


def test_crashing_crawl_is_recorded_failed_with_its_exit_code(conn, scheduler):
    add(conn, "news", ["exit", "3"])
    scheduler.run_once(StopRequest(), grace=5)
    assert "stand-in crawl" in Path(history(conn)[0]["log_path"]).read_text()
    (run,) = history(conn)
    assert (run["outcome"], run["exit_code"], run["pages"]) == ("failed", 3, None)
    assert "exited with code 3" in run["message"]


def test_crawl_stopped_from_outside_is_recorded_interrupted(conn, scheduler):
    add(conn, "news", ["exit", "130"])
    scheduler.run_once(StopRequest(), grace=5)
    assert [(run["outcome"], run["exit_code"]) for run in history(conn)] == [("interrupted", 130)]


def test_hung_crawl_is_killed_with_its_process_group_at_the_timeout(conn, scheduler, tmp_path):
    pidfile = tmp_path / "grandchild.pid"
    add(conn, "news", ["hang", str(pidfile)], timeout=1.0)
    scheduler.run_once(StopRequest(), grace=60)
    (run,) = history(conn)
    assert run["outcome"] == "failed" and "timed out after 1s" in run["message"]
    assert gone(pidfile)


def test_crawl_ignoring_sigterm_is_killed_anyway(conn, scheduler, tmp_path):
    pidfile = tmp_path / "grandchild.pid"
    add(conn, "news", ["hang", str(pidfile), "stubborn"], timeout=1.0)
    scheduler.run_once(StopRequest(), grace=60)
    (run,) = history(conn)
    assert run["outcome"] == "failed" and run["exit_code"] == -9
    assert gone(pidfile)


def test_overlapping_slot_is_skipped_while_the_run_goes_on(conn, scheduler, clock):
    add(conn, "news", ["sleep", "1.5"], every="1m")
    scheduler.start_due_jobs()
    clock.advance(minutes=1)
    scheduler.start_due_jobs()
    assert [run["outcome"] for run in history(conn)] == ["running", "skipped"]
    scheduler.run_once(StopRequest(), grace=5)
    assert [run["outcome"] for run in history(conn)] == ["ok", "skipped"]
    assert history(conn)[1]["pages"] is None


def test_slots_missed_while_down_give_one_run(conn, scheduler, clock):
    add(conn, "news", ["sleep", "0"])
    clock.advance(hours=5, minutes=30)
    scheduler.run_once(StopRequest(), grace=5)
    assert [run["outcome"] for run in history(conn)] == ["ok"]
    assert store.get_job(conn, "news").next_due == T0 + timedelta(hours=6)


def test_nothing_due_means_nothing_runs(conn, scheduler, clock):
    add(conn, "news", ["sleep", "0"])
    scheduler.run_once(StopRequest(), grace=5)
    clock.advance(minutes=59)
    scheduler.run_once(StopRequest(), grace=5)
    assert len(history(conn)) == 1


def test_missing_workdir_fails_the_run_not_the_scheduler(conn, scheduler, tmp_path):
    add(conn, "gone", ["sleep", "0"], workdir=tmp_path / "deleted")
    add(conn, "news", ["sleep", "0"])
    scheduler.run_once(StopRequest(), grace=5)
    outcomes = {run["job"]: (run["outcome"], run["message"]) for run in history(conn)}
    assert outcomes["gone"][0] == "failed" and "could not start" in outcomes["gone"][1]
    assert outcomes["news"][0] == "ok"


def test_unwritable_log_fails_the_run_not_the_scheduler(conn, db_path, tmp_path, clock):
    (tmp_path / "not-a-folder").write_text("")
    scheduler = Scheduler(conn, db_path, tmp_path / "not-a-folder", clock=clock,
                          command=[sys.executable, str(STANDIN)], tick=0.05)
    add(conn, "news", ["sleep", "0"])
    scheduler.run_once(StopRequest(), grace=5)
    (run,) = history(conn)
    assert run["outcome"] == "failed" and run["message"].startswith("cannot write the run log")


def test_stop_lets_a_short_crawl_finish(conn, scheduler):
    add(conn, "news", ["sleep", "0.5"])
    stop = StopRequest()
    scheduler.start_due_jobs()
    stop.requested.set()
    scheduler.shutdown(stop, grace=30)
    (run,) = history(conn)
    assert run["outcome"] == "ok"


def test_stop_after_grace_marks_the_crawl_interrupted(conn, scheduler, tmp_path):
    pidfile = tmp_path / "grandchild.pid"
    add(conn, "news", ["hang", str(pidfile)])
    stop = StopRequest()
    scheduler.start_due_jobs()
    stop.requested.set()
    scheduler.shutdown(stop, grace=0.5)
    (run,) = history(conn)
    assert run["outcome"] == "interrupted" and run["ended_at"] is not None
    assert gone(pidfile)


def test_second_signal_stops_without_waiting_for_the_grace(conn, scheduler, tmp_path):
    add(conn, "news", ["sleep", "600"])
    stop = StopRequest()
    scheduler.start_due_jobs()
    stop.handle(15)
    stop.handle(15)
    assert stop.hurry.is_set()
    scheduler.shutdown(stop, grace=3600)
    assert [run["outcome"] for run in history(conn)] == ["interrupted"]


def test_a_signal_landing_while_the_main_thread_holds_the_events_lock_does_not_hang():
    """A second SIGINT can arrive while the main thread, inside `hurry.wait()`, holds the event's lock (CPython's
    `Event` keeps it in `_cond`): the handler must return, and the event be set once the lock is let go. Setting
    the event in the handler itself waited for that lock forever."""
    stop = StopRequest()
    stop.handle(15)
    with stop.hurry._cond:
        stop.handle(15)
        assert not stop.hurry.is_set()
    assert stop.hurry.wait(5) and stop.requested.is_set()


def test_serve_runs_jobs_until_stopped(conn, db_path, tmp_path, clock):
    add(conn, "news", ["sleep", "0"], every="1m")
    stop = StopRequest()
    with store.open_store(db_path) as own_connection:
        scheduler = Scheduler(own_connection, db_path, tmp_path / "logs", clock=clock,
                              command=[sys.executable, str(STANDIN)], tick=0.05)
        thread = threading.Thread(target=scheduler.serve, args=(stop, 5))
        thread.start()
        _serve_three_slots(conn, clock, stop, thread)
    assert len(history(conn)) >= 3


def _serve_three_slots(conn, clock, stop, thread) -> None:
    """Move the clock a slot forward three times, each time waiting for the serving thread to run the job."""
    try:
        for _ in range(3):
            _wait_for(lambda: all(r["outcome"] == "ok" for r in history(conn)) and history(conn))
            count = len(history(conn))
            clock.advance(minutes=1)
            _wait_for(lambda count=count: len(history(conn)) > count)
    finally:
        stop.requested.set()
        thread.join(30)
    assert not thread.is_alive()


def test_long_run_keeps_its_heartbeat(conn, db_path, tmp_path, clock):
    scheduler = Scheduler(conn, db_path, tmp_path / "logs", clock=clock, command=[sys.executable, str(STANDIN)],
                          tick=0.05, heartbeat=0)
    add(conn, "news", ["sleep", "1"])
    scheduler.start_due_jobs()
    clock.advance(hours=3)
    scheduler.check_active_runs()
    assert history(conn)[0]["heartbeat_at"] == store.to_db_time(clock.now)
    assert store.close_orphaned_runs(conn, Owner(host="elsewhere"), clock.now) == 0
    scheduler.shutdown(StopRequest(), grace=30)
    assert [run["outcome"] for run in history(conn)] == ["ok"]


def test_serve_closes_runs_of_a_dead_scheduler_first(conn, scheduler):
    add(conn, "news", ["sleep", "0"])
    store.claim_due_jobs(conn, T0, Owner(token="a scheduler that was killed", pid=os.getpid()))
    stop = StopRequest()
    stop.requested.set()
    scheduler.serve(stop, grace=1)
    assert [run["outcome"] for run in history(conn)] == ["interrupted"]


def _wait_for(condition, seconds: float = 20.0) -> None:
    """Poll `condition` every 20 ms (real processes take real time); fail after `seconds`."""
    event = threading.Event()
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        event.wait(0.02)
    raise AssertionError("condition not reached")


def test_page_counts_come_from_the_last_json_summary_line(tmp_path):
    log = tmp_path / "run.log"
    summary = '{"pages_seen": 9, "clean": 6, "contaminated": 2, "dropped": {"not-article": 1}}'
    log.write_text("# run 1\n{not json at all\n" + '{"pages_seen": 1, "clean": 1, "contaminated": 0}\n'
                   + "x" * (2 * SUMMARY_TAIL_BYTES) + "\n" + summary + "\nhygiene: interrupted; continue\n")
    assert read_page_counts(log_tail(log)) == (9, 6, 2)


@pytest.mark.parametrize("text", ["", "no summary here\n", '{"pages_seen": "9", "clean": 1, "contaminated": 0}\n',
                                  "[1, 2, 3]\n", '{"pages_seen": 3}\n', b"\xff\xfe{\x00".decode("latin-1")])
def test_logs_without_a_summary_give_no_counts(tmp_path, text):
    log = tmp_path / "run.log"
    log.write_text(text)
    assert read_page_counts(log_tail(log)) is None


def test_the_crawls_last_error_line_is_kept():
    lines = ["hygiene: error: first", "Traceback? no", "hygiene: error: seed 'x' is not an http(s) URL", "bye"]
    assert crawl_error(lines) == "hygiene: error: seed 'x' is not an http(s) URL"
    assert crawl_error(["all fine"]) is None

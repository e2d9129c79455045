"""The scheduler loop: starts due crawls as child processes, enforces timeouts, records every outcome."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from hygiene.commands.crawl import EXIT_INTERRUPTED
from hygiene.schedule.store import (
    Claim,
    Owner,
    RunEnd,
    claim_due_jobs,
    close_orphaned_runs,
    finish_run,
    next_due_time,
    renew_heartbeat,
    set_log_path,
)
from hygiene.schedule.timing import UTC

CRAWL_COMMAND: tuple[str, ...] = (sys.executable, "-m", "hygiene", "crawl")
SUMMARY_TAIL_BYTES = 64 * 1024
"""The crawl's `--json` summary is among its last output lines: only this much of the log is read."""
SUMMARY_KEYS = ("pages_seen", "clean", "contaminated")
"""Keys of that summary recorded as a run's pages, clean and contaminated counts."""
HEARTBEAT_SECONDS = 30.0
"""How often a scheduler renews the heartbeat of its running runs (well under `store.STALE_AFTER`)."""
log = logging.getLogger("hygiene.schedule")


def utc_now() -> datetime:
    """The real clock, in UTC (tests pass their own clock to `Scheduler`)."""
    return datetime.now(UTC)


SIGNAL_SETTER_WAIT = 0.5
"""Seconds the signal handler waits for its event to be set (at once, unless the main thread holds the lock)."""


class StopRequest:
    """Set by SIGTERM/SIGINT: the first asks for a clean stop, a second one to stop right away."""

    def __init__(self) -> None:
        self.requested = threading.Event()
        self.hurry = threading.Event()
        self.signals = 0

    def handle(self, signum: int, frame: object = None) -> None:
        """Signal handler: escalate from `requested` to `hurry`. The event is set from another thread: a signal
        can land while the main thread, waiting on that very event, holds its lock, and setting it here would then
        wait for the lock forever (the scheduler hung on a second SIGINT)."""
        self.signals += 1
        setter = threading.Thread(target=(self.requested if self.signals == 1 else self.hurry).set, daemon=True)
        setter.start()
        setter.join(SIGNAL_SETTER_WAIT)

    def install(self) -> None:
        """Route SIGTERM and SIGINT to this request."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self.handle)


@dataclass
class ActiveRun:
    """A crawl process started by this scheduler and not yet recorded as ended."""

    claim: Claim
    process: subprocess.Popen
    log_file: IO[bytes]
    log_path: Path
    deadline: float  # time.monotonic() after which the crawl is killed


class Scheduler:
    """Runs due jobs of one store, each crawl in its own process group with its own log file."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        db_path: Path,
        log_dir: Path,
        *,
        clock: Callable[[], datetime] = utc_now,
        command: Sequence[str] = CRAWL_COMMAND,
        tick: float = 1.0,
        kill_grace: float = 5.0,
        heartbeat: float = HEARTBEAT_SECONDS,
    ) -> None:
        self.conn = conn
        self.db_path = db_path
        self.log_dir = log_dir
        self.clock = clock
        self.command = list(command)
        self.tick = tick
        self.kill_grace = kill_grace
        self.heartbeat = heartbeat
        self.owner = Owner()
        self.active: dict[str, ActiveRun] = {}
        self.ended: list[RunEnd] = []
        self.last_heartbeat = time.monotonic()

    def serve(self, stop: StopRequest, grace: float) -> None:
        """Run jobs as they fall due until a stop is requested, then shut down within `grace` seconds."""
        self._close_orphans()
        while not stop.requested.is_set():
            try:
                self.check_active_runs()
                self.start_due_jobs()
            except sqlite3.OperationalError as exc:
                log.warning("store busy or failing (%s); retrying", exc)
            stop.requested.wait(self._idle_seconds())
        self.shutdown(stop, grace)

    def run_once(self, stop: StopRequest, grace: float) -> None:
        """Run the jobs due now, wait for them (or a stop request) and return."""
        self._close_orphans()
        self.start_due_jobs()
        while self.active and not stop.requested.is_set():
            stop.requested.wait(min(self.tick, 0.2))
            self.check_active_runs()
        self.shutdown(stop, grace)

    def _close_orphans(self) -> None:
        """Close runs left `running` by a scheduler that died, so their jobs can run again."""
        closed = close_orphaned_runs(self.conn, self.owner, self.clock())
        if closed:
            log.warning("marked %d run(s) of a vanished scheduler as interrupted", closed)

    def _idle_seconds(self) -> float:
        """How long to sleep: until the next due job, at most one tick (other processes may add jobs)."""
        due = next_due_time(self.conn)
        if due is None:
            return self.tick
        return min(self.tick, max(0.05, (due - self.clock()).total_seconds()))

    def start_due_jobs(self) -> None:
        """Claim every due job; start a crawl for each claim that is not a skip."""
        for claim in claim_due_jobs(self.conn, self.clock(), self.owner):
            if claim.started:
                self._start(claim)
            else:
                log.info("job %s: slot %s skipped, previous run still going", claim.job.name,
                         claim.scheduled_for.isoformat(timespec="seconds"))

    def _start(self, claim: Claim) -> None:
        """Start the crawl of `claim` in a new process group, output to its own log file."""
        argv = [*self.command, "--db", str(self.db_path), "--json", *claim.job.crawl_args]
        try:
            log_path = self._log_path(claim, self.clock())
            log_file = log_path.open("ab")
        except OSError as exc:
            self._record(claim, RunEnd("failed", message=f"cannot write the run log: {exc}"))
            return
        log_file.write(f"# run {claim.run_id} of job {claim.job.name}: {' '.join(argv)}\n".encode())
        log_file.flush()
        set_log_path(self.conn, claim.run_id, str(log_path))
        try:
            process = subprocess.Popen(
                argv, cwd=claim.job.workdir, stdin=subprocess.DEVNULL, stdout=log_file,
                stderr=subprocess.STDOUT, start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        except OSError as exc:
            log_file.close()
            self._record(claim, RunEnd("failed", message=f"could not start the crawl: {exc}"))
            return
        deadline = time.monotonic() + claim.job.timeout.total_seconds()
        self.active[claim.job.name] = ActiveRun(claim, process, log_file, log_path, deadline)
        log.info("job %s: run %d started (pid %d), log %s", claim.job.name, claim.run_id, process.pid, log_path)

    def _log_path(self, claim: Claim, started: datetime) -> Path:
        """`<log dir>/<job>/<UTC start>-run<id>.log`, creating the job directory."""
        folder = self.log_dir / claim.job.name
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{started.astimezone(UTC):%Y%m%dT%H%M%SZ}-run{claim.run_id}.log"

    def check_active_runs(self) -> None:
        """Record runs whose crawl exited; kill and record those past their timeout; renew the heartbeat."""
        if self.active and time.monotonic() - self.last_heartbeat >= self.heartbeat:
            renew_heartbeat(self.conn, self.owner, self.clock())
            self.last_heartbeat = time.monotonic()
        for run in list(self.active.values()):
            code = run.process.poll()
            if code is not None:
                self._end(run, self._exit_outcome(code))
            elif time.monotonic() > run.deadline:
                self._kill(run)
                limit = int(run.claim.job.timeout.total_seconds())
                self._end(run, RunEnd("failed", run.process.returncode,
                                      message=f"timed out after {limit}s; the crawl was killed"))

    @staticmethod
    def _exit_outcome(code: int) -> RunEnd:
        """`ok` for exit code 0, `interrupted` for 130 (the crawl was stopped), `failed` otherwise."""
        if code == 0:
            return RunEnd("ok", code)
        if code == EXIT_INTERRUPTED:
            return RunEnd("interrupted", code, message="the crawl was interrupted (exit code 130)")
        if code < 0:
            return RunEnd("failed", code, message=f"the crawl was killed by signal {-code}")
        return RunEnd("failed", code, message=f"the crawl exited with code {code}")

    def _kill(self, run: ActiveRun) -> None:
        """Stop the crawl's whole process group: SIGTERM, then SIGKILL after `kill_grace` seconds."""
        _signal_group(run.process.pid, signal.SIGTERM)
        try:
            run.process.wait(self.kill_grace)
        except subprocess.TimeoutExpired:
            log.warning("job %s: crawl ignored SIGTERM, sending SIGKILL", run.claim.job.name)
        _signal_group(run.process.pid, signal.SIGKILL)
        run.process.wait()

    def _end(self, run: ActiveRun, end: RunEnd) -> None:
        """Close the log, add the page counts and record the end of an active run (kept active if that fails)."""
        run.log_file.close()
        lines = log_tail(run.log_path)
        error = crawl_error(lines) if end.outcome == "failed" else None
        message = f"{end.message}: {error}" if error else end.message
        counts = read_page_counts(lines) or (None, None, None)
        self._record(run.claim, RunEnd(end.outcome, end.exit_code, *counts, message=message))
        del self.active[run.claim.job.name]

    def _record(self, claim: Claim, end: RunEnd) -> None:
        """Write the end of a run in one transaction and log it."""
        finish_run(self.conn, claim.run_id, end, self.clock())
        self.ended.append(end)
        counts = "" if end.pages is None else f", {end.pages} pages: {end.clean} clean, {end.contaminated} contaminated"
        log.info("job %s: run %d %s%s%s", claim.job.name, claim.run_id, end.outcome, counts,
                 f" ({end.message})" if end.message else "")

    def shutdown(self, stop: StopRequest, grace: float) -> None:
        """Let running crawls finish for up to `grace` seconds (less if hurried), then kill them as interrupted."""
        deadline = time.monotonic() + grace
        if self.active:
            log.info("stopping: waiting up to %.0fs for %d running crawl(s)", grace, len(self.active))
        while self.active and time.monotonic() < deadline and not stop.hurry.is_set():
            self.check_active_runs()
            stop.hurry.wait(0.1)
        for run in list(self.active.values()):
            self._kill(run)
            self._end(run, RunEnd("interrupted", run.process.returncode,
                                  message="the scheduler stopped; the crawl was killed before it finished"))


def _signal_group(pgid: int, signum: int) -> None:
    """Send `signum` to a process group that may already be gone."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signum)


def log_tail(log_path: Path) -> list[str]:
    """The last lines of a run's log (at most SUMMARY_TAIL_BYTES of it)."""
    with log_path.open("rb") as log_file:
        log_file.seek(max(0, log_path.stat().st_size - SUMMARY_TAIL_BYTES))
        return log_file.read().decode("utf-8", "replace").splitlines()


def crawl_error(lines: list[str]) -> str | None:
    """The crawl's own one-line error (`hygiene: error: ...`), the last one in `lines`, if any."""
    errors = [line.strip() for line in lines if line.startswith("hygiene: error:")]
    return errors[-1][:300] if errors else None


def read_page_counts(lines: list[str]) -> tuple[int, int, int] | None:
    """(pages, clean, contaminated) from the last `hygiene crawl --json` summary line among `lines`, if any."""
    for line in reversed(lines):
        summary = _json_object(line)
        if summary is not None and all(isinstance(summary.get(k), int) for k in SUMMARY_KEYS):
            return tuple(summary[key] for key in SUMMARY_KEYS)
    return None


def _json_object(line: str) -> dict | None:
    """The line as a JSON object, or None if it is anything else."""
    if not line.startswith("{"):
        return None
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None

"""Schedules and run history: two tables kept in the same SQLite file as the crawled items.

Every write is one short `BEGIN IMMEDIATE` transaction (`crawler.store.transaction`), so `hygiene schedule`
commands, the scheduler and the crawls it starts share the file (WAL mode) without half-written rows.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from crawler.store import SCHEMA as CRAWL_SCHEMA
from crawler.store import (
    SCHEMA_VERSION,
    add_missing_tables_as_temporary,
    connect,
    connect_read_only,
    default_db_path,
    existing_tables,
    given_db_path,
    reading,
    schema_columns,
    table_names,
    transaction,
)
from detector.errors import ConfigError
from hygiene.schedule.timing import (
    UTC,
    load_timezone,
    next_cron_time,
    next_interval_time,
    parse_duration,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS schedule_jobs (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('cron', 'every')),
    spec TEXT NOT NULL,
    timezone TEXT NOT NULL,
    crawl_args TEXT NOT NULL,
    workdir TEXT NOT NULL,
    timeout_seconds REAL NOT NULL,
    paused INTEGER NOT NULL DEFAULT 0,
    next_due TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS schedule_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job TEXT NOT NULL,
    scheduled_for TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('running', 'ok', 'failed', 'skipped', 'interrupted')),
    exit_code INTEGER,
    pages INTEGER,
    clean INTEGER,
    contaminated INTEGER,
    log_path TEXT,
    message TEXT NOT NULL DEFAULT '',
    owner_host TEXT NOT NULL,
    owner_pid INTEGER NOT NULL,
    owner_token TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS schedule_runs_by_job ON schedule_runs (job, id);
CREATE UNIQUE INDEX IF NOT EXISTS schedule_runs_one_running_per_job
    ON schedule_runs (job) WHERE outcome = 'running';
"""

JOB_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
FINAL_OUTCOMES = ("ok", "failed", "skipped", "interrupted")
STALE_AFTER = timedelta(minutes=5)
"""A running run whose scheduler has not renewed its heartbeat for this long is an orphan, whatever its host."""


def to_db_time(moment: datetime) -> str:
    """UTC ISO-8601 text of fixed width, so that text order is time order in SQL."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def from_db_time(text: str | None) -> datetime | None:
    """Inverse of `to_db_time` (None stays None)."""
    return datetime.fromisoformat(text) if text else None


def check_job_name(name: str) -> None:
    """Job names become log directory names: letters, digits, `.`, `_`, `-`, at most 64 characters."""
    if not JOB_NAME.fullmatch(name):
        raise ConfigError(f"bad job name {name!r}: use letters, digits, '.', '_' or '-' (at most 64)")


@dataclass(frozen=True)
class Job:
    """One named recurring crawl."""

    name: str
    kind: str  # "cron" or "every"
    spec: str  # the cron expression or the interval text (e.g. "30m")
    timezone: str
    crawl_args: list[str]
    workdir: str
    timeout: timedelta
    paused: bool = False
    next_due: datetime | None = None

    def slot_after(self, due: datetime, now: datetime) -> datetime:
        """The next slot once the slot `due` has been handled at `now` (missed slots are not replayed)."""
        if self.kind == "cron":
            return next_cron_time(self.spec, load_timezone(self.timezone), now)
        return next_interval_time(due, parse_duration(self.spec), now)

    def first_slot(self, now: datetime) -> datetime:
        """`--every` jobs are due at once; cron jobs at their next slot."""
        return self.slot_after(now, now) if self.kind == "cron" else now

    def describe(self) -> str:
        """Human form of the schedule, e.g. `every 30m` or `cron '0 6 * * *' Europe/Paris`."""
        if self.kind == "cron":
            return f"cron '{self.spec}' {self.timezone}"
        return f"every {self.spec}"


@dataclass(frozen=True)
class Owner:
    """The scheduler process that started a run, so a later scheduler can tell a live run from an orphan."""

    host: str = field(default_factory=socket.gethostname)
    pid: int = field(default_factory=os.getpid)
    token: str = field(default_factory=lambda: uuid.uuid4().hex)

    def is_gone(self, row: sqlite3.Row, now: datetime) -> bool:
        """True when the scheduler that started the run in `row` has stopped: its heartbeat is stale, or it was a
        process of this host that no longer exists (or whose pid this process now has)."""
        if row["owner_token"] == self.token:
            return False
        if from_db_time(row["heartbeat_at"]) < now - STALE_AFTER:
            return True
        if row["owner_host"] != self.host:
            return False
        return row["owner_pid"] == self.pid or not _pid_alive(row["owner_pid"])


def _pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (one we may not signal counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class Claim:
    """A due job handed to the scheduler: `started` runs get a crawl, others were recorded as skipped."""

    job: Job
    run_id: int
    scheduled_for: datetime
    started: bool


def resolve_db_path(path: Path | None) -> Path:
    """The store file as an absolute path (crawls run from elsewhere), defaulting to the crawl's default; a path
    given must be in an existing folder."""
    return (given_db_path(path) if path is not None else default_db_path()).resolve()


@contextmanager
def open_store(path: Path) -> Iterator[sqlite3.Connection]:
    """Open the store (WAL, autocommit), create the schedule tables if needed, and close it afterwards."""
    conn = connect(path)
    try:
        ensure_schema(conn, path)
        yield conn
    finally:
        conn.close()


@contextmanager
def read_store(path: Path) -> Iterator[sqlite3.Connection]:
    """Open an existing store read-only, for `list` and `history`: nothing is created or converted, and a store
    without schedule tables reads as one without jobs; ConfigError for a missing, foreign, damaged or newer file."""
    if not path.is_file():
        raise ConfigError(f"{path}: no such database (add a job with `hygiene schedule add` or pass --db)")
    tables = table_names(path)
    if tables and not tables & (set(schema_columns(SCHEMA)) | set(schema_columns(CRAWL_SCHEMA))):
        raise ConfigError(f"{path}: not a hygiene store (it holds {', '.join(sorted(tables)[:5])})")
    conn = connect_read_only(path)
    try:
        with reading(path):
            add_missing_tables_as_temporary(conn, SCHEMA, existing_tables(conn, path, SCHEMA))
        yield conn
    finally:
        conn.close()


def ensure_schema(conn: sqlite3.Connection, path: Path) -> None:
    """Check the schedule tables and create them unless they exist (readers then never take the write lock);
    ConfigError for a damaged or foreign file or a newer schema version."""
    with reading(path):
        existing = existing_tables(conn, path, SCHEMA)
    if existing == set(schema_columns(SCHEMA)):
        return
    try:
        with transaction(conn):
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except sqlite3.DatabaseError as exc:
        raise ConfigError(f"{path}: cannot create the schedule tables ({exc})") from None


def _job_from_row(row: sqlite3.Row) -> Job:
    """Build a Job from a `schedule_jobs` row."""
    return Job(
        name=row["name"],
        kind=row["kind"],
        spec=row["spec"],
        timezone=row["timezone"],
        crawl_args=json.loads(row["crawl_args"]),
        workdir=row["workdir"],
        timeout=timedelta(seconds=row["timeout_seconds"]),
        paused=bool(row["paused"]),
        next_due=from_db_time(row["next_due"]),
    )


def add_job(conn: sqlite3.Connection, job: Job, now: datetime) -> Job:
    """Store a new job, due at its first slot; a name already taken is a ConfigError."""
    first = job.first_slot(now)
    try:
        with transaction(conn):
            conn.execute(
                "INSERT INTO schedule_jobs (name, kind, spec, timezone, crawl_args, workdir, timeout_seconds,"
                " paused, next_due, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
                (job.name, job.kind, job.spec, job.timezone, json.dumps(job.crawl_args), job.workdir,
                 job.timeout.total_seconds(), to_db_time(first), to_db_time(now)),
            )
    except sqlite3.IntegrityError as exc:
        if "UNIQUE" in str(exc):
            raise ConfigError(f"a job named {job.name!r} already exists (remove it first)") from None
        raise ConfigError(f"cannot store the job {job.name!r}: {exc}") from None
    return get_job(conn, job.name)


def get_job(conn: sqlite3.Connection, name: str) -> Job:
    """Load one job by name or raise ConfigError."""
    row = conn.execute("SELECT * FROM schedule_jobs WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise ConfigError(f"no job named {name!r} (see `hygiene schedule list`)")
    return _job_from_row(row)


def check_job_known(conn: sqlite3.Connection, name: str) -> None:
    """Raise ConfigError unless a job or some history exists under `name`."""
    known = conn.execute(
        "SELECT 1 FROM schedule_jobs WHERE name = ? UNION SELECT 1 FROM schedule_runs WHERE job = ?", (name, name)
    ).fetchone()
    if known is None:
        raise ConfigError(f"no job named {name!r} (see `hygiene schedule list`)")


def list_jobs(conn: sqlite3.Connection) -> list[tuple[Job, sqlite3.Row | None]]:
    """Every job with its latest run (or None), ordered by name."""
    rows = conn.execute("SELECT * FROM schedule_jobs ORDER BY name").fetchall()
    return [(_job_from_row(row), latest_run(conn, row["name"])) for row in rows]


def latest_run(conn: sqlite3.Connection, name: str) -> sqlite3.Row | None:
    """The run of job `name` under way, else its most recent run (runs skipped meanwhile come after it)."""
    return conn.execute(
        "SELECT * FROM schedule_runs WHERE job = ? ORDER BY outcome = 'running' DESC, id DESC LIMIT 1", (name,)
    ).fetchone()


def remove_job(conn: sqlite3.Connection, name: str) -> None:
    """Delete a job (its run history stays); unknown names are a ConfigError."""
    with transaction(conn):
        deleted = conn.execute("DELETE FROM schedule_jobs WHERE name = ?", (name,)).rowcount
    if not deleted:
        raise ConfigError(f"no job named {name!r} (see `hygiene schedule list`)")


def set_paused(conn: sqlite3.Connection, name: str, paused: bool) -> None:
    """Pause or resume a job; a resumed job whose slot passed meanwhile runs once, at the next check."""
    with transaction(conn):
        updated = conn.execute("UPDATE schedule_jobs SET paused = ? WHERE name = ?", (int(paused), name)).rowcount
    if not updated:
        raise ConfigError(f"no job named {name!r} (see `hygiene schedule list`)")


def list_runs(conn: sqlite3.Connection, name: str | None = None, limit: int | None = None) -> list[sqlite3.Row]:
    """Run history, newest first, of one job or of all jobs."""
    sql = "SELECT * FROM schedule_runs"
    params: list[object] = []
    if name is not None:
        sql += " WHERE job = ?"
        params.append(name)
    sql += " ORDER BY id DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return conn.execute(sql, params).fetchall()


def next_due_time(conn: sqlite3.Connection) -> datetime | None:
    """The earliest `next_due` among active jobs, or None when there is none."""
    row = conn.execute("SELECT MIN(next_due) FROM schedule_jobs WHERE paused = 0").fetchone()
    return from_db_time(row[0])


def claim_due_jobs(conn: sqlite3.Connection, now: datetime, owner: Owner) -> list[Claim]:
    """Take every active job due at `now`: open a `running` row, or a `skipped` one if it still runs.

    Each job's slot moves to its next one in the same transaction, so a job missed for hours runs once.
    """
    with transaction(conn):
        rows = conn.execute(
            "SELECT * FROM schedule_jobs WHERE paused = 0 AND next_due <= ? ORDER BY next_due, name",
            (to_db_time(now),),
        ).fetchall()
        return [_claim(conn, _job_from_row(row), now, owner) for row in rows]


def _claim(conn: sqlite3.Connection, job: Job, now: datetime, owner: Owner) -> Claim:
    """Inside the claim transaction: record the run (or the skip) and move the job to its next slot."""
    running = _live_running_run(conn, job.name, owner, now)
    outcome = "skipped" if running else "running"
    message = f"run {running['id']} of this job was still running" if running else ""
    cursor = conn.execute(
        "INSERT INTO schedule_runs (job, scheduled_for, started_at, ended_at, outcome, message,"
        " owner_host, owner_pid, owner_token, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (job.name, to_db_time(job.next_due), to_db_time(now), to_db_time(now) if running else None,
         outcome, message, owner.host, owner.pid, owner.token, to_db_time(now)),
    )
    conn.execute(
        "UPDATE schedule_jobs SET next_due = ? WHERE name = ?",
        (to_db_time(job.slot_after(job.next_due, now)), job.name),
    )
    return Claim(job=job, run_id=cursor.lastrowid, scheduled_for=job.next_due, started=not running)


def _live_running_run(conn: sqlite3.Connection, name: str, owner: Owner, now: datetime) -> sqlite3.Row | None:
    """The job's running run, after closing it as interrupted if its scheduler process has died."""
    row = conn.execute("SELECT * FROM schedule_runs WHERE job = ? AND outcome = 'running'", (name,)).fetchone()
    if row is not None and owner.is_gone(row, now):
        _close_orphan(conn, row["id"], now)
        return None
    return row


def _close_orphan(conn: sqlite3.Connection, run_id: int, now: datetime) -> None:
    """Mark a run whose scheduler vanished (killed, power cut) as interrupted."""
    conn.execute(
        "UPDATE schedule_runs SET outcome = 'interrupted', ended_at = ?, message = ? WHERE id = ?",
        (to_db_time(now), "the scheduler running it stopped without recording an end", run_id),
    )


def close_orphaned_runs(conn: sqlite3.Connection, owner: Owner, now: datetime) -> int:
    """Mark every run left `running` by a dead scheduler process as interrupted; return how many."""
    with transaction(conn):
        rows = conn.execute("SELECT * FROM schedule_runs WHERE outcome = 'running'").fetchall()
        orphans = [row["id"] for row in rows if owner.is_gone(row, now)]
        for run_id in orphans:
            _close_orphan(conn, run_id, now)
    return len(orphans)


def renew_heartbeat(conn: sqlite3.Connection, owner: Owner, now: datetime) -> None:
    """Tell other schedulers that `owner` is alive and still runs its running runs."""
    with transaction(conn):
        conn.execute("UPDATE schedule_runs SET heartbeat_at = ? WHERE owner_token = ? AND outcome = 'running'",
                     (to_db_time(now), owner.token))


def set_log_path(conn: sqlite3.Connection, run_id: int, log_path: str) -> None:
    """Record where a started run writes its log."""
    with transaction(conn):
        conn.execute("UPDATE schedule_runs SET log_path = ? WHERE id = ?", (log_path, run_id))


@dataclass(frozen=True)
class RunEnd:
    """How a started run ended, written in one transaction by `finish_run`."""

    outcome: str
    exit_code: int | None = None
    pages: int | None = None
    clean: int | None = None
    contaminated: int | None = None
    message: str = ""


def finish_run(conn: sqlite3.Connection, run_id: int, end: RunEnd, now: datetime) -> None:
    """Close a running run with its outcome and page counts, all in one write."""
    if end.outcome not in FINAL_OUTCOMES:
        raise ValueError(f"not a final outcome: {end.outcome}")
    with transaction(conn):
        conn.execute(
            "UPDATE schedule_runs SET outcome = ?, ended_at = ?, exit_code = ?, pages = ?, clean = ?,"
            " contaminated = ?, message = ? WHERE id = ? AND outcome = 'running'",
            (end.outcome, to_db_time(now), end.exit_code, end.pages, end.clean, end.contaminated, end.message,
             run_id),
        )

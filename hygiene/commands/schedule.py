"""`hygiene schedule`: recurring crawls with history, kept in the same SQLite store as the items."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sqlite3
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import NoReturn

from crawler.store import reading
from detector.errors import ConfigError
from hygiene.parsing import OneLineParser
from hygiene.schedule import store
from hygiene.schedule.crawlargs import check_crawl_args, job_store
from hygiene.schedule.runner import Scheduler, StopRequest, utc_now
from hygiene.schedule.timing import UTC, check_cron, format_duration, load_timezone, parse_duration

EXIT_RUN_FAILED = 1
DEFAULT_TIMEOUT = "2h"
DEFAULT_GRACE = "60s"

EPILOG = """\
examples:
  hygiene schedule add news --every 6h -- https://example.org/ --depth 2 --max-pages 500
  hygiene schedule add morning --cron "0 6 * * *" --timezone Europe/Paris -- --seeds-file seeds.txt
  hygiene schedule run            # the scheduler; keep it running (see the systemd example in the README)
  hygiene schedule run --once     # run what is due now and exit (system cron, CI)

`--every` jobs are due at once, then every interval; cron jobs at their next slot. A job missed while
no scheduler ran (or while paused) runs once, not once per missed slot. Crawl arguments are checked
when the job is added, and run from the directory `add` was called in. The store is --db (given to
`schedule add` or among the crawl arguments; default: the crawl's default store); give it to every
`hygiene schedule` command, or set HYGIENE_DB.

exit codes: 0 done; 1 `run --once` started a crawl that failed or was interrupted; 2 error (bad
expression, interval, time zone or crawl arguments, unknown job, unreadable store), nothing changed.
"""


class ScheduleParser(OneLineParser):
    """Argument parser that can hand everything after the first `--` to one attribute, untouched."""

    def __init__(self, *args: object, tail_dest: str | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.tail_dest = tail_dest

    def parse_known_args(
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        """Split off the arguments after `--` before argparse sees them (argparse would mix them up)."""
        if self.tail_dest is None:
            return super().parse_known_args(args, namespace)
        args = list(sys.argv[1:] if args is None else args)
        cut = args.index("--") if "--" in args else len(args)
        namespace, extras = super().parse_known_args(args[:cut], namespace)
        setattr(namespace, self.tail_dest, args[cut + 1:])
        return namespace, extras

    def refuse_unrecognized(self, extras: list[str]) -> NoReturn:
        """The usage error for unknown arguments, with where crawl arguments go when the action takes them."""
        hint = " (crawl arguments go after --)" if self.tail_dest else ""
        self.error(f"unrecognized arguments: {' '.join(extras)}{hint}")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `schedule` sub-command and its own sub-commands."""
    parser = subparsers.add_parser(
        "schedule", help="recurring crawls: add, list, pause, history, and the scheduler (run)",
        description="Run `hygiene crawl` on a schedule (cron or interval) and keep a history of every run.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", type=Path, default=None, metavar="PATH",
                        help="SQLite store holding items, schedules and history (default: the crawl default)")
    actions = parser.add_subparsers(dest="schedule_command", metavar="ACTION", required=True,
                                    parser_class=ScheduleParser)
    _register_add(actions, common)
    _register_listing(actions, common)
    for name, func, help_text in (("remove", run_remove, "delete a job (its history stays)"),
                                  ("pause", run_pause, "stop running a job until resumed"),
                                  ("resume", run_resume, "run a paused job again")):
        action = actions.add_parser(name, parents=[common], help=help_text, description=help_text)
        action.add_argument("name", metavar="NAME")
        action.set_defaults(func=func)
    _register_run(actions, common)


def _register_add(actions: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """`schedule add NAME (--cron EXPR | --every DURATION) [--timezone TZ] [--timeout D] -- CRAWL-ARGS...`."""
    add = actions.add_parser("add", parents=[common], tail_dest="crawl_args", help="add a recurring crawl",
                             description="Add a named recurring crawl; everything after -- goes to `hygiene crawl`.",
                             usage="hygiene schedule add NAME (--cron EXPR | --every DURATION) [--timezone TZ] "
                                   "[--timeout DURATION] [--db PATH] -- CRAWL-ARGS...")
    add.add_argument("name", metavar="NAME", help="job name: letters, digits, '.', '_', '-'")
    when = add.add_mutually_exclusive_group(required=True)
    when.add_argument("--cron", metavar="EXPR", help="five-field cron expression, e.g. '0 6 * * *', or @daily")
    when.add_argument("--every", metavar="DURATION", help="interval: 30m, 6h, 1d, 90s or sums like 1h30m")
    add.add_argument("--timezone", metavar="TZ", help="IANA time zone the cron expression is read in (default: UTC)")
    add.add_argument("--timeout", metavar="DURATION", default=DEFAULT_TIMEOUT,
                     help=f"kill a crawl running longer than this and record it failed (default: {DEFAULT_TIMEOUT})")
    add.set_defaults(func=run_add, crawl_args=[])


def _register_listing(actions: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """`schedule list [--json]` and `schedule history [NAME] [--json] [--limit N]`."""
    listing = actions.add_parser("list", parents=[common], help="jobs with next run and last outcome",
                                 description="List jobs: schedule, state, next run, last run and its outcome.")
    listing.add_argument("--json", action="store_true", help="one JSON array instead of a table")
    listing.set_defaults(func=run_list)
    history = actions.add_parser("history", parents=[common], help="past runs with outcome and page counts",
                                 description="Show runs, newest first: start, end, outcome, pages, clean, "
                                             "contaminated, log file.")
    history.add_argument("name", metavar="NAME", nargs="?", help="only this job")
    history.add_argument("--json", action="store_true", help="one JSON array instead of a table")
    history.add_argument("--limit", type=int, default=20, help="at most this many runs (default: 20; 0 = all)")
    history.set_defaults(func=run_history)


def _register_run(actions: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """`schedule run [--once] [--log-dir DIR] [--grace DURATION]`."""
    runner = actions.add_parser("run", parents=[common], help="the scheduler: run jobs as they fall due",
                                description="Run due jobs, each crawl as its own process with its own log "
                                            "file. SIGTERM/SIGINT stop cleanly; a second one stops at once.")
    runner.add_argument("--once", action="store_true", help="run the jobs due now, wait for them, exit")
    runner.add_argument("--log-dir", type=Path, metavar="DIR",
                        help="where run logs go, one folder per job (default: <db name>-logs next to the db)")
    runner.add_argument("--grace", metavar="DURATION", default=DEFAULT_GRACE,
                        help=f"on stop, let running crawls finish this long before killing them "
                             f"(default: {DEFAULT_GRACE})")
    runner.set_defaults(func=run_scheduler)


def run_add(args: argparse.Namespace) -> int:
    """Validate everything first, then store the job in one transaction."""
    store.check_job_name(args.name)
    is_cron = args.cron is not None
    if args.timezone is not None and not is_cron:
        raise ConfigError("--timezone applies to --cron schedules only")
    if is_cron:
        check_cron(args.cron)
    timezone = args.timezone if args.timezone is not None else "UTC"
    load_timezone(timezone)
    every = None if is_cron else format_duration(parse_duration(args.every))
    db_path = job_store(args.db, check_crawl_args(args.crawl_args).db)
    job = store.Job(
        name=args.name, kind="cron" if is_cron else "every", spec=" ".join(args.cron.split()) if is_cron else every,
        timezone=timezone, crawl_args=args.crawl_args, workdir=os.getcwd(), timeout=parse_duration(args.timeout),
    )
    with store.open_store(db_path) as conn:
        job = store.add_job(conn, job, utc_now())
    print(f"added {job.name} to {db_path}: {job.describe()}, next run {_show_time(job.next_due, job)}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    """Delete a job; its runs stay in the history."""
    with store.open_store(store.resolve_db_path(args.db)) as conn:
        store.remove_job(conn, args.name)
    print(f"removed {args.name}")
    return 0


def run_pause(args: argparse.Namespace) -> int:
    """Pause a job (a running crawl finishes)."""
    with store.open_store(store.resolve_db_path(args.db)) as conn:
        store.set_paused(conn, args.name, True)
    print(f"paused {args.name}")
    return 0


def run_resume(args: argparse.Namespace) -> int:
    """Resume a paused job."""
    with store.open_store(store.resolve_db_path(args.db)) as conn:
        store.set_paused(conn, args.name, False)
        job = store.get_job(conn, args.name)
    print(f"resumed {args.name}, next run {_show_time(job.next_due, job)}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    """Print the jobs as a table or JSON."""
    db_path = store.resolve_db_path(args.db)
    with store.read_store(db_path) as conn, reading(db_path):
        rows = [_job_record(job, last) for job, last in store.list_jobs(conn)]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    table = [(r["name"], r["schedule"], r["state"], _short(r["next_run"]),
              f"{_short(r['last_run']['started_at'])} {r['last_run']['outcome']}" if r["last_run"] else "-")
             for r in rows]
    _print_table(("NAME", "SCHEDULE", "STATE", "NEXT RUN", "LAST RUN"), table)
    return 0


def run_history(args: argparse.Namespace) -> int:
    """Print past runs as a table or JSON."""
    if args.limit < 0:
        raise ConfigError("--limit must be 0 (all) or more")
    db_path = store.resolve_db_path(args.db)
    with store.read_store(db_path) as conn, reading(db_path):
        if args.name is not None:
            store.check_job_known(conn, args.name)
        runs = [_run_record(row) for row in store.list_runs(conn, args.name, args.limit or None)]
    if args.json:
        print(json.dumps(runs, indent=2))
        return 0
    table = [(str(r["id"]), r["job"], _short(r["started_at"]), _short(r["ended_at"]), r["outcome"],
              *(_count(r[key]) for key in ("pages", "clean", "contaminated")), r["log_path"] or "-",
              r["message"]) for r in runs]
    _print_table(("RUN", "JOB", "STARTED", "ENDED", "OUTCOME", "PAGES", "CLEAN", "CONTAM", "LOG", "NOTE"), table)
    return 0


def run_scheduler(args: argparse.Namespace) -> int:
    """Run the scheduler (forever, or `--once`); exit 1 if a `--once` run failed or was interrupted."""
    db_path = store.resolve_db_path(args.db)
    grace = parse_duration(args.grace).total_seconds()
    log_dir = (args.log_dir or db_path.with_name(f"{db_path.stem}-logs")).resolve()
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create the log folder {log_dir}: {exc.strerror}") from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s hygiene schedule: %(message)s", stream=sys.stderr)
    stop = StopRequest()
    stop.install()
    with store.open_store(db_path) as conn:
        scheduler = Scheduler(conn, db_path, log_dir)
        if args.once:
            scheduler.run_once(stop, grace)
        else:
            scheduler.serve(stop, grace)
    failed = [end for end in scheduler.ended if end.outcome in ("failed", "interrupted")]
    return EXIT_RUN_FAILED if args.once and failed else 0


def _job_record(job: store.Job, last: sqlite3.Row | None) -> dict:
    """JSON-able description of a job and its latest run."""
    running = last is not None and last["outcome"] == "running"
    return {
        "name": job.name, "schedule": job.describe(), "kind": job.kind, "spec": job.spec,
        "timezone": job.timezone, "timeout_seconds": job.timeout.total_seconds(),
        "state": "running" if running else "paused" if job.paused else "active",
        "next_run": _show_time(job.next_due, job), "crawl_args": job.crawl_args, "workdir": job.workdir,
        "last_run": _run_record(last) if last is not None else None,
    }


def _run_record(row: sqlite3.Row) -> dict:
    """JSON-able description of one run."""
    keys = ("id", "job", "scheduled_for", "started_at", "ended_at", "outcome", "exit_code", "pages", "clean",
            "contaminated", "log_path", "message")
    return {key: row[key] for key in keys}


def _show_time(moment: datetime | None, job: store.Job) -> str | None:
    """ISO time in the job's time zone (UTC for interval jobs), to the second."""
    if moment is None:
        return None
    return moment.astimezone(load_timezone(job.timezone)).isoformat(timespec="seconds")


def _short(text: str | None) -> str:
    """Compact `YYYY-MM-DD HH:MM:SS±HH:MM` form of an ISO time for tables."""
    if not text:
        return "-"
    moment = datetime.fromisoformat(text)
    if moment.utcoffset() == UTC.utcoffset(None):
        return f"{moment:%Y-%m-%d %H:%M:%S}Z"
    return moment.isoformat(sep=" ", timespec="seconds")


def _count(value: int | None) -> str:
    """Page counts print as `-` when unknown."""
    return "-" if value is None else str(value)


def _print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """Left-aligned columns separated by two spaces."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    for row in (header, *rows):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())

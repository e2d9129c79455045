"""Check a job's crawl arguments with the `hygiene crawl` parser itself, when the job is added."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NoReturn

from detector.errors import ConfigError
from hygiene.commands import crawl
from hygiene.schedule.store import resolve_db_path


class _CheckingParser(argparse.ArgumentParser):
    """An argument parser that raises a one-line ConfigError instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        """Turn an argparse error into ConfigError."""
        raise ConfigError(f"bad crawl arguments: {message}")

    def print_help(self, file: object = None) -> NoReturn:
        """`--help` among crawl arguments would print help and exit: refuse it instead."""
        raise ConfigError("bad crawl arguments: --help has no place in a scheduled crawl")


def check_crawl_args(crawl_args: list[str]) -> argparse.Namespace:
    """Check `crawl_args` as `hygiene crawl` would before crawling (seeds, seeds file, -s settings and values,
    log file, model file)."""
    if not crawl_args:
        raise ConfigError("give the crawl arguments after --, e.g. -- https://example.org/ --depth 2")
    parser = _CheckingParser(prog="hygiene")
    crawl.register(parser.add_subparsers())
    args = parser.parse_args(["crawl", *crawl_args])
    try:
        crawl.checked_overrides(args)
    except ConfigError as exc:
        raise ConfigError(f"bad crawl arguments: {exc}") from None
    if args.model is not None and not Path(args.model).is_file():
        raise ConfigError(f"bad crawl arguments: no such model file: {args.model}")
    if args.demo and (args.seeds or args.seeds_file):
        raise ConfigError("bad crawl arguments: --demo crawls the demo site: give no seeds with it")
    if not args.demo and not crawl.read_seeds(args):
        raise ConfigError("bad crawl arguments: give at least one seed URL (or --seeds-file, or --demo)")
    return args


def job_store(schedule_db: Path | None, crawl_db: str | None) -> Path:
    """The store a new job lives in: `schedule add --db`, else the crawl's `--db`, else the default store.

    Both may be given only if they name the same file (the job and its items share one store).
    """
    named = {resolve_db_path(Path(path)) for path in (schedule_db, crawl_db) if path is not None}
    if len(named) > 1:
        raise ConfigError(f"the crawl's --db {crawl_db} is not the schedule's store {schedule_db}: "
                          "jobs, history and items share one store; give --db once")
    return named.pop() if named else resolve_db_path(None)

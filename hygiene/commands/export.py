"""`hygiene export`: stored items (or quarantine records) as JSON Lines or CSV."""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import stat
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TextIO

from crawler.store import ITEM_COLUMNS, QUARANTINE_COLUMNS, Store
from detector.errors import ConfigError

RELATIVE_TIME = re.compile(r"^(\d+)([mhd])$")
UNITS = {"m": "minutes", "h": "hours", "d": "days"}
JSON_COLUMNS = ("flagged",)
STORE_FILE_SUFFIXES = ("", "-wal", "-shm", "-journal")
"""A SQLite database file and the files SQLite keeps beside it."""

EPILOG = """\
fields (items): url, canonical_url, title, published, author, text (clean article text, paragraphs
separated by newlines), status (clean | contaminated), score, flagged ({label: count}),
model_version, fetched_at, content_hash, etag, last_modified, lastmod.
fields (--quarantine): url, raw (the page as fetched, decoded with its detected encoding; the exact
bytes stay in the database), content_type, encoding, flagged (every flagged block: label, text,
probability, where, reasons), score, model_version, fetched_at, content_hash.

JSON Lines: one record a line. CSV: a header row, then one row a record (RFC 4180: fields with
line breaks are quoted); flagged is a JSON string.

--since takes an ISO date or time (UTC unless it says otherwise: 2025-06-01, 2025-06-01T12:00,
2025-06-01T12:00+02:00) or an age: 30m, 12h, 7d.

exit codes: 0 exported (even zero records); 2 error (no database, not a store or damaged, bad option).
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `export` sub-command."""
    parser = subparsers.add_parser(
        "export",
        help="export stored items or quarantine records as JSON Lines or CSV",
        description="Write the store's items (or, with --quarantine, its quarantine records) to stdout or a file.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", metavar="PATH", help="SQLite store (default: hygiene.db in the user data folder)")
    parser.add_argument("--quarantine", action="store_true", help="export quarantine records instead of items")
    parser.add_argument("--format", choices=("jsonl", "csv"), default="jsonl", help="output format (jsonl)")
    parser.add_argument("--since", metavar="T", help="only records fetched at or after T (ISO time or 30m/12h/7d)")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="write to FILE (replaced only once complete) instead of stdout",
    )
    parser.set_defaults(func=run)


def parse_since(value: str | None, now: datetime | None = None) -> str | None:
    """`--since` as the store's timestamp format (UTC, `Z`); ConfigError when it is neither form."""
    if value is None:
        return None
    match = RELATIVE_TIME.match(value.strip())
    if match:
        moment = age_ago(value, now or datetime.now(timezone.utc), match[1], UNITS[match[2]])
    else:
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ConfigError(f"--since {value!r}: expected an ISO date/time or an age like 7d, 12h, 30m") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def age_ago(value: str, now: datetime, count: str, unit: str) -> datetime:
    """The moment `count` `unit`s before `now`; ConfigError when that is before year 1."""
    try:
        return now - timedelta(**{unit: int(count)})
    except (OverflowError, ValueError):
        raise ConfigError(f"--since {value!r}: too far back (before year 1)") from None


def export_record(row, quarantine: bool) -> dict:
    """A stored row as an export record: JSON columns decoded, raw bytes decoded as text."""
    record = dict(row)
    for column in JSON_COLUMNS:
        record[column] = json.loads(record[column])
    if quarantine:
        record["raw"] = decode_raw(record["raw"], record["encoding"])
    return record


def decode_raw(raw: bytes, encoding: str | None) -> str:
    """The raw page as text, with the encoding the detector found (UTF-8 if unknown or invalid)."""
    try:
        return raw.decode(encoding or "utf-8", errors="replace")
    except LookupError:
        return raw.decode("utf-8", errors="replace")


def write_jsonl(records: Iterator[dict], out: TextIO) -> int:
    """One JSON object a line; returns the count."""
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(records: Iterator[dict], out: TextIO, columns: list[str]) -> int:
    """A header row and one row a record (JSON columns as JSON strings); returns the count."""
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    count = 0
    for record in records:
        writer.writerow({k: json.dumps(v, ensure_ascii=False) if k in JSON_COLUMNS else v for k, v in record.items()})
        count += 1
    return count


def check_not_the_store(output: Path, db: Path) -> None:
    """ConfigError when the output would overwrite the store's own database file or one of its companions."""
    store_files = [db.resolve().with_name(db.resolve().name + suffix) for suffix in STORE_FILE_SUFFIXES]
    same_file = output.exists() and any(path.exists() and os.path.samefile(output, path) for path in store_files)
    if same_file or output.resolve() in store_files:
        raise ConfigError(f"-o {output}: that is a file of the store {db}; write the export elsewhere")


def is_special_file(path: Path) -> bool:
    """Whether `path` exists and is no regular file: a FIFO, a device, /dev/stdout, a shell's /dev/fd/N."""
    try:
        return not stat.S_ISREG(path.stat().st_mode)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write ({exc.strerror or exc})") from None


@contextmanager
def output_stream(path: Path | None) -> Iterator[TextIO]:
    """stdout; a FIFO or device written directly; else a temporary file renamed to `path` only when the export
    completed."""
    if path is None:
        yield sys.stdout
    elif is_special_file(path):
        with special_file_stream(path) as out:
            yield out
    else:
        with complete_file_stream(path) as out:
            yield out


@contextmanager
def special_file_stream(path: Path) -> Iterator[TextIO]:
    """A FIFO or device opened for writing in place (renaming a file onto it would replace it)."""
    try:
        with path.open("w", encoding="utf-8", newline="") as out:
            yield out
    except BrokenPipeError:
        raise  # the reader stopped early, as `| head` does: a quiet exit
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write ({exc.strerror or exc})") from None


@contextmanager
def complete_file_stream(path: Path) -> Iterator[TextIO]:
    """A temporary file beside the file `path` names (through symlinks, which stay), renamed to it only when the
    export completed."""
    target = path.resolve()
    partial = target.with_name(target.name + ".part")
    try:
        with partial.open("w", encoding="utf-8", newline="") as out:
            yield out
        os.replace(partial, target)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write ({exc.strerror or exc})") from None
    finally:
        partial.unlink(missing_ok=True)


def run(args: argparse.Namespace) -> int:
    """Stream the records to the output; the count goes to stderr."""
    since = parse_since(args.since)
    store = Store.open_existing(args.db)
    try:
        if args.output is not None:
            check_not_the_store(args.output, store.path)
        store.check_integrity()
        rows = store.iter_quarantine(since) if args.quarantine else store.iter_items(since)
        records = (export_record(row, args.quarantine) for row in rows)
        columns = QUARANTINE_COLUMNS if args.quarantine else ITEM_COLUMNS
        with closing(rows), output_stream(args.output) as out:
            count = write_csv(records, out, columns) if args.format == "csv" else write_jsonl(records, out)
    finally:
        store.close()
    kind = "quarantine records" if args.quarantine else "items"
    print(f"exported {count} {kind}", file=sys.stderr)
    return 0

"""The JSON Lines reader: lines of a plain or gzip file as unparsed records, parsed later (in a worker) into a page
and the fields carried to the output."""

from __future__ import annotations

import gzip
import json
import math
import zlib
from collections.abc import Iterator
from typing import IO, Any

from detector.decode import looks_binary
from detector.settings import MAX_PAGE_BYTES
from detector.text import without_lone_surrogates
from hygiene.corpus.records import GZIP_MAGIC, SCAN_BLOCK, Record, first_line

MAX_JSONL_LINE_BYTES = 4 * MAX_PAGE_BYTES
"""A JSON line may hold a page escaped in JSON (up to ~4x longer); longer lines are reported and skipped."""


def open_maybe_gzip(path: str) -> IO[bytes]:
    """Open a file for binary reading, through gzip when it starts with the gzip magic."""
    handle = open(path, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    if handle.read(2) == GZIP_MAGIC[:2]:
        handle.close()
        return gzip.open(path, "rb")
    handle.seek(0)
    return handle


def read_jsonl(path: str, field_name: str | None, after_line: int = 0) -> Iterator[Record]:
    """Records of a JSON Lines file (gzip or plain), skipping the first `after_line` lines.

    Undecodable compressed data (a truncated download) is reported once; the lines before it are kept.
    """
    with open_maybe_gzip(path) as handle:
        line_number = 0
        try:
            for line, too_long in jsonl_lines(handle):
                line_number += 1
                if line_number <= after_line or not line.strip():
                    continue
                if too_long:
                    yield jsonl_error(path, line_number, f"line longer than {MAX_JSONL_LINE_BYTES} bytes")
                else:
                    yield Record(path, line_number, "line", line=line, field_name=field_name)
        except (OSError, EOFError, zlib.error) as exc:
            message = f"unreadable data ({type(exc).__name__}: {first_line(exc)}); rest of the file skipped"
            yield jsonl_error(path, line_number + 1, message)


def jsonl_lines(handle: IO[bytes]) -> Iterator[tuple[bytes, bool]]:
    """Lines of a JSON Lines file and whether each was too long to keep (then only its start is returned)."""
    while line := handle.readline(MAX_JSONL_LINE_BYTES + 1):
        too_long = len(line) > MAX_JSONL_LINE_BYTES and not line.endswith(b"\n")
        if too_long:
            skip_rest_of_line(handle)
        yield line, too_long


def skip_rest_of_line(handle: IO[bytes]) -> None:
    """Read past the end of an over-long line without holding it in memory."""
    while True:
        piece = handle.readline(SCAN_BLOCK)
        if not piece or piece.endswith(b"\n"):
            return


def jsonl_error(path: str, line_number: int, message: str) -> Record:
    """A JSON line that could not be read."""
    return Record(file=path, position=line_number, position_kind="line", error=message)


def finite_or_none(number: str) -> float | None:
    """A JSON number as a float; None for one too large for a float (`1e999`), which JSON could not write back."""
    value = float(number)
    return value if math.isfinite(value) else None


def without_surrogates(value: Any) -> Any:
    """A parsed JSON value with every lone surrogate in its strings (and keys) replaced by U+FFFD."""
    if isinstance(value, str):
        return without_lone_surrogates(value)
    if isinstance(value, list):
        return [without_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {without_surrogates(key): without_surrogates(item) for key, item in value.items()}
    return value


def string_looks_binary(page: str) -> bool:
    """Whether a page held in a JSON string is binary data (a PDF or gzip file read as Latin-1, NUL bytes), by the
    test the detector puts page bytes to."""
    try:
        data = page.encode("latin-1")
    except UnicodeEncodeError:
        data = page.encode("utf-8", errors="replace")
    return looks_binary(data)


def parsed(record: Record) -> Record:
    """The record an unparsed JSON line holds (a report if it holds none); other records as they are."""
    if record.line is None:
        return record
    return jsonl_record(record.file, record.position, record.line, record.field_name)


def jsonl_record(path: str, line_number: int, line: bytes, field_name: str | None) -> Record:
    """Parse one JSON line into a record: the page field is the payload, every other field is carried. Lone
    surrogates become U+FFFD and NaN or Infinity null, so that every output line can be written as valid JSON."""
    try:
        document = without_surrogates(json.loads(line, parse_constant=lambda _: None, parse_float=finite_or_none))
    except ValueError as exc:
        return jsonl_error(path, line_number, f"not valid JSON ({str(exc).splitlines()[0]})")
    except RecursionError:
        return jsonl_error(path, line_number, "JSON nested too deeply")
    if not isinstance(document, dict):
        return jsonl_error(path, line_number, "not a JSON object")
    name = field_name or ("html" if document.get("html") is not None else "text")
    payload = document.pop(name, None)
    if not isinstance(payload, str):
        return jsonl_error(path, line_number, f"field {name!r} missing or not a string")
    if string_looks_binary(payload):
        return jsonl_error(path, line_number, "binary data, not a web page or text")
    url = document.get("url")
    return Record(
        file=path,
        position=line_number,
        position_kind="line",
        payload=payload,
        fmt=name if name in ("html", "text") else "auto",
        url=url if isinstance(url, str) else None,
        carried=document,
    )
